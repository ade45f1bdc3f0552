"""Requests for the footer's pages and the account confirmation pages (policy in
route_policy.d/chrome.yml). The confirmation pages are GETs that change nothing, so they show an
account the world already has (Serbia's focal point: never the admin actor's own)."""

from __future__ import annotations

from tests.security.route_matrix import Call, World, case

for _endpoint, _url in (
    ("pages.contact", "/contact"),
    ("pages.privacy", "/privacy"),
    ("pages.accessibility", "/accessibility"),
    ("pages.api", "/search-api"),
):
    case(_endpoint, "GET")(lambda w, actor, url=_url: Call(url))


@case("accounts.role_page", "GET")
def _role_page(w: World, actor: str) -> Call:
    return Call(f"/admin/users/{w.user_ids['focal_srb']}/role")


@case("accounts.disable_page", "GET")
def _disable_page(w: World, actor: str) -> Call:
    return Call(f"/admin/users/{w.user_ids['focal_srb']}/disable")
