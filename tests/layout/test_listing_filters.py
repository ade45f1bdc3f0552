"""Filters and sort of the briefs and experiences listings (GET parameters, chips, pages)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.documents.models import Area, Kind, Visibility
from tests import factories
from tests.web import login


def titles(html: str) -> list[str]:
    """Card titles in page order."""
    return [unescape(t) for t in re.findall(r'<h2><a href="[^"]*">([^<]*)</a>', html)]


def chips(html: str) -> dict[str, dict[str, list[str]]]:
    found = re.search(r'<ul class="chips"[^>]*>(.*?)</ul>', html, re.S)
    if not found:
        return {}
    out = {}
    for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?) <span', found.group(1), re.S):
        out[unescape(text).strip()] = parse_qs(urlsplit(unescape(href)).query)
    return out


@pytest.fixture
def briefs(app):
    factories.document(
        title="Ghana solar 2024",
        country_code="GHA",
        goals=[7],
        areas=[Area.CAPABILITIES],
        published_on=date(2024, 5, 1),
    )
    factories.document(
        title="Kenya water 2025",
        country_code="KEN",
        goals=[6],
        areas=[Area.COLLABORATION],
        published_on=date(2025, 2, 1),
        language="fr",
    )
    factories.document(
        title="Avocado Ghana 2023",
        country_code="GHA",
        goals=[6],
        areas=[Area.COLLABORATION],
        published_on=date(2023, 9, 1),
    )
    factories.document(
        title="Members only Ghana",
        country_code="GHA",
        goals=[6],
        visibility=Visibility.MEMBERS,
        published_on=date(2025, 6, 1),
    )
    factories.document(title="An experience", kind=Kind.COUNTRY_EXPERIENCE, country_code="GHA")
    return app  # fmt: skip


def test_listing_filters_by_language(client, briefs):
    assert titles(client.get("/briefs/?language=fr").data.decode()) == ["Kenya water 2025"]


def test_listing_filters_by_year(client, briefs):
    assert titles(client.get("/briefs/?year=2024").data.decode()) == ["Ghana solar 2024"]


def test_listing_combines_country_sdg_and_area(client, briefs):
    html = client.get("/briefs/?country=GHA&sdg=6&area=collaboration").data.decode()
    assert titles(html) == ["Avocado Ghana 2023"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["Kenya water 2025", "Ghana solar 2024", "Avocado Ghana 2023"]),
        ("newest", ["Kenya water 2025", "Ghana solar 2024", "Avocado Ghana 2023"]),
        ("oldest", ["Avocado Ghana 2023", "Ghana solar 2024", "Kenya water 2025"]),
        ("title", ["Avocado Ghana 2023", "Ghana solar 2024", "Kenya water 2025"]),
    ],
)
def test_listing_sorts_by_newest_oldest_or_title(client, briefs, sort, expected):
    assert titles(client.get(f"/briefs/?sort={sort}").data.decode()) == expected


def test_listing_keeps_members_only_briefs_from_the_public(client, briefs):
    html = client.get("/briefs/?country=GHA&sdg=6").data.decode()
    assert "Members only Ghana" not in html


def test_listing_shows_members_only_briefs_to_a_member(client, briefs):
    login(client, factories.user())
    html = client.get("/briefs/?country=GHA&sdg=6").data.decode()
    assert "Members only Ghana" in titles(html)


def test_listing_offers_only_values_some_readable_brief_has(client, briefs):
    html = client.get("/briefs/").data.decode()
    years = re.search(r'<select id="f-year".*?</select>', html, re.S).group()
    assert re.findall(r'<option value="(\d+)"', years) == ["2025", "2024", "2023"]
    countries = re.search(r'<select id="f-country".*?</select>', html, re.S).group()
    assert re.findall(r'<option value="([A-Z]{3})"', countries) == ["GHA", "KEN"]


def test_each_active_filter_is_a_chip_that_removes_only_itself(client, briefs):
    html = client.get("/briefs/?country=GHA&sdg=6&sort=title").data.decode()
    found = chips(html)
    assert found["Country: Ghana"] == {"sdg": ["6"], "sort": ["title"]}
    assert found["SDG 6 · Clean water and sanitation"] == {"country": ["GHA"], "sort": ["title"]}


def test_no_chips_without_filters(client, briefs):
    assert chips(client.get("/briefs/?sort=oldest").data.decode()) == {}


@pytest.mark.parametrize(
    "query, message",
    [
        ("language=%3Cscript%3E", b"language code"),
        ("year=20x4", b"must be a whole number"),
        ("year=3000", b"must be between"),
        ("sort=random", b"Unknown value for"),
    ],
)
def test_bad_filter_values_give_400_with_a_message(client, briefs, query, message):
    response = client.get(f"/briefs/?{query}")
    assert response.status_code == 400
    assert message in response.data


def test_pagination_keeps_the_filters_and_the_sort(client, app):
    app.config["PER_PAGE"] = 2
    for i in range(5):
        factories.document(title=f"Brief {i}", language="fr", commit=False)
    factories.document(title="English brief", language="en")
    html = client.get("/briefs/?language=fr&sort=title").data.decode()
    assert titles(html) == ["Brief 0", "Brief 1"]
    next_href = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert parse_qs(urlsplit(next_href).query) == {
        "language": ["fr"], "sort": ["title"], "page": ["2"]
    }  # fmt: skip
    assert titles(client.get(next_href).data.decode()) == ["Brief 2", "Brief 3"]
