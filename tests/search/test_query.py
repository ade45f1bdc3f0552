"""Searching: query parsing limits, literal treatment of query syntax, highlights, paging, analysis
and filters. Documents are indexed through the real change log and catch-up."""

from __future__ import annotations

import pytest

from hub.documents.models import Kind
from hub.errors import Invalid
from hub.search import indexing
from hub.search.query import MAX_QUERY_LENGTH, MAX_TERMS, SearchRequest, search
from tests import factories


def published(title: str, **kwargs) -> None:
    kwargs.setdefault("body", "Plain body words.")
    kwargs.setdefault("summary", "Short summary.")
    factories.document(title=title, **kwargs)


def titles(q: str, **filters: str) -> list[str]:
    return sorted(h.title for h in search(SearchRequest(q, filters=filters), viewer=None).hits)


def total(q: str) -> int:
    return search(SearchRequest(q), viewer=None).total


@pytest.fixture
def corpus(app):
    """A few published documents with distinct words."""
    published("Alphabet of innovation", body="Technology transfer policy for universities.")
    published("Abdication of duty", body="Transfer of technology between firms.")
    published("National roadmap", body="Solar clinics and wind farms.")
    published("Zebra crossings", body="Road safety in cities.")
    indexing.catch_up()
    return app


# --- phrases ---


def test_quoted_phrase_matches_words_in_that_order_only(corpus):
    assert titles('"technology transfer"') == ["Alphabet of innovation"]


def test_unquoted_words_match_in_any_order(corpus):
    assert titles("technology transfer") == ["Abdication of duty", "Alphabet of innovation"]


# --- limits ---


def test_query_longer_than_256_characters_is_invalid_with_a_clear_message(corpus):
    with pytest.raises(Invalid) as caught:
        search(SearchRequest("a" * (MAX_QUERY_LENGTH + 1)), viewer=None)

    assert "too long" in caught.value.message
    assert "256" in caught.value.message


def test_query_of_exactly_256_characters_is_accepted(corpus):
    q = "solar " + "x" * (MAX_QUERY_LENGTH - 6)

    results = search(SearchRequest(q), viewer=None)

    assert len(q) == MAX_QUERY_LENGTH and results.request.q == q


def test_query_with_more_than_32_words_is_invalid(corpus):
    words = " ".join(f"word{n}x" for n in range(MAX_TERMS + 1))

    with pytest.raises(Invalid) as caught:
        search(SearchRequest(words), viewer=None)

    assert "32" in caught.value.message


def test_query_of_nine_words_is_accepted(app):
    """Once a bug: the term limit counts one term per word *per searched field* (4 fields),
    so nine words already count as 36 "terms" and are refused ("use at most 32")."""
    words = "alpha bravo charlie delta echo foxtrot golf hotel india"
    published("Phonetic alphabet", body=f"The words {words}.")
    indexing.catch_up()

    assert titles(words) == ["Phonetic alphabet"]


def test_overlong_query_on_the_search_page_answers_400_with_the_message(client, corpus):
    response = client.get("/search", query_string={"q": "a" * 300})

    assert response.status_code == 400
    assert b"too long" in response.data


# --- query syntax is not interpreted ---


@pytest.mark.parametrize(
    "q",
    ["*", "a*", "abc~2", "r/regex/", 'r"road.*"', "title:foo", "[a TO z]", "{a TO z}",
     "roadmap^9", "*:*", "road?", "body:", ":", "^", "~", "AND", "OR NOT", "NOT solar"],
)  # fmt: skip
def test_query_syntax_does_not_raise(corpus, q):
    results = search(SearchRequest(q), viewer=None)

    assert (results.request.q, results.filters) == (q, {})  # answered as typed, no field read


@pytest.mark.parametrize(
    "q",
    ['"solar clinics', 'solar clinics"', '"', "solar (clinics", "solar clinics)", "((", ")(",
     "sol\x00ar", "\x00", "\x00\x00solar", "'solar"],
)  # fmt: skip
def test_unbalanced_quotes_parentheses_and_nul_bytes_do_not_raise(corpus, q):
    results = search(SearchRequest(q), viewer=None)

    # Answered as typed, except that a NUL byte separates words like a space.
    assert (results.request.q, results.filters) == (q.replace("\x00", " ").strip(), {})


def test_nul_byte_separates_words(corpus):
    assert titles("solar\x00clinics") == ["National roadmap"]


def test_unbalanced_quote_still_finds_the_words(corpus):
    assert titles('"solar clinics') == ["National roadmap"]


def test_lone_star_does_not_match_everything(corpus):
    assert total("*") == 0


def test_star_colon_star_does_not_match_everything(corpus):
    """Once a bug: the parser keeps Whoosh's EveryPlugin, so ``*:*`` is a match-all query."""
    assert total("*:*") == 0


def test_trailing_star_is_not_a_prefix_search(corpus):
    assert total("alph*") == 0


def test_question_mark_is_not_a_single_character_wildcard(corpus):
    assert total("zebr?") == 0


def test_tilde_is_not_a_fuzzy_search(corpus):
    assert total("zebro~2") == 0


@pytest.mark.parametrize("q", ["r/road.*/", 'r"road.*"'])
def test_regex_syntax_is_not_a_regex_search(corpus, q):
    assert total(q) == 0


@pytest.mark.parametrize("q", ["[a TO z]", "{a TO z}", "[abc TO abz]"])
def test_range_syntax_is_not_a_range_search(corpus, q):
    assert total(q) == 0


def test_title_prefix_restricts_a_word_to_titles(corpus):
    assert titles("title:zebra") == ["Zebra crossings"]
    assert titles("road") == ["Zebra crossings"]  # in its body
    assert titles("title:road") == []


def test_unknown_field_prefix_is_read_as_words_not_as_a_field_restriction(corpus):
    assert titles("labels:zebra") == titles("labels zebra") == ["Zebra crossings"]
    assert titles("id:zebra") == ["Zebra crossings"]


def test_boost_syntax_does_not_change_what_matches(corpus):
    assert titles("roadmap^9") == titles("roadmap") == ["National roadmap"]


# --- highlights ---


def test_snippet_marks_the_matched_word(app):
    published("Energy access", body="Clinics in rural areas need solar power all year.")
    indexing.catch_up()

    hit = search(SearchRequest("solar"), viewer=None).hits[0]

    assert ("solar", True) in hit.snippet.pieces
    assert [text for text, is_match in hit.snippet.pieces if is_match] == ["solar"]
    assert "Clinics in rural areas need solar power" in "".join(t for t, _ in hit.snippet.pieces)
    assert hit.snippet.source == "body"


def test_snippet_marks_the_word_as_written_when_stemmed(app):
    published("Energy access", body="Several national roadmaps were adopted.")
    indexing.catch_up()

    hit = search(SearchRequest("roadmap"), viewer=None).hits[0]

    assert [text for text, is_match in hit.snippet.pieces if is_match] == ["roadmaps"]


def test_raw_script_tag_in_a_body_never_reaches_the_snippet(app):
    published("Energy access", body="Solar <script>alert(1)</script> clinics.")
    indexing.catch_up()

    hit = search(SearchRequest("solar"), viewer=None).hits[0]

    assert "script" not in "".join(text for text, _ in hit.snippet.pieces)


def test_markup_written_as_text_in_a_body_comes_back_as_plain_text_pieces(app):
    published("Energy access", body="Solar `<script>alert(1)</script>` clinics.")
    indexing.catch_up()

    hit = search(SearchRequest("alert"), viewer=None).hits[0]

    assert all(type(text) is str for text, _ in hit.snippet.pieces)
    assert "<script>alert(1)</script>" in "".join(text for text, _ in hit.snippet.pieces)
    assert ("alert", True) in hit.snippet.pieces


def test_search_page_escapes_markup_from_a_document_body(app, client):
    published("Energy access", body="Solar `<script>alert(1)</script>` clinics.")
    indexing.catch_up()

    response = client.get("/search", query_string={"q": "alert"})

    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.data
    assert b"&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in response.data


def test_search_page_escapes_markup_in_the_query(client, corpus):
    response = client.get("/search", query_string={"q": "<script>alert(2)</script>"})

    assert response.status_code == 200
    assert b"<script>alert(2)" not in response.data


# --- pagination ---


@pytest.fixture
def twenty_five_briefs(app):
    for n in range(25):
        published(f"Irrigation brief {n:02d}")
    indexing.catch_up()
    return app


def test_third_page_of_25_results_at_10_per_page_has_5_hits(twenty_five_briefs):
    results = search(SearchRequest("irrigation", page=3, per_page=10), viewer=None)

    assert results.total == 25
    assert results.pages == 3
    assert len(results.hits) == 5


def test_pages_of_results_do_not_overlap(twenty_five_briefs):
    seen = [
        h.slug
        for page in (1, 2, 3)
        for h in search(SearchRequest("irrigation", page=page, per_page=10), viewer=None).hits
    ]

    assert len(seen) == len(set(seen)) == 25


def test_page_past_the_end_does_not_pass_off_the_last_page_as_that_page(twenty_five_briefs):
    """Once a bug: Whoosh clamps page 9 to page 3 and returns its hits, while the results still
    say page 9 - the page then reads "Page 9 of 3" with those five hits and a link to page 8."""
    results = search(SearchRequest("irrigation", page=9, per_page=10), viewer=None)

    assert results.hits == [] or results.request.page == results.pages


# --- analysis ---


def test_plural_query_finds_singular_word(corpus):
    assert titles("roadmaps") == ["National roadmap"]


def test_singular_query_finds_plural_word(app):
    published("Energy access", body="Several national roadmaps were adopted.")
    indexing.catch_up()

    assert titles("roadmap") == ["Energy access"]


def test_unaccented_query_finds_accented_word(app):
    published("Innovation café", body="Meet-ups for founders.")
    indexing.catch_up()

    assert titles("cafe") == ["Innovation café"]


def test_accented_query_finds_unaccented_word(app):
    published("Innovation cafe", body="Meet-ups for founders.")
    indexing.catch_up()

    assert titles("café") == ["Innovation cafe"]


def test_search_ignores_letter_case(corpus):
    assert titles("ZEBRA") == ["Zebra crossings"]


# --- filters ---


@pytest.fixture
def mixed_kinds(app):
    published("Drought brief Ghana", kind=Kind.POLICY_BRIEF, country_code="GHA")
    published("Drought brief Kenya", kind=Kind.POLICY_BRIEF, country_code="KEN")
    published("Drought experience Ghana", kind=Kind.COUNTRY_EXPERIENCE, country_code="GHA")
    published("Drought guidebook section", kind=Kind.GUIDEBOOK_SECTION)
    indexing.catch_up()
    return app


def test_results_can_be_filtered_by_kind(mixed_kinds):
    assert titles("drought", kind="policy_brief") == ["Drought brief Ghana", "Drought brief Kenya"]


def test_results_can_be_filtered_by_country(mixed_kinds):
    assert titles("drought", country="GHA") == ["Drought brief Ghana", "Drought experience Ghana"]


def test_kind_and_country_filters_combine(mixed_kinds):
    assert titles("drought", kind="policy_brief", country="GHA") == ["Drought brief Ghana"]


def test_filtered_total_counts_only_matching_documents(mixed_kinds):
    results = search(SearchRequest("drought", filters={"country": "KEN"}), viewer=None)

    assert results.total == 1


def test_filters_apply_to_the_listing_without_words(mixed_kinds):
    assert titles("", kind="country_experience") == ["Drought experience Ghana"]


def test_excluded_word_is_not_counted_in_the_total_or_the_facets(app):
    """Whoosh's own match set for ``a -b`` lets through documents that contain b (the bench
    counted 40 where 39 was right); totals and facets come from our match set, which must not."""
    published("Degeneracy at a point", body="Degeneracy and point sources.")
    published("Degeneracy alone", body="Degeneracy of states.")
    published("Point only", body="A point.")
    indexing.catch_up()

    results = search(SearchRequest("degeneracy -point"), viewer=None)

    assert [h.title for h in results.hits] == ["Degeneracy alone"]
    assert results.total == 1
    assert sum(results.facets["kind"].values()) == 1


@pytest.mark.parametrize(
    "q", ["solar", "solar wind", '"solar power"', "solar -wind", "grid OR wind"]
)
def test_small_match_sets_rank_exactly_as_the_full_collector_does(app, monkeypatch, q):
    """Up to SMALL_MATCH_SET matches are scored one by one; the order and scores must be those
    of Whoosh's collector, which ranks bigger sets."""
    from hub.search import query as query_module

    for n in range(30):
        words = " ".join(["solar"] * (n % 4 + 1) + ["wind"] * (n % 3) + ["grid"] * (n % 5 == 0))
        published(f"Doc {n}", body=f"{words} power for villages number {n}.")
    indexing.catch_up()

    small = [(h.slug, round(h.score, 6)) for h in search(SearchRequest(q), viewer=None).hits]
    monkeypatch.setattr(query_module, "SMALL_MATCH_SET", -1)
    full = [(h.slug, round(h.score, 6)) for h in search(SearchRequest(q), viewer=None).hits]

    assert small == full
    assert small
