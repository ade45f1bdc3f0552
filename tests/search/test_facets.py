"""Facets: counts for kind, country, region, SDG, area, year and language, that
combine, that count only what the viewer may read, and chosen filters shown as chips that each
remove exactly one filter (typed ones included)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.documents.models import Area, Kind, Visibility
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories
from tests.web import login

SDG6 = "SDG 6 · Clean water and sanitation"  # the facet label names the goal


def published(title: str, **kwargs) -> None:
    kwargs.setdefault("summary", "Short summary.")
    factories.document(title=title, **kwargs)


@pytest.fixture
def corpus(app):
    """Five documents about water; the last one is for members only."""
    published(
        "Water in Ghana", body="Water for clinics.", kind=Kind.POLICY_BRIEF,
        country_code="GHA", goals=[6, 7], areas=[Area.CAPABILITIES],
        published_on=date(2024, 1, 1),
    )  # fmt: skip
    published(
        "Water in Kenya", body="Water for towns.", kind=Kind.POLICY_BRIEF, country_code="KEN",
        goals=[6], areas=[Area.COLLABORATION], published_on=date(2023, 1, 1),
    )  # fmt: skip
    published(
        "L'eau en France", body="Water et eau pour les villes.", kind=Kind.COUNTRY_EXPERIENCE,
        country_code="FRA", goals=[6, 13], areas=[Area.KNOWLEDGE_FLOWS], language="fr",
        published_on=date(2024, 6, 1),
    )  # fmt: skip
    published(
        "Water guidebook", body="Water and industry.", kind=Kind.GUIDEBOOK_SECTION, goals=[9],
        areas=[Area.KNOWLEDGE_FLOWS], published_on=date(2022, 1, 1),
    )  # fmt: skip
    published(
        "Members water note", body="Water for members.", kind=Kind.POLICY_BRIEF,
        country_code="GHA", goals=[6], visibility=Visibility.MEMBERS,
        published_on=date(2024, 2, 1),
    )  # fmt: skip
    indexing.catch_up()
    return app


PUBLIC_FACETS = {
    "kind": {"policy_brief": 2, "country_experience": 1, "guidebook_section": 1},
    "country": {"FRA": 1, "GHA": 1, "KEN": 1},
    "region": {"Africa": 2, "Europe": 1},
    "sdg": {"6": 3, "13": 1, "7": 1, "9": 1},
    "area": {"knowledge_flows": 2, "capabilities": 1, "collaboration": 1},
    "year": {"2024": 2, "2022": 1, "2023": 1},
    "language": {"en": 3, "fr": 1},
}

MEMBER_FACETS = {
    "kind": {"policy_brief": 3, "country_experience": 1, "guidebook_section": 1},
    "country": {"GHA": 2, "FRA": 1, "KEN": 1},
    "region": {"Africa": 3, "Europe": 1},
    "sdg": {"6": 4, "13": 1, "7": 1, "9": 1},
    "area": {"knowledge_flows": 2, "capabilities": 1, "collaboration": 1},
    "year": {"2024": 3, "2022": 1, "2023": 1},
    "language": {"en": 4, "fr": 1},
}


def facets(q: str = "water", viewer: object = None, **filters: str | list[str]) -> dict:
    return search(SearchRequest(q, filters=filters), viewer=viewer).facets


# --- counts ---


def test_every_facet_is_counted_for_the_matches(corpus):
    assert facets() == PUBLIC_FACETS


def test_facet_values_come_largest_count_first(corpus):
    assert list(facets()["sdg"]) == ["6", "13", "7", "9"]


def test_facets_count_the_listing_without_words(corpus):
    assert facets("") == PUBLIC_FACETS


def test_facets_count_only_the_text_matches(corpus):
    assert facets("clinics") == {
        "kind": {"policy_brief": 1}, "country": {"GHA": 1}, "region": {"Africa": 1},
        "sdg": {"6": 1, "7": 1}, "area": {"capabilities": 1}, "year": {"2024": 1},
        "language": {"en": 1},
    }  # fmt: skip


def test_a_document_without_a_country_is_not_a_country_value(corpus):
    counted = facets()

    assert "" not in counted["country"]
    assert "" not in counted["region"]


# --- combining ---


def test_a_filter_narrows_the_other_facets(corpus):
    counted = facets(kind="policy_brief")

    assert counted["country"] == {"GHA": 1, "KEN": 1}
    assert counted["sdg"] == {"6": 2, "7": 1}
    assert counted["year"] == {"2023": 1, "2024": 1}


def test_filters_of_different_facets_combine_with_and(corpus):
    request = SearchRequest("water", filters={"kind": "policy_brief", "sdg": "7"})
    results = search(request, viewer=None)

    assert [h.title for h in results.hits] == ["Water in Ghana"]
    assert results.facets["region"] == {"Africa": 1}


def test_two_values_of_one_facet_combine_with_or(corpus):
    results = search(SearchRequest("water", filters={"year": ["2022", "2023"]}), viewer=None)

    assert sorted(h.title for h in results.hits) == ["Water guidebook", "Water in Kenya"]
    # A facet's own filter does not narrow its counts: 2024 stays on offer with its count.
    assert results.facets["year"] == {"2022": 1, "2023": 1, "2024": 2}
    assert results.facets["kind"] == {"guidebook_section": 1, "policy_brief": 1}


def test_choosing_a_country_keeps_the_other_countries_on_offer(corpus):
    counted = facets(country="GHA")

    assert counted["country"] == facets()["country"]
    assert set(counted["country"]) > {"GHA"}


def test_region_area_and_language_filters_combine(corpus):
    results = search(
        SearchRequest("water", filters={"region": "Europe", "area": "knowledge_flows",
                                        "language": "fr"}),
        viewer=None,
    )  # fmt: skip

    assert [h.title for h in results.hits] == ["L'eau en France"]


def test_a_typed_filter_narrows_the_facets_like_a_chosen_one(corpus):
    assert facets("water kind:brief") == facets("water", kind="policy_brief")


# --- what the viewer may see ---


def test_members_only_documents_are_not_counted_for_the_public(corpus):
    assert facets(viewer=None) == PUBLIC_FACETS


def test_members_only_documents_are_counted_for_a_logged_in_member(corpus):
    assert facets(viewer=factories.user()) == MEMBER_FACETS


def test_a_filter_matching_only_members_documents_counts_nothing_for_the_public(corpus):
    results = search(SearchRequest("members"), viewer=None)

    assert results.total == 0
    assert all(not counts for counts in results.facets.values())


def facet_count(html: str, label: str) -> int | None:
    found = re.search(rf">{re.escape(label)}</a> <span class=\"count\">\((\d+)\)</span>", html)
    return int(found.group(1)) if found else None


def test_the_page_shows_public_counts_to_the_public(client, corpus):
    html = client.get("/search", query_string={"q": "water"}).data.decode()

    assert facet_count(html, "Policy brief") == 2
    assert facet_count(html, "Ghana") == 1
    assert facet_count(html, "Africa") == 2
    assert facet_count(html, SDG6) == 3
    assert facet_count(html, "2024") == 2


def test_the_page_shows_members_counts_to_a_member(client, corpus):
    login(client, factories.user())

    html = client.get("/search", query_string={"q": "water"}).data.decode()

    assert facet_count(html, "Policy brief") == 3
    assert facet_count(html, "Ghana") == 2
    assert facet_count(html, SDG6) == 4


# --- chips ---


def chip_links(html: str) -> dict[str, dict[str, list[str]]]:
    """Chip text (e.g. "Country: Ghana") -> the query parameters of its link."""
    found = re.search(r'<ul class="chips"[^>]*>(.*?)</ul>', html, re.S)
    if not found:
        return {}
    chips = {}
    for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?) <span', found.group(1), re.S):
        url = urlsplit(htmllib.unescape(href))
        assert url.path == "/search"
        chips[htmllib.unescape(text).strip()] = parse_qs(url.query)
    return chips


def test_each_chosen_filter_is_a_chip(client, corpus):
    html = client.get(
        "/search", query_string={"q": "water", "kind": "policy_brief", "country": "GHA"}
    ).data.decode()

    assert set(chip_links(html)) == {"Kind: Policy brief", "Country: Ghana"}


def test_each_chip_removes_exactly_its_own_filter(client, corpus):
    html = client.get(
        "/search",
        query_string={"q": "water", "kind": "policy_brief", "country": "GHA", "sdg": "6"},
    ).data.decode()

    chips = chip_links(html)

    assert chips["Kind: Policy brief"] == {"q": ["water"], "country": ["GHA"], "sdg": ["6"]}
    assert chips["Country: Ghana"] == {"q": ["water"], "kind": ["policy_brief"], "sdg": ["6"]}
    assert chips[SDG6] == {"q": ["water"], "kind": ["policy_brief"], "country": ["GHA"]}


def test_a_chip_removes_one_value_of_a_facet_with_two(client, corpus):
    html = client.get(
        "/search", query_string={"q": "water", "country": ["GHA", "KEN"]}
    ).data.decode()

    chips = chip_links(html)

    assert chips["Country: Ghana"] == {"q": ["water"], "country": ["KEN"]}
    assert chips["Country: Kenya"] == {"q": ["water"], "country": ["GHA"]}


def test_chips_keep_the_sort(client, corpus):
    html = client.get(
        "/search", query_string={"q": "water", "kind": "policy_brief", "sort": "date"}
    ).data.decode()

    assert chip_links(html)["Kind: Policy brief"] == {"q": ["water"], "sort": ["date"]}


def test_filters_typed_into_the_query_are_chips_too(client, corpus):
    html = client.get("/search", query_string={"q": "water country:ghana sdg:6"}).data.decode()

    chips = chip_links(html)

    assert set(chips) == {"Country: Ghana", SDG6}
    assert chips["Country: Ghana"] == {"q": ["water"], "sdg": ["6"]}
    assert chips[SDG6] == {"q": ["water"], "country": ["GHA"]}


def test_following_a_typed_filters_chip_drops_only_that_filter(client, corpus):
    html = client.get("/search", query_string={"q": "water country:ghana sdg:6"}).data.decode()
    params = chip_links(html)["Country: Ghana"]

    after = search(
        SearchRequest(params["q"][0], filters={k: v for k, v in params.items() if k != "q"}),
        viewer=None,
    )

    assert after.filters == {"sdg": ["6"]}
    assert sorted(h.title for h in after.hits) == ["L'eau en France", "Water in Ghana",
                                                   "Water in Kenya"]  # fmt: skip


def test_a_title_filter_stays_in_the_query_when_a_chip_is_removed(client, corpus):
    html = client.get(
        "/search", query_string={"q": "title:water kind:brief", "sdg": "6"}
    ).data.decode()

    chips = chip_links(html)

    assert chips[SDG6] == {"q": ["title:water"], "kind": ["policy_brief"]}


def test_no_chips_without_filters(client, corpus):
    html = client.get("/search", query_string={"q": "water"}).data.decode()

    assert chip_links(html) == {}


def test_a_facet_link_adds_its_filter_and_a_chosen_ones_link_removes_it(client, corpus):
    html = client.get("/search", query_string={"q": "water", "kind": "policy_brief"}).data
    text = html.decode()

    links = {
        htmllib.unescape(label): parse_qs(urlsplit(htmllib.unescape(href)).query)
        for href, label in re.findall(
            r'<li><a href="([^"]+)"[^>]*>([^<]+)</a> <span class="count">', text
        )
    }

    assert links["Ghana"] == {"q": ["water"], "kind": ["policy_brief"], "country": ["GHA"]}
    assert links["Policy brief"] == {"q": ["water"]}


# --- the bit sets are built once per segment, whatever number of readers open it ---


def _segments_built_by_a_new_reader() -> int:
    """Open a new reader on the live index, build its facet table, and count the segments
    whose bit sets were read from postings rather than found in the engine's cache."""
    from hub.search.engine.bitsets import SEGMENT_MASKS
    from hub.search.facets import FacetTable

    before = SEGMENT_MASKS.built
    ix = indexing.get_store().open()
    with ix.searcher() as searcher:
        FacetTable.build(searcher.reader())
    return SEGMENT_MASKS.built - before


def test_a_new_reader_on_unchanged_segments_builds_no_bit_sets(corpus):
    assert _segments_built_by_a_new_reader()  # the first reader fills the cache

    assert _segments_built_by_a_new_reader() == 0


def test_a_new_reader_on_compound_segments_uses_the_cache_too(app):
    """Indexes written before segments were kept as separate files have compound segments."""
    published("Water in Ghana", body="Water for clinics.", country_code="GHA", goals=[6])
    ix = indexing.get_store().open()
    with ix.writer(compound=True) as writer:
        writer.add_document(**indexing.entry_for(factories.document(title="Water in Kenya")))
    assert any(p.suffix == ".seg" for p in indexing.get_store().root.rglob("*.seg"))
    assert _segments_built_by_a_new_reader()

    assert _segments_built_by_a_new_reader() == 0


def test_the_hubs_writers_keep_segments_as_separate_files(corpus):
    indexing.rebuild()
    published("Water in Peru", body="Water for farms.", country_code="PER")
    indexing.catch_up()

    assert not list(indexing.get_store().root.rglob("*.seg"))
