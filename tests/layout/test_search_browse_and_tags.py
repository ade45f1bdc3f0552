"""The search page without words (the latest items), SDG facet names, and tags as filters."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from hub.documents.models import Status, Visibility
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories


def published(title: str, **kwargs) -> None:
    kwargs.setdefault("body", "Plain body words.")
    kwargs.setdefault("summary", "Short summary.")
    factories.document(title=title, **kwargs)


def result_titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h3[^>]*><a href="[^"]*">([^<]*)</a></h3>', html)]


def test_empty_search_lists_the_latest_items_newest_first(client, app):
    published("Older brief", published_on=date(2023, 1, 1))
    published("Newer brief", published_on=date(2025, 1, 1))
    indexing.catch_up()

    html = client.get("/search").data.decode()

    assert "Latest in the Hub" in html
    assert result_titles(html) == ["Newer brief", "Older brief"]


def test_empty_search_shows_the_facets_to_browse(client, app):
    published("Water brief", goals=[6])
    indexing.catch_up()

    html = client.get("/search").data.decode()

    assert '<aside class="facets"' in html
    assert "SDG 6 · Clean water and sanitation" in html


def test_empty_search_keeps_members_only_and_draft_items_from_the_public(client, app):
    published("Public brief")
    published("Members brief", visibility=Visibility.MEMBERS)
    published("Draft brief", status=Status.DRAFT, published_on=None)
    indexing.catch_up()

    html = client.get("/search").data.decode()

    assert result_titles(html) == ["Public brief"]


def test_sdg_facet_names_the_goal(client, app):
    published("Hunger brief", body="Farming words.", goals=[2])
    indexing.catch_up()

    html = client.get("/search", query_string={"q": "farming"}).data.decode()

    assert re.search(r">SDG 2 · Zero hunger</a> <span class=\"count\">\(1\)</span>", html)


def test_tag_filter_finds_exactly_the_documents_with_that_tag(app):
    published("Tagged", tags=["Open data"])
    published("Mentions it", body="We like open data a lot.")
    indexing.catch_up()

    found = search(SearchRequest("", filters={"tag": ["open data"]}), viewer=None)

    assert [h.title for h in found.hits] == ["Tagged"]


def test_tag_typed_into_the_query_is_a_filter_too(app):
    published("Solar and tagged", body="Solar words.", tags=["Mini-grids"])
    published("Solar only", body="Solar words.")
    indexing.catch_up()

    found = search(SearchRequest('solar tag:"mini-grids"'), viewer=None)

    assert [h.title for h in found.hits] == ["Solar and tagged"]
    assert found.filters == {"tag": ["mini-grids"]}


def test_tags_are_not_listed_as_a_facet(app):
    published("Tagged", tags=["Open data"])
    indexing.catch_up()

    assert "tag" not in search(SearchRequest(""), viewer=None).facets


def test_a_documents_tag_links_to_a_search_that_finds_it(client, app):
    doc = factories.document(title="Tagged brief", tags=["Open data"])
    published("Untagged brief")
    indexing.catch_up()

    page = client.get(f"/briefs/{doc.slug}").data.decode()
    href = unescape(re.search(r'<ul class="inline tags"><li><a href="([^"]+)"', page).group(1))
    assert href == "/search?tag=Open+data"

    results = client.get(href).data.decode()
    assert result_titles(results) == ["Tagged brief"]
    assert "Tag: Open data" in results or "Tag: open data" in results
