"""Password-reset mails are limited per target address and per client address.

Anyone may ask for a reset link for any address, so without a limit the form mails a member as
often as a stranger likes. The answer is the same page whether the address has an account, got
its mail or was refused by a limit: nothing tells a stranger which addresses are members.
Mail goes through the local SMTP server (tests/mailserver.py); jobs run at once under TESTING.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from hub import ratelimit
from hub.accounts import service
from hub.accounts.models import Role
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.ratelimit import RateLimitHit
from tests import factories
from tests.web import post

URL = "/account/reset"
REQUESTS = 25
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def _ask(app, email: str, ip: str):
    """One reset request from a browser of its own at ``ip``; the redirect and the page it
    leads to (with the flashed answer), as an observer compares them."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    response = post(client, URL, {"email": email})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.headers["Location"], CSRF_VALUE.sub(r"\1T\2", page)


def _member(email: str):
    return factories.user(role=Role.EDITOR, country_code=None, email=email)


def test_many_requests_for_one_address_send_only_the_allowed_number_of_mails(app, mail):
    person = _member("often@example.org")

    for i in range(REQUESTS):
        _ask(app, person.email, f"198.51.100.{i + 1}")  # a different client each time

    print(
        f"\nreset: {REQUESTS} anonymous requests for one address from {REQUESTS} clients: "
        f"{len(mail.messages)} mails sent (limit {service.RESET_MAILS_PER_ADDRESS} per "
        f"{service.reset_limit_to_address().window})"
    )
    assert len(mail.messages) == service.RESET_MAILS_PER_ADDRESS


def test_many_requests_from_one_client_send_only_the_allowed_number_of_mails(app, mail):
    people = [_member(f"person{i}@example.org") for i in range(REQUESTS)]

    for person in people:
        _ask(app, person.email, "198.51.100.7")

    print(
        f"\nreset: {REQUESTS} requests from one client for {REQUESTS} members: "
        f"{len(mail.messages)} mails sent (limit {service.RESET_REQUESTS_PER_CLIENT} per client)"
    )
    assert len(mail.messages) == service.RESET_REQUESTS_PER_CLIENT


def test_a_refused_request_looks_exactly_like_a_sent_one_and_an_unknown_address(app, mail):
    person = _member("member@example.org")
    sent = _ask(app, person.email, "198.51.100.1")
    for i in range(service.RESET_MAILS_PER_ADDRESS):
        _ask(app, person.email, f"198.51.100.{i + 2}")
    refused = _ask(app, person.email, "198.51.100.90")
    unknown = _ask(app, "nobody-here@example.org", "198.51.100.91")

    assert len(mail.messages) == service.RESET_MAILS_PER_ADDRESS
    assert sent == refused == unknown


def test_a_client_over_its_limit_gets_the_same_answer(app, mail):
    answers = [
        _ask(app, f"someone{i}@example.org", "198.51.100.7")
        for i in range(service.RESET_REQUESTS_PER_CLIENT + 2)
    ]

    assert len(set(answers)) == 1


def test_another_address_gets_its_mail_while_one_is_limited(app, mail):
    busy = _member("busy@example.org")
    calm = _member("calm@example.org")
    for i in range(service.RESET_MAILS_PER_ADDRESS + 2):
        _ask(app, busy.email, f"198.51.100.{i + 1}")

    _ask(app, calm.email, "198.51.100.50")

    assert mail.messages[-1]["To"] == calm.email


def test_refused_requests_do_not_stretch_the_wait_for_the_address(app, mail):
    """Only mails that went out count for the address: someone who keeps asking for a member's
    address cannot keep the member from getting a link once the window has passed."""
    person = _member("patient@example.org")
    for i in range(service.RESET_MAILS_PER_ADDRESS + 5):
        _ask(app, person.email, f"198.51.100.{i + 1}")

    limit = service.reset_limit_to_address()
    assert ratelimit.count(limit, ratelimit.key_of(person.email)) == limit.allowed


def test_the_address_gets_a_mail_again_once_its_window_has_passed(app, mail):
    person = _member("later@example.org")
    for i in range(service.RESET_MAILS_PER_ADDRESS + 1):
        _ask(app, person.email, f"198.51.100.{i + 1}")
    limit = service.reset_limit_to_address()
    db.session.execute(
        update(RateLimitHit)
        .where(RateLimitHit.scope == limit.scope)
        .values(created_at=utcnow() - limit.window)
    )
    db.session.commit()

    _ask(app, person.email, "198.51.100.60")

    assert len(mail.messages) == service.RESET_MAILS_PER_ADDRESS + 1


def test_the_address_limit_counts_every_spelling_of_the_address(app, mail):
    _member("case@example.org")
    spellings = ["case@example.org", "CASE@example.org", "Case@Example.org", "cAse@example.org"]
    for i, spelling in enumerate(spellings * 2):
        _ask(app, spelling, f"198.51.100.{i + 1}")

    assert len(mail.messages) == service.RESET_MAILS_PER_ADDRESS


def test_the_window_is_the_links_lifetime(app):
    """A refused person already has a link sent within the window; it still works."""
    assert service.reset_limit_to_address().window.total_seconds() == (
        app.config["RESET_MAX_AGE_MINUTES"] * 60
    )


def test_a_limited_request_is_in_the_audit_log(app, mail):
    person = _member("logged@example.org")
    for i in range(service.RESET_MAILS_PER_ADDRESS + 1):
        _ask(app, person.email, f"198.51.100.{i + 1}")

    last = json.loads(Path(app.config["AUDIT_LOG"]).read_text().splitlines()[-1])
    assert (last["action"], last["outcome"], last["ip"]) == (
        "password_reset_request",
        "limited",
        f"198.51.100.{service.RESET_MAILS_PER_ADDRESS + 1}",
    )
