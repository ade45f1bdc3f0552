"""Requests for the footer's pages and the account confirmation pages (policy in
route_policy.d/chrome.yml). The confirmation pages are GETs that change nothing, so they show an
account the world already has (Serbia's focal point: never the admin actor's own)."""

from __future__ import annotations

from tests.security.test_route_matrix import Call, case

for _endpoint, _url in (
    ("pages.contact", "/contact"),
    ("pages.privacy", "/privacy"),
    ("pages.accessibility", "/accessibility"),
    ("pages.api", "/search-api"),
):
    case(_endpoint, "GET")(lambda w, actor, url=_url: Call(url))

