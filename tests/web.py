"""Driving the app as a browser would, with CSRF on: fetch the form, post with its token."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.factories import PASSWORD

TOKEN_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, url: str) -> str:
    html = client.get(url).data.decode()
    match = TOKEN_RE.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post(client: FlaskClient, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST like the page's own form: with the CSRF token taken from ``form_url`` (or ``url``)."""
    data = dict(data)
    data.setdefault("csrf_token", csrf_token(client, form_url or url))
    return client.post(url, data=data, **kwargs)


def login(client: FlaskClient, user, password: str = PASSWORD, *, remember: bool = False):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return post(client, "/login", data)
