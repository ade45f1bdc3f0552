"""Related documents ("more like this") through the search index: ranked by shared wording, never
the document itself, never what the viewer may not read, safe on an empty index or for a draft,
and ranked by the binary-tree OR matcher (docs/search.md: the array matcher Whoosh picks under
5,000 documents ranks ORs wrongly)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from whoosh.query import Or, Query

from hub.accounts.models import Role
from hub.documents.models import Kind, Status, Visibility
from hub.search import indexing
from hub.search.engine import SafeOr
from hub.search.query import forget_searcher, live_searcher
from hub.search.related import related_documents, related_query
from tests import factories

SOLAR = (
    "Solar lanterns need repair shops, spare batteries and trained technicians. Village repair "
    "shops test the lanterns, replace batteries and keep technicians busy; lantern warranties "
    "and battery recycling keep the lanterns working."
)


def brief(title: str, body: str, **kwargs):
    kwargs.setdefault("summary", "")
    return factories.document(title=title, body=body, **kwargs)


def titles(doc, viewer=None) -> list[str]:
    return [r.title for r in related_documents(doc, viewer)]


@pytest.fixture
def solar(app):
    """A document and others sharing much, a little or nothing of its wording."""
    doc = brief("Solar lantern repair", SOLAR)
    brief("Battery recycling for lanterns", "Repair shops recycle lantern batteries; technicians "
          "test batteries and lanterns and repair lanterns.")  # fmt: skip
    brief("Rural technicians", "Technicians in villages learn a trade.")
    brief("Fisheries policy", "Quotas for coastal fishing fleets and fish stocks.")
    indexing.catch_up()
    return doc


def test_related_documents_are_ranked_by_shared_wording(solar):
    assert titles(solar) == ["Battery recycling for lanterns", "Rural technicians"]


def test_a_document_is_never_related_to_itself(solar):
    twin = brief("Solar lantern repair again", SOLAR)
    indexing.catch_up()

    assert "Solar lantern repair" not in titles(solar)
    assert "Solar lantern repair again" not in titles(twin)
    assert titles(twin)[0] == "Solar lantern repair"


def test_related_list_has_title_kind_country_and_example_label(app):
    doc = brief("Solar lantern repair", SOLAR)
    brief("Lantern repair in Kenya", SOLAR, country_code="KEN", is_example=True,
          kind=Kind.COUNTRY_EXPERIENCE)  # fmt: skip
    indexing.catch_up()

    (found,) = related_documents(doc, None)

    assert (found.title, found.kind, found.country, found.country_name, found.is_example) == (
        "Lantern repair in Kenya", "country_experience", "KEN", "Kenya", True
    )  # fmt: skip


def test_members_only_document_is_never_related_for_the_public(solar):
    brief("Members lantern note", SOLAR, visibility=Visibility.MEMBERS)
    indexing.catch_up()

    assert "Members lantern note" not in titles(solar)


def test_members_only_document_is_related_for_a_logged_in_viewer(solar):
    brief("Members lantern note", SOLAR, visibility=Visibility.MEMBERS)
    indexing.catch_up()
    member = factories.user(role=Role.FOCAL_POINT, country_code="SRB")

    assert titles(solar, member)[0] == "Members lantern note"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.ARCHIVED])
def test_unpublished_document_is_never_related(solar, status):
    brief("Unpublished lantern note", SOLAR, status=status)
    indexing.catch_up()

    assert "Unpublished lantern note" not in titles(solar)


def test_draft_has_no_related_documents_and_does_not_fail(solar):
    draft = brief("Draft lantern note", SOLAR, status=Status.DRAFT)
    indexing.catch_up()

    assert related_documents(draft, None) == []


def test_empty_index_gives_no_related_documents(app):
    app.config["INDEX_FOLLOW"] = "thread"  # no follower runs: the index does not exist yet
    doc = brief("Solar lantern repair", SOLAR)
    forget_searcher()

    assert related_documents(doc, None) == []


def test_document_without_shared_words_has_no_related_documents(solar):
    fisheries = brief("Whaling", "Harpoons.")
    indexing.catch_up()

    assert related_documents(fisheries, None) == []


def test_a_change_to_the_index_is_seen_by_the_next_related_list(solar):
    assert "Lantern warranties" not in titles(solar)  # fills the cache of this searcher
    brief("Lantern warranties", SOLAR)
    indexing.catch_up()

    assert titles(solar)[0] == "Lantern warranties"


# --- the OR matcher (docs/search.md) ---


def _parts(query: Query) -> list[Query]:
    return [query, *(part for child in query.children() for part in _parts(child))]


def test_related_query_uses_only_the_binary_tree_or(solar):
    with live_searcher() as searcher:
        query = related_query(searcher, searcher.document_number(id=str(solar.id)))
    ors = [q for q in _parts(query) if isinstance(q, Or)]

    assert ors and all(isinstance(q, SafeOr) for q in ors)


def test_related_ranking_is_the_sum_of_its_clauses_on_a_small_index(app):
    """On an index under 5,000 documents Whoosh's default OR preloads an array and ranks wrongly;
    the related ranking must equal the definition of OR: each document scores the sum of the
    scores of the clauses it matches. Many low-numbered documents match one clause each; the
    best documents come last."""
    doc = brief("Solar lantern repair", SOLAR)
    for n in range(60):
        word = ("lanterns", "batteries", "technicians", "repair", "shops")[n % 5]
        brief(f"Filler {n}", f"Filler text {n} about {word} and many other unrelated matters.")
    brief("Close match", SOLAR.replace("Village", "Town"))
    brief("Second match", "Lantern repair shops test batteries; technicians recycle batteries.")
    indexing.catch_up()

    with live_searcher() as searcher:
        docnum = searcher.document_number(id=str(doc.id))
        query = related_query(searcher, docnum)
        expected: dict[tuple[int, str], float] = defaultdict(float)
        for clause in query.subqueries:
            for hit in searcher.search(clause, limit=None):
                if hit.docnum != docnum:
                    expected[(hit.docnum, hit["title"])] += hit.score
    # Best first; equal scores in index order, as Whoosh's collector breaks ties.
    ranked = [title for _n, title in sorted(expected, key=lambda k: (-expected[k], k[0]))]
    scores = sorted(expected.values(), reverse=True)

    found = related_documents(doc, None)

    assert [r.title for r in found] == ranked[:5]
    assert [r.title for r in found][:2] == ["Close match", "Second match"]
    assert [r.score for r in found] == pytest.approx(scores[:5])


# --- documents tagged alike fill a list that wording leaves short ---


def test_only_document_in_its_language_is_related_to_documents_on_its_sdg_target(app):
    maji = brief("Maji safi vijijini", "Wakulima wadogo wanachimba visima vipya.", language="sw",
                 goals=[6], targets=["6.1"])  # fmt: skip
    brief("Rural drinking water", "Boreholes for villages.", goals=[6], targets=["6.1"])
    brief("Sanitation in schools", "Latrines and hand washing.", goals=[6], targets=["6.2"])
    brief("Sanitation and energy", "Latrines and lamps.", goals=[6, 7])
    brief("Solar lantern repair", SOLAR, goals=[7])
    brief("Untagged water note", "Boreholes for villages.")
    indexing.catch_up()

    assert titles(maji) == [
        "Rural drinking water",
        "Sanitation in schools",
        "Sanitation and energy",
    ]


def test_shared_wording_ranks_first_and_tags_only_fill_the_rest_without_repeats(solar):
    assert titles(solar) == ["Battery recycling for lanterns", "Rural technicians"]
    tagged = brief("Solar lantern repair two", "Lamps.", goals=[7])
    brief("Clean cooking", "Stoves.", goals=[7])
    brief("Battery recycling for lanterns", "Repair shops recycle lantern batteries.", goals=[7])
    indexing.catch_up()

    listed = titles(tagged)
    assert listed[0] == "Solar lantern repair"  # shares "solar", "lantern", "repair"
    assert "Clean cooking" in listed and "Fisheries policy" not in listed
    assert len(listed) == len(set(r.slug for r in related_documents(tagged, None)))
    assert len(related_documents(tagged, None, limit=2)) == 2


def test_tagged_document_the_viewer_may_not_read_is_not_related_through_its_tags(app):
    doc = brief("Maji safi", "Visima vipya.", language="sw", goals=[6])
    brief("Members water note", "Boreholes.", goals=[6], visibility=Visibility.MEMBERS)
    brief("Public water note", "Wells.", goals=[6])
    indexing.catch_up()
    member = factories.user(role=Role.FOCAL_POINT, country_code="SRB")

    assert titles(doc) == ["Public water note"]
    assert sorted(titles(doc, member)) == ["Members water note", "Public water note"]
