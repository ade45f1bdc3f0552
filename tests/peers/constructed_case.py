"""The constructed matchmaking case: six countries with seven needs and twelve offers (two each),
eight guidebook topics, and published briefs of each country about what it offers.

For every need the best offer is known by construction (``BEST``): it names the need's guidebook
topic and goals and speaks of the same things, and its country has written about them. Each need
also has decoys: an offer of the SAME country that would fit perfectly (a country is never matched
with itself), and an offer of another country sharing its topic or goals but not its subject. One
need ("gha-need2") is built so that the offers' words alone mislead: the best offer is terse and a
decoy shares more words; only the offering country's documents tell them apart.
All texts are illustrative ("Example") and written for this test.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.documents.models import Area, Kind
from hub.extensions import db
from hub.peers.models import ItemKind, OfferNeed
from hub.sdg.models import SdgGoal
from hub.search import indexing
from tests import factories

TOPICS = {
    "foresight": "Technology foresight",
    "finance": "Financing innovation",
    "indicators": "STI indicators and monitoring",
    "transfer": "Technology transfer",
    "incubation": "Incubation of start-ups",
    "energy": "Clean energy innovation",
    "digital": "Digital public infrastructure",
    "skills": "Skills for science diplomacy",
}

CAP, FLOWS, COLLAB = Area.CAPABILITIES, Area.KNOWLEDGE_FLOWS, Area.COLLABORATION


@dataclass(frozen=True)
class Spec:
    key: str
    kind: ItemKind
    country: str
    title: str
    description: str
    goals: tuple[int, ...]
    topics: tuple[str, ...]
    areas: tuple[Area, ...]


OFFER, NEED = ItemKind.OFFER, ItemKind.NEED

SPECS = [
    # Offers
    Spec("gha-foresight", OFFER, "GHA", "Running a national technology foresight exercise",
         "Our team ran horizon scanning, built scenarios to 2040 and held stakeholder workshops; "
         "we can share the scenario method and the workshop guides.",
         (9, 17), ("foresight",), (CAP,)),
    Spec("gha-agrifund", OFFER, "GHA", "An innovation fund for agricultural start-ups",
         "How we set up a fund that gives seed grants and loans to agritech start-ups, with its "
         "selection criteria and the blended finance from banks.",
         (2, 9), ("finance",), (CAP,)),
    # Kenya's offer is terse: its documents say more than the offer does.
    Spec("ken-mobile", OFFER, "KEN", "Mobile money wallets",
         "Ask us about our system.", (9, 17), ("digital",), (FLOWS,)),
    Spec("ken-incubators", OFFER, "KEN", "Business incubators linked to universities",
         "University incubators that coach deep-tech start-ups, give lab space and mentors, and "
         "link founders to investors.", (8, 9), ("incubation",), (CAP, COLLAB)),
    Spec("ind-observatory", OFFER, "IND", "Building an STI indicators observatory",
         "An observatory that runs the national R&D survey, measures spending on research and "
         "development and publishes STI indicators every year.",
         (9, 17), ("indicators",), (CAP,)),
    Spec("ind-minigrids", OFFER, "IND", "Solar mini-grid innovation clusters",
         "Clusters of firms and institutes that build solar mini-grids for rural villages, test "
         "batteries and train technicians.", (7, 9), ("energy",), (CAP,)),
    Spec("srb-tto", OFFER, "SRB", "Technology transfer offices in public universities",
         "How our universities set up technology transfer offices that handle patents, licensing "
         "agreements and spin-off companies.", (4, 9), ("transfer",), (FLOWS,)),
    Spec("srb-smartspec", OFFER, "SRB", "Designing a smart specialisation strategy",
         "Entrepreneurial discovery with industry to choose priority sectors for public "
         "investment.", (8, 9), ("foresight",), (CAP,)),
    Spec("ukr-egov", OFFER, "UKR", "Digital public services for researchers",
         "E-government portals where researchers apply for permits, register projects, follow "
         "grant payments and book appointments by phone.", (9, 16), ("digital",), (FLOWS,)),
    Spec("ukr-diplomats", OFFER, "UKR", "Training science diplomats",
         "A course for diplomats and scientists on negotiating research agreements.",
         (4, 17), ("skills",), (COLLAB,)),
    Spec("eth-extension", OFFER, "ETH", "Agricultural extension innovation platforms",
         "Farmers, researchers and extension agents test new seeds together; we can share how "
         "the platforms transfer technology to farms.", (2,), ("transfer",), (FLOWS,)),
    Spec("eth-parks", OFFER, "ETH", "Green industrial parks",
         "Industrial parks powered by renewable energy, with shared waste treatment.",
         (7, 9, 12), ("energy",), (CAP,)),
    # Needs
    Spec("eth-need", NEED, "ETH", "Setting up technology transfer offices in universities",
         "We want to learn how universities license patents and support spin-off companies "
         "through a technology transfer office.", (4, 9), ("transfer",), (FLOWS,)),
    Spec("gha-need", NEED, "GHA", "Measuring R&D spending with an STI indicators survey",
         "We need a national R&D survey and STI indicators to measure research and development "
         "spending.", (9, 17), ("indicators",), (CAP,)),
    Spec("ind-need", NEED, "IND", "University incubators for deep-tech start-ups",
         "How to run incubators at universities that mentor deep-tech start-ups and connect them "
         "with investors.", (8, 9), ("incubation",), (CAP,)),
    Spec("ken-need", NEED, "KEN", "Horizon scanning and scenarios for technology foresight",
         "We plan our first technology foresight exercise and want to learn horizon scanning, "
         "scenario building and how to run stakeholder workshops.", (9, 17), ("foresight",),
         (CAP,)),
    Spec("srb-need", NEED, "SRB", "Solar mini-grids for rural electrification",
         "Clean energy innovation for villages: we want to learn how clusters build and maintain "
         "solar mini-grids and train technicians.", (7,), ("energy",), (CAP,)),
    # A vocabulary gap: Ukraine's portal shares more of this need's words than Kenya's terse
    # offer, but Kenya is where grants are paid by phone, as its documents show.
    Spec("gha-need2", NEED, "GHA", "Paying research grants by phone",
         "Our researchers wait months for grant payments; we want to pay grants to their phones.",
         (9,), ("digital",), (FLOWS,)),
    Spec("ukr-need", NEED, "UKR", "Financing agricultural start-ups with an innovation fund",
         "We want to set up a fund with seed grants for agritech start-ups and learn about "
         "selection criteria and blended finance.", (2, 9), ("finance",), (CAP,)),
]  # fmt: skip

BEST = {
    "eth-need": "srb-tto",
    "gha-need": "ind-observatory",
    "ind-need": "ken-incubators",
    "ken-need": "gha-foresight",
    "srb-need": "ind-minigrids",
    "ukr-need": "gha-agrifund",
    "gha-need2": "ken-mobile",
}

# Each country's published briefs: what it has written about, in its own documents.
BRIEFS = {
    "GHA": [("Scenarios to 2040: Ghana's technology foresight", "Horizon scanning found weak "
             "signals; scenario building and stakeholder workshops set foresight priorities."),
            ("Seed grants for agritech start-ups", "An innovation fund gives agritech start-ups "
             "seed grants; blended finance from banks doubles the fund.")],
    "KEN": [("Paying grants by mobile money", "Research grants are paid to researchers' phones "
             "through mobile money wallets: grant payments arrive in days, not months."),
            ("Incubators on campus", "University incubators mentor deep-tech start-ups and "
             "connect founders with investors.")],
    "IND": [("The national R&D survey", "The R&D survey measures research and development "
             "spending; the observatory publishes STI indicators."),
            ("Mini-grid clusters", "Solar mini-grids for rural villages; technicians maintain "
             "mini-grids and batteries.")],
    "SRB": [("University technology transfer", "Technology transfer offices license patents and "
             "create spin-off companies."),
            ("Smart specialisation", "Entrepreneurial discovery chose priority sectors.")],
    "UKR": [("E-services for science", "Researchers register projects on e-government portals."),
            ("Science diplomacy training", "Diplomats learn to negotiate research agreements.")],
    "ETH": [("Extension platforms", "Farmers and researchers test seeds on extension platforms."),
            ("Green industrial parks", "Parks run on renewable energy.")],
}  # fmt: skip


def build() -> dict[str, OfferNeed]:
    """Create the case (sections, briefs, offers and needs), index it; key -> item."""
    sections = {
        key: factories.document(kind=Kind.GUIDEBOOK_SECTION, title=title, is_example=True)
        for key, title in TOPICS.items()
    }
    for iso3, briefs in BRIEFS.items():
        for title, body in briefs:
            factories.document(
                title=title, body=body, summary="", country_code=iso3, is_example=True
            )
    items = {}
    for spec in SPECS:
        item = OfferNeed(
            kind=spec.kind,
            country=factories.country(spec.country),
            title=spec.title,
            description=spec.description,
            areas=[a.value for a in spec.areas],
        )
        item.goals = [db.session.get(SdgGoal, n) for n in spec.goals]
        item.topics = [sections[t] for t in spec.topics]
        db.session.add(item)
        items[spec.key] = item
    db.session.commit()
    indexing.catch_up()
    return items
