"""The public query language: words, phrases, AND/OR/NOT and -word, typed
field filters, caps on hostile input, sorting, pages, "did you mean" and the zero-result advice.

Documents are written through the factories and indexed through the real change log; the
search runs through ``hub.search.query.search`` or, where the page is the point, through /search.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from hub.documents.models import Area, Kind, Visibility
from hub.errors import Invalid
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories
from tests.web import login


def published(title: str, **kwargs) -> None:
    kwargs.setdefault("body", "Plain body words.")
    kwargs.setdefault("summary", "Short summary.")
    factories.document(title=title, **kwargs)


def run(q: str = "", viewer: object = None, **kwargs) -> object:
    return search(SearchRequest(q, **kwargs), viewer=viewer)


def titles(q: str, viewer: object = None, **filters: str | list[str]) -> list[str]:
    return sorted(h.title for h in run(q, viewer, filters=filters).hits)


def invalid(q: str, **filters: str) -> str:
    """The message of the Invalid error the query raises."""
    with pytest.raises(Invalid) as caught:
        run(q, filters=filters)
    return caught.value.message


@pytest.fixture
def corpus(app):
    """Documents of every kind, in several countries, regions, goals, areas, years and languages."""
    published(
        "Solar clinics in Ghana",
        body="Solar power keeps rural clinics open at night. Wind is not used.",
        kind=Kind.POLICY_BRIEF, country_code="GHA", goals=[7], areas=[Area.CAPABILITIES],
        published_on=date(2024, 5, 1),
    )  # fmt: skip
    published(
        "Wind farms in Kenya",
        body="Wind and solar together power the grid of a county.",
        kind=Kind.COUNTRY_EXPERIENCE, country_code="KEN", goals=[7, 13],
        areas=[Area.COLLABORATION], published_on=date(2023, 2, 1),
    )  # fmt: skip
    published(
        "Technology transfer offices",
        body="Technology transfer from universities to firms.",
        kind=Kind.GUIDEBOOK_SECTION, goals=[9], areas=[Area.KNOWLEDGE_FLOWS],
        published_on=date(2022, 1, 1),
    )  # fmt: skip
    published(
        "Transfer of technology in South Africa",
        body="Firms transfer technology to universities as well.",
        kind=Kind.POLICY_BRIEF, country_code="ZAF", goals=[9], published_on=date(2024, 9, 1),
    )  # fmt: skip
    published(
        "Énergie solaire au Sénégal",
        body="Les cliniques rurales utilisent l'énergie solaire.",
        kind=Kind.COUNTRY_EXPERIENCE, country_code="SEN", language="fr", goals=[7],
        published_on=date(2024, 3, 1),
    )  # fmt: skip
    published(
        "Irrigation in France",
        body="Drip irrigation for farms.",
        kind=Kind.POLICY_BRIEF, country_code="FRA", goals=[2], published_on=date(2021, 6, 1),
    )  # fmt: skip
    indexing.catch_up()
    return app


ALL = 6


# --- words and phrases ---


def test_one_word_finds_the_documents_that_have_it(corpus):
    assert titles("irrigation") == ["Irrigation in France"]


def test_several_words_find_documents_with_any_of_them_those_with_all_first(corpus):
    hits = run("wind clinics").hits

    assert {h.title for h in hits} == {"Solar clinics in Ghana", "Wind farms in Kenya"}
    assert hits[0].title == "Solar clinics in Ghana"  # has both words


def test_quoted_phrase_needs_the_words_together_and_in_order(corpus):
    assert titles('"technology transfer"') == ["Technology transfer offices"]
    assert titles('"transfer technology"') == ["Transfer of technology in South Africa"]


def test_phrase_and_word_combine(corpus):
    assert titles('"technology transfer" offices') == ["Technology transfer offices"]


# --- AND, OR, NOT, -word ---


def test_and_needs_every_word(corpus):
    assert titles("wind AND clinics") == ["Solar clinics in Ghana"]


def test_or_takes_any_word(corpus):
    assert titles("irrigation OR clinics") == ["Irrigation in France", "Solar clinics in Ghana"]


def test_not_leaves_out_documents_with_the_word(corpus):
    assert titles("wind NOT clinics") == ["Wind farms in Kenya"]


def test_minus_leaves_out_documents_with_the_word(corpus):
    assert titles("wind -clinics") == ["Wind farms in Kenya"]


def test_not_and_minus_mean_the_same(corpus):
    for q in ("wind NOT clinics", "wind NOT (clinics OR night)", "NOT clinics"):
        assert titles(q) == titles(q.replace("NOT ", "-")), q


def test_hyphen_inside_a_word_is_not_an_exclusion(app):
    """``drip-irrigation`` means the words drip and irrigation, not drip without irrigation."""
    published("Drip-irrigation for smallholders", body="Low-cost drip-irrigation kits.")
    published("Drip coffee", body="Brewing.")
    indexing.catch_up()

    assert "Drip-irrigation for smallholders" in titles("drip-irrigation")
    assert titles("low-cost") == ["Drip-irrigation for smallholders"]


def test_plus_or_minus_inside_a_phrase_is_just_text(corpus):
    assert titles('"wind -clinics"') == []


def test_lower_case_and_or_not_are_ordinary_words_not_operators(corpus):
    """Only upper-case operators are operators; "and" is a stop word, so this is wind + clinics."""
    assert titles("wind and clinics") == titles("wind clinics")


def test_brackets_group_operators(corpus):
    assert titles("(irrigation OR clinics) AND night") == ["Solar clinics in Ghana"]


# --- field filters typed into the query ---


def test_title_filter_looks_only_at_titles(corpus):
    assert titles("title:clinics") == ["Solar clinics in Ghana"]
    assert titles("title:night") == []
    assert titles("night") == ["Solar clinics in Ghana"]


def test_title_filter_takes_a_quoted_phrase(corpus):
    assert titles('title:"technology transfer"') == ["Technology transfer offices"]


@pytest.mark.parametrize("value", ["GHA", "gha", "GH", "gh", "Ghana", "ghana"])
def test_country_filter_accepts_iso3_iso2_and_name(corpus, value):
    assert titles(f"solar country:{value}") == ["Solar clinics in Ghana"]


def test_country_filter_with_a_quoted_name_of_several_words(corpus):
    assert titles('technology country:"South Africa"') == ["Transfer of technology in South Africa"]


def test_country_filter_alone_lists_that_country(corpus):
    assert titles("country:KEN") == ["Wind farms in Kenya"]


@pytest.mark.parametrize("value", ["7", "07", "SDG7", "sdg7"])
def test_sdg_filter(corpus, value):
    assert titles(f"sdg:{value}") == [
        "Solar clinics in Ghana", "Wind farms in Kenya", "Énergie solaire au Sénégal",
    ]  # fmt: skip


def test_goal_is_an_alias_of_sdg(corpus):
    assert titles("goal:13") == ["Wind farms in Kenya"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("brief", ["Irrigation in France", "Solar clinics in Ghana",
                   "Transfer of technology in South Africa"]),
        ("briefs", ["Irrigation in France", "Solar clinics in Ghana",
                    "Transfer of technology in South Africa"]),
        ("experience", ["Wind farms in Kenya", "Énergie solaire au Sénégal"]),
        ("guidebook", ["Technology transfer offices"]),
        ("policy_brief", ["Irrigation in France", "Solar clinics in Ghana",
                          "Transfer of technology in South Africa"]),
        ("Experience", ["Wind farms in Kenya", "Énergie solaire au Sénégal"]),
    ],
)  # fmt: skip
def test_kind_filter(corpus, value, expected):
    assert titles(f"kind:{value}") == expected


def test_year_filter(corpus):
    assert titles("year:2024") == [
        "Solar clinics in Ghana", "Transfer of technology in South Africa",
        "Énergie solaire au Sénégal",
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["Africa", "africa", "AFRICA"])
def test_region_filter_ignores_letter_case(corpus, value):
    assert titles(f"region:{value}") == [
        "Solar clinics in Ghana", "Transfer of technology in South Africa",
        "Wind farms in Kenya", "Énergie solaire au Sénégal",
    ]  # fmt: skip


def test_region_filter_takes_a_region(corpus):
    assert titles("region:Europe") == ["Irrigation in France"]


@pytest.mark.parametrize("value", ["knowledge_flows", "knowledge-flows", '"knowledge flows"'])
def test_area_filter(corpus, value):
    assert titles(f"area:{value}") == ["Technology transfer offices"]


@pytest.mark.parametrize("value", ["fr", "FR", "Fr"])
def test_language_filter_ignores_letter_case(corpus, value):
    assert titles(f"language:{value}") == ["Énergie solaire au Sénégal"]


@pytest.mark.parametrize("value", ["French", "français", "FRANCAIS", "francés", "французский"])
def test_language_filter_takes_a_language_name_in_the_hubs_languages(corpus, value):
    assert titles(f"language:{value}") == ["Énergie solaire au Sénégal"]


def test_language_name_in_the_url_filter_becomes_its_code(corpus):
    found = run("", filters={"language": ["Français"]})

    assert found.filters == {"language": ["fr"]}
    assert [h.title for h in found.hits] == ["Énergie solaire au Sénégal"]


def test_lang_is_an_alias_of_language(corpus):
    assert titles("lang:fr") == ["Énergie solaire au Sénégal"]


def test_filter_names_ignore_letter_case(corpus):
    assert titles("Country:GHA KIND:brief") == ["Solar clinics in Ghana"]


def test_typed_filters_of_different_fields_all_apply(corpus):
    assert titles("sdg:7 kind:experience region:africa") == [
        "Wind farms in Kenya", "Énergie solaire au Sénégal",
    ]  # fmt: skip
    assert titles("sdg:7 kind:experience language:fr") == ["Énergie solaire au Sénégal"]


def test_the_same_filter_typed_twice_takes_either_value(corpus):
    assert titles("country:GHA country:KEN") == ["Solar clinics in Ghana", "Wind farms in Kenya"]


def test_typed_filter_and_url_filter_of_different_fields_both_apply(corpus):
    assert titles("sdg:7", kind="policy_brief") == ["Solar clinics in Ghana"]


def test_typed_filter_and_url_filter_of_the_same_field_take_either_value(corpus):
    assert titles("country:GHA", country="KEN") == ["Solar clinics in Ghana", "Wind farms in Kenya"]


def test_typed_filters_are_reported_with_the_filters_in_force(corpus):
    results = run("solar country:ghana kind:brief", filters={"sdg": ["7"]})

    assert results.filters == {"kind": ["policy_brief"], "country": ["GHA"], "sdg": ["7"]}
    assert results.text_without_filters == "solar"


def test_typed_filter_words_are_not_searched_as_text(corpus):
    """``country:Ghana`` filters; it does not also look for the word "ghana" in the text."""
    results = run("country:ghana")

    assert [h.title for h in results.hits] == ["Solar clinics in Ghana"]
    assert results.suggestion is None


def test_unknown_prefix_is_read_as_words(corpus):
    assert titles("colour:solar") == titles("colour solar")


def test_a_url_in_the_query_is_words_not_a_filter(corpus):
    results = run("https://example.org/solar")

    assert results.filters == {}
    assert [h.title for h in results.hits] == [h.title for h in run("https example org solar").hits]


# --- unknown filter values ---


@pytest.mark.parametrize(
    ("q", "needle"),
    [
        ("country:Atlantis", "Atlantis"),
        ("country:XX", "XX"),
        ("sdg:18", "18"),
        ("sdg:0", "0"),
        ("sdg:energy", "energy"),
        ("kind:memo", "memo"),
        ("year:24", "24"),
        ("year:twenty", "twenty"),
        ("area:magic", "magic"),
        ("language:english1", "english1"),
        ("language:Atlantean", "Atlantean"),
        ("region:Atlantis", "Atlantis"),
    ],
)
def test_unknown_filter_value_is_invalid_with_a_message_naming_it(corpus, q, needle):
    message = invalid(f"solar {q}")

    assert needle in message
    assert "Unknown" in message


@pytest.mark.parametrize(
    ("param", "value"),
    [("country", "Atlantis"), ("sdg", "18"), ("kind", "memo"), ("year", "1x"),
     ("area", "magic"), ("region", "Atlantis"), ("language", "english1")],
)  # fmt: skip
def test_unknown_url_filter_value_is_invalid_too(corpus, param, value):
    assert value in invalid("solar", **{param: value})


def test_unknown_filter_value_on_the_page_answers_400_with_the_message(client, corpus):
    response = client.get("/search", query_string={"q": "solar country:Atlantis"})

    assert response.status_code == 400
    assert "Unknown country “Atlantis”" in response.data.decode()


def test_more_than_twenty_values_for_one_filter_is_invalid(corpus):
    years = [str(y) for y in range(2000, 2021)]

    assert "20" in invalid("solar", year=years)


# --- caps ---


def test_query_of_257_characters_is_refused_with_the_limit_in_the_message(corpus):
    message = invalid("solar " + "x" * 251)

    assert "256" in message


def test_query_of_256_characters_is_accepted(corpus):
    q = "solar " + "x" * 250
    assert len(q) == 256

    run(q)


def test_query_of_33_words_is_refused_and_32_accepted(corpus):
    words = [f"word{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(33)]

    assert "32" in invalid(" ".join(words))
    run(" ".join(words[:32]))


def test_repeating_a_word_does_not_count_against_the_word_cap(corpus):
    assert titles(" ".join(["solar"] * 40)) == titles("solar")


def test_brackets_nested_nine_deep_are_refused(corpus):
    assert "brackets" in invalid("(" * 9 + "solar" + ")" * 9)


def test_brackets_nested_eight_deep_are_accepted(corpus):
    assert titles("(" * 8 + "irrigation" + ")" * 8) == ["Irrigation in France"]


@pytest.mark.parametrize("q", ["*", "**", "*:*", "?", "*a", "*a*b*", "a*", "x~3", "~", "/regex/",
                               "/.*/", 'r"(a|b)*c"', "r/.*/", "[* TO *]", "[a TO z]"])  # fmt: skip
def test_wildcard_fuzzy_regex_and_range_syntax_never_match_everything(corpus, q):
    assert run(q).total < ALL


def test_lone_star_matches_nothing(corpus):
    assert run("*").total == 0


def test_trailing_star_is_the_word_itself_not_a_prefix(corpus):
    assert titles("irrigation*") == ["Irrigation in France"]
    assert titles("irri*") == []


def test_leading_star_is_the_word_itself_not_a_suffix(corpus):
    assert titles("*rrigation") == []
    assert titles("*irrigation") == ["Irrigation in France"]


def test_tilde_is_not_fuzzy_matching(corpus):
    assert titles("irigation~2") == []


def test_slashes_are_not_a_regular_expression(corpus):
    assert titles("/irr.*/") == []
    assert titles("/irrigation/") == ["Irrigation in France"]


def test_r_quoted_is_not_a_regular_expression(corpus):
    assert titles('r"irr.*"') == []


# --- sort and pages ---


@pytest.fixture
def dated(app):
    """An old document that mentions drought often and a new one that mentions it once."""
    published(
        "Old drought brief", body="Drought, drought, drought and drought.",
        published_on=date(2019, 1, 1),
    )  # fmt: skip
    published(
        "New water brief",
        body="A long report on rivers, lakes, wells, pumps, canals and dams; drought once.",
        published_on=date(2025, 1, 1),
    )  # fmt: skip
    published("Middle water note", body="Drought in the south.", published_on=date(2022, 1, 1))
    indexing.catch_up()
    return app


def test_relevance_is_the_default_sort(dated):
    results = run("drought")

    assert results.request.sort == "relevance"
    assert [h.title for h in results.hits] == [
        "Old drought brief", "Middle water note", "New water brief",
    ]  # fmt: skip
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_date_sort_puts_the_newest_first(dated):
    hits = run("drought", sort="date").hits

    assert [h.title for h in hits] == ["New water brief", "Middle water note", "Old drought brief"]


def test_unknown_sort_is_invalid(dated):
    with pytest.raises(Invalid):
        run("drought", sort="popularity")


def test_listing_without_words_is_newest_first(dated):
    assert [h.title for h in run("").hits][0] == "New water brief"


def test_sort_links_on_the_page_keep_the_query(client, dated):
    html = client.get("/search", query_string={"q": "drought"}).data.decode()

    assert "sort=date" in html
    assert "q=drought" in html


@pytest.fixture
def many(app):
    for n in range(23):
        published(f"Mangrove report {n:02d}", published_on=date(2020, 1, 1 + n))
    indexing.catch_up()
    return app


def test_pages_cover_every_result_once_in_both_sorts(many):
    for sort in ("relevance", "date"):
        slugs = [
            h.slug
            for page in (1, 2, 3)
            for h in run("mangrove", page=page, per_page=10, sort=sort).hits
        ]
        assert len(slugs) == len(set(slugs)) == 23


def test_date_sort_pages_continue_in_date_order(many):
    first = run("mangrove", page=1, per_page=10, sort="date").hits
    second = run("mangrove", page=2, per_page=10, sort="date").hits

    assert first[-1].published >= second[0].published
    assert first[0].title == "Mangrove report 22"


def test_page_links_on_the_page(client, many):
    html = client.get("/search", query_string={"q": "mangrove", "per_page": 10, "page": 2})
    text = html.data.decode()

    assert "Page 2 of 3" in text
    assert 'rel="prev"' in text
    assert 'rel="next"' in text
    assert len(re.findall(r"<h3[^>]*><a href=", text)) == 10


def test_results_have_a_heading_and_heading_levels_do_not_skip(client, many):
    text = client.get("/search", query_string={"q": "mangrove", "per_page": 10}).data.decode()
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", text)]

    assert re.search(r'<h2 [^>]*id="results-h"[^>]*>Results</h2>\s*<ol class="results"', text)
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert levels.count(3) == 10  # one per result, under "Results"


def test_page_zero_or_a_word_is_refused(client, many):
    assert client.get("/search", query_string={"q": "mangrove", "page": 0}).status_code == 400
    assert client.get("/search", query_string={"q": "mangrove", "page": "two"}).status_code == 400


# --- did you mean ---


@pytest.fixture
def vocabulary(app):
    published("Irrigation schemes", body="Irrigation for smallholder farms.")
    published("Desalination plants", body="Desalination of sea water.")
    published(
        "Geothermal prospects", body="Geothermal wells.", visibility=Visibility.MEMBERS
    )  # fmt: skip
    indexing.catch_up()
    return app


def test_misspelt_word_gets_a_suggestion_from_the_hubs_words(vocabulary):
    results = run("irigation")

    assert results.total == 0
    assert results.suggestion == "irrigation"


def test_only_the_misspelt_word_is_replaced(vocabulary):
    assert run("desalinaton plants").suggestion == "desalination plants"


def test_correctly_spelt_query_gets_no_suggestion(vocabulary):
    assert run("irrigation").suggestion is None


def test_a_word_found_only_in_bodies_is_not_taken_for_a_misspelling(vocabulary):
    """Once a bug: the suggestion vocabulary holds titles, summaries and tags, so "plans"
    (only in a body) was "corrected" to the title word "plants"."""
    published("Water roadmap", body="Regional plans for water.")
    indexing.catch_up()

    assert run("plans").total == 1
    assert run("plans").suggestion is None
    assert run("plamts").suggestion == "plants"


def test_word_of_a_members_only_document_is_never_suggested_to_the_public(vocabulary):
    assert run("geothermel").suggestion is None


def test_word_of_a_members_only_document_is_suggested_to_a_member(vocabulary):
    member = factories.user()

    assert run("geothermel", viewer=member).suggestion == "geothermal"


def test_the_public_page_does_not_suggest_a_members_only_word(client, vocabulary):
    html = client.get("/search", query_string={"q": "geothermel"}).data.decode()

    assert "geothermal" not in html.lower()
    assert "Did you mean" not in html


def test_the_page_suggests_with_a_link_that_runs_the_corrected_search(client, vocabulary):
    html = client.get("/search", query_string={"q": "irigation"}).data.decode()

    assert "Did you mean" in html
    assert "q=irrigation" in html
    follow = client.get("/search", query_string={"q": "irrigation"}).data.decode()
    assert "Irrigation schemes" in follow


def test_a_member_sees_the_members_only_suggestion_on_the_page(client, vocabulary):
    member = factories.user()
    login(client, member)

    html = client.get("/search", query_string={"q": "geothermel"}).data.decode()

    assert "Did you mean" in html
    assert "q=geothermal" in html


def test_suggestion_keeps_typed_filters_out_of_the_corrected_words(vocabulary):
    results = run("irigation country:GHA")

    assert results.suggestion == "irrigation"


# --- nothing found ---


def test_zero_results_say_how_many_there_would_be_without_each_filter(corpus):
    results = run("solar", filters={"country": ["GHA"], "kind": ["country_experience"]})

    assert results.total == 0
    experiences = run("solar", filters={"kind": ["country_experience"]}).total
    assert experiences >= 1  # Kenya's
    assert results.without_filter == {
        ("country", "GHA"): experiences,
        ("kind", "country_experience"): 1,  # the brief from Ghana
    }


def test_zero_results_count_typed_filters_too(corpus):
    results = run("irrigation year:2024")

    assert results.total == 0
    assert results.without_filter == {("year", "2024"): 1}


def test_zero_result_page_links_to_each_relaxed_search_with_its_count(client, corpus):
    response = client.get(
        "/search", query_string={"q": "solar", "country": "GHA", "kind": "country_experience"}
    )
    html = response.data.decode()
    experiences = run("solar", filters={"kind": ["country_experience"]}).total

    assert response.status_code == 200
    assert "No results for" in html
    assert f"Try without Country: Ghana</a> ({experiences} result" in html
    assert "Try without Kind: Country experience</a> (1 result)" in html
    assert "Check the spelling" in html


def test_zero_result_page_without_filters_still_gives_advice(client, corpus):
    html = client.get("/search", query_string={"q": "zzyzx"}).data.decode()

    assert "No results for" in html
    assert "Use OR between words" in html
