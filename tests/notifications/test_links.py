"""Links in notifications and e-mails, made in a request or outside one (cron, services).

Every area's mail links go through hub.notifications.links, so a Hub served under a path
(PUBLIC_URL https://host/hub) gets that path once, never twice and never not at all.
"""

from __future__ import annotations

import pytest

from hub.notifications.links import absolute, path_for


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://hub.example.org", "https://hub.example.org/reporting/"),
        ("https://hub.example.org/", "https://hub.example.org/reporting/"),
        ("https://un.example.org/hub", "https://un.example.org/hub/reporting/"),
    ],
)
def test_links_made_outside_a_request_carry_the_public_address_once(app, public_url, expected):
    app.config["PUBLIC_URL"] = public_url
    assert absolute(path_for("reporting.index")) == expected


def test_links_made_in_a_request_match_those_made_outside_one(app):
    app.config["PUBLIC_URL"] = "https://hub.example.org"
    outside = path_for("forum.show", thread_id=7)
    with app.test_request_context("/"):
        inside = path_for("forum.show", thread_id=7)
    assert inside == outside == "/discussions/7"
