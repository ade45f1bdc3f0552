"""Priority of open applications on the Partnership's criteria: a plain function, explained.

Every point a candidate gets comes with a sentence saying why, so the Secretariat can check the
rank against its own judgement and defend it. The four criteria:

- geographic diversity: regions and sub-regions with few pilot or member countries score higher
  (half the weight for the region, half for the sub-region, each divided by 1 + the members
  already there);
- development needs: LDC gives the full weight, LLDC and SIDS half each (they add up);
- existing STI/SDG initiatives: a third of the weight per initiative named, up to three;
- high-level political commitment: the full weight for a head of state or government, three
  quarters for a minister, 0.4 for a senior official, nothing without an endorsement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.applications.models import Commitment, CountryGroup

DIVERSITY = "diversity"
DEVELOPMENT = "development"
INITIATIVES = "initiatives"
COMMITMENT = "commitment"
CRITERIA = (DIVERSITY, DEVELOPMENT, INITIATIVES, COMMITMENT)
DEFAULT_WEIGHTS: dict[str, float] = {
    DIVERSITY: 2.0,
    DEVELOPMENT: 3.0,
    INITIATIVES: 1.0,
    COMMITMENT: 2.0,
}
CRITERION_LABELS = {
    DIVERSITY: _l("Geographic diversity against current members"),
    DEVELOPMENT: _l("Development needs (LDC, LLDC, SIDS)"),
    INITIATIVES: _l("Existing STI/SDG initiatives"),
    COMMITMENT: _l("High-level political commitment"),
}
MAX_WEIGHT = 10.0
GROUP_SHARE = {CountryGroup.LDC: 1.0, CountryGroup.LLDC: 0.5, CountryGroup.SIDS: 0.5}
GROUP_LABELS = {
    CountryGroup.LDC: _l("Least developed country (LDC)"),
    CountryGroup.LLDC: _l("Landlocked developing country (LLDC)"),
    CountryGroup.SIDS: _l("Small island developing State (SIDS)"),
}
COMMITMENT_SHARE = {
    Commitment.HEAD_OF_GOVERNMENT: 1.0,
    Commitment.MINISTER: 0.75,
    Commitment.SENIOR_OFFICIAL: 0.4,
    Commitment.NONE: 0.0,
}
COMMITMENT_LABELS = {
    Commitment.HEAD_OF_GOVERNMENT: _l("Endorsed by the head of state or government"),
    Commitment.MINISTER: _l("Endorsed by a minister"),
    Commitment.SENIOR_OFFICIAL: _l("Endorsed by a senior official"),
    Commitment.NONE: _l("No high-level endorsement yet"),
}
MAX_INITIATIVES = 3


@dataclass(frozen=True)
class Candidate:
    """What the ranking needs to know about one open application."""

    key: int  # the application id
    name: str
    region: str
    sub_region: str
    groups: frozenset[CountryGroup]
    initiatives: int  # how many initiatives the applicant named
    commitment: Commitment
    submitted_at: datetime


@dataclass(frozen=True)
class Reason:
    text: str
    points: float

    def __str__(self) -> str:
        shown = f"{self.points:+.2f}"  # +3.0, +1.5, +0.25: the parts add up to the score shown
        return f"{self.text} ({shown[:-1] if shown.endswith('0') else shown})"


@dataclass
class Ranked:
    rank: int
    candidate: Candidate
    score: float
    reasons: list[Reason] = field(default_factory=list)


def count_initiatives(text: str) -> int:
    """Initiatives are named one per line; bullets and blank lines do not count."""
    return sum(1 for line in text.splitlines() if line.strip(" \t-*•").strip())


def validate_weights(values: Mapping[str, object]) -> dict[str, float]:
    """Weights from a form: each a number from 0 to MAX_WEIGHT; raises ValueError with a message
    naming the criterion otherwise."""
    weights = {}
    for criterion in CRITERIA:
        raw = values.get(criterion, "")
        try:
            weight = float(str(raw).strip().replace(",", "."))
        except ValueError:
            raise ValueError(
                _("The weight for “%(c)s” must be a number.", c=CRITERION_LABELS[criterion])
            ) from None
        if not 0 <= weight <= MAX_WEIGHT or weight != weight:
            raise ValueError(
                _(
                    "The weight for “%(c)s” must be between 0 and %(max)s.",
                    c=CRITERION_LABELS[criterion],
                    max=f"{MAX_WEIGHT:g}",
                )
            )
        weights[criterion] = round(weight, 2)
    return weights


def rank(
    candidates: Iterable[Candidate],
    members: Sequence[tuple[str, str]],
    weights: Mapping[str, float],
) -> list[Ranked]:
    """Rank ``candidates`` (highest score first; earlier submission wins a tie).

    ``members`` holds (region, sub_region) of each current pilot or member country.
    """
    by_region = Counter(region for region, _sub in members)
    by_sub = Counter(sub for _region, sub in members)
    total = len(members)
    scored = []
    for candidate in candidates:
        reasons = [
            *_diversity(candidate, by_region, by_sub, total, weights[DIVERSITY]),
            *_development(candidate, weights[DEVELOPMENT]),
            _initiatives(candidate, weights[INITIATIVES]),
            _commitment(candidate, weights[COMMITMENT]),
        ]
        score = round(sum(r.points for r in reasons), 2)
        scored.append((candidate, score, reasons))
    scored.sort(key=lambda s: (-s[1], s[0].submitted_at, s[0].key))
    return [Ranked(i, c, score, reasons) for i, (c, score, reasons) in enumerate(scored, 1)]


def _diversity(
    c: Candidate, by_region: Counter, by_sub: Counter, total: int, weight: float
) -> list[Reason]:
    reasons = []
    for place, count in ((c.region, by_region[c.region]), (c.sub_region, by_sub[c.sub_region])):
        if not place:
            continue
        points = round(weight / 2 / (1 + count), 2)
        text = _(
            "%(place)s has %(n)d of %(total)d pilot and member countries",
            place=place,
            n=count,
            total=total,
        )
        reasons.append(Reason(text, points))
    return reasons


def _development(c: Candidate, weight: float) -> list[Reason]:
    reasons = [
        Reason(str(GROUP_LABELS[group]), round(weight * GROUP_SHARE[group], 2))
        for group in CountryGroup
        if group in c.groups
    ]
    return reasons or [Reason(_("Not on the UN lists of LDCs, LLDCs or SIDS"), 0.0)]


def _initiatives(c: Candidate, weight: float) -> Reason:
    named = min(c.initiatives, MAX_INITIATIVES)
    points = round(weight * named / MAX_INITIATIVES, 2)
    if c.initiatives == 0:
        return Reason(_("No existing STI/SDG initiatives named"), points)
    text = _("%(n)d existing STI/SDG initiative(s) named", n=c.initiatives)
    if c.initiatives > MAX_INITIATIVES:
        text += _(" (counted up to %(max)d)", max=MAX_INITIATIVES)
    return Reason(text, points)


def _commitment(c: Candidate, weight: float) -> Reason:
    points = round(weight * COMMITMENT_SHARE[c.commitment], 2)
    return Reason(str(COMMITMENT_LABELS[c.commitment]), points)
