"""Numbers from the URL and the query that no row can have answer 404 or 400, never a 500.

Each route with an ``<int:…>`` in its URL is called with ids past what the database's INTEGER
holds (2**31, PostgreSQL's limit; 2**63, SQLite's), by GET and POST as it allows, as an
administrator (who may reach every view) and anonymously. POSTs carry a valid CSRF token, so a
route that matched would run its view.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from hub.accounts.models import Role
from hub.http import DB_INT_MAX, form_int
from tests import factories
from tests.web import csrf_token, login

HUGE = (DB_INT_MAX + 1, 2**63, 10**30)
# Values for the URL parts that are not numbers, so that only the number decides.
OTHER_PARTS = {"path": "x.pdf", "any": "close", "default": "submit"}
_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_routes(app: Flask) -> list[tuple[str, str]]:
    """(URL template with {n} for every number, method) for every route that takes a number."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue

        def part(match: re.Match) -> str:
            kind = match.group(1) or "default"
            return "{n}" if kind == "int" else OTHER_PARTS.get(kind, "submit")

        template = _PART.sub(part, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((template, method))
    return found


def test_every_route_with_a_number_is_checked(app):
    routes = _int_routes(app)
    assert len(routes) >= 40, routes
    assert ("/sdgs/{n}", "GET") in routes and ("/attachments/{n}/x.pdf", "GET") in routes


@pytest.mark.parametrize("as_admin", [True, False], ids=["admin", "anonymous"])
def test_ids_no_row_can_have_answer_404_on_every_route(app, client, as_admin):
    if as_admin:
        login(client, factories.user(role=Role.ADMIN, country_code=None))
    token = csrf_token(client, "/login")
    wrong = []
    for template, method in _int_routes(app):
        for n in HUGE:
            url = template.format(n=n)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
            if response.status_code != 404:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []


def test_the_largest_id_the_database_holds_still_reaches_the_view(app, client):
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    assert client.get(f"/workspace/documents/{DB_INT_MAX}").status_code == 404  # the view's
    assert client.get("/sdgs/9").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/briefs/?page={n}",
        "/sdgs/9?page={n}",
        "/discussions/?page={n}",
        "/notifications/?page={n}",
        "/peer-learning/?sdg={n}",
        "/search?q=roadmap&page={n}",
    ],
)
def test_huge_numbers_in_the_query_answer_400_with_a_message(app, client, url):
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    for n in HUGE:
        response = client.get(url.format(n=n))
        assert response.status_code == 400, (url, n, response.status_code)
        assert b"must be" in response.data or b"between" in response.data


@pytest.mark.parametrize("raw", [str(DB_INT_MAX + 1), str(2**63), "-1", "1e3", "", None, "x"])
def test_a_posted_number_out_of_range_reads_as_none_we_issued(raw):
    assert form_int(raw) == -1


def test_a_posted_number_in_range_is_kept():
    assert form_int(str(DB_INT_MAX)) == DB_INT_MAX and form_int("0") == 0
