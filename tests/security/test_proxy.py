"""The client's address behind a reverse proxy: per-address limits and the audit log.

Behind a proxy every request arrives from the proxy's address. The Hub believes the proxy's
``X-Forwarded-For`` only when a deployment says how many proxies are in front
(``HUB_PROXY_COUNT``, config ``PROXY_COUNT``), and then only that many entries from the right:
the entries further left are whatever the client wrote. With no proxy configured the header is
ignored, so nobody can choose their address to dodge a limit or forge the audit log's IP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from hub import create_app
from hub.accounts.models import Role
from hub.accounts.service import IP_LIMIT
from hub.applications import antispam
from hub.config import UnsafeConfiguration
from tests import factories
from tests.applications.conftest import form_data
from tests.conftest import _config, serving
from tests.web import post

PROXY = "10.0.0.1"  # the reverse proxy: every request reaches the Hub from here
WRONG = "not the password at all 0000"


@pytest.fixture
def proxied_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The Hub told that one reverse proxy stands in front of it."""
    with serving(create_app({**_config(database_url, tmp_path), "PROXY_COUNT": 1})) as app:
        yield app


def _post(app: Flask, url: str, data: dict, forwarded_for: str | None = None):
    """A POST from a browser of its own, through the proxy (which appends what it saw)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return post(client, url, data, headers=headers)


def _failed_logins(app: Flask, addresses: list[str]) -> list[int]:
    """One wrong-password login for a made-up account from each client address."""
    return [
        _post(
            app, "/login", {"email": f"made-up-{n}@example.org", "password": WRONG}, ip
        ).status_code
        for n, ip in enumerate(addresses)
    ]


def _clients(n: int, prefix: str = "198.51.100") -> list[str]:
    return [f"{prefix}.{i + 1}" for i in range(n)]


def test_behind_a_configured_proxy_failed_logins_of_others_do_not_block_the_admin(proxied_app):
    admin = factories.user(role=Role.ADMIN, country_code=None)
    statuses = _failed_logins(proxied_app, _clients(IP_LIMIT + 1))

    response = _post(
        proxied_app, "/login", {"email": admin.email, "password": factories.PASSWORD}, "192.0.2.50"
    )

    print(
        f"\nproxy: {IP_LIMIT + 1} failed logins from {IP_LIMIT + 1} clients behind one proxy: "
        f"{statuses.count(429)} refused with 429; the admin's right password from another "
        f"client -> {response.status_code}"
    )
    assert statuses == [401] * (IP_LIMIT + 1)
    assert response.status_code == 302


def test_behind_a_configured_proxy_each_client_has_its_own_address_limit(proxied_app):
    blocked = _failed_logins(proxied_app, ["198.51.100.7"] * (IP_LIMIT + 1))
    other = _failed_logins(proxied_app, ["198.51.100.8"])

    assert blocked[-1] == 429
    assert other == [401]


def test_behind_a_configured_proxy_a_forged_forwarded_entry_does_not_choose_the_address(
    proxied_app,
):
    # The client writes its own X-Forwarded-For; the proxy appends the address it saw.
    forged = [f"203.0.113.{i + 1}, 198.51.100.7" for i in range(IP_LIMIT + 1)]

    statuses = _failed_logins(proxied_app, forged)

    assert statuses[-1] == 429  # all counted for 198.51.100.7, whatever came first


def test_behind_a_configured_proxy_the_audit_log_records_the_client_address(proxied_app):
    _failed_logins(proxied_app, ["203.0.113.66, 198.51.100.7"])

    lines = Path(proxied_app.config["AUDIT_LOG"]).read_text().splitlines()
    assert json.loads(lines[-1])["ip"] == "198.51.100.7"


def test_behind_a_configured_proxy_the_application_limit_is_per_client(proxied_app):
    countries = ("MWI", "FJI", "NPL", "BOL", "TUV", "HTI")
    url = "/applications/apply"
    statuses = [
        _post(proxied_app, url, form_data(country), ip).status_code
        for country, ip in zip(countries, _clients(len(countries)), strict=True)
    ]

    print(
        f"\nproxy: {len(countries)} expressions of interest from {len(countries)} clients "
        f"behind one proxy (limit {antispam.RATE_LIMIT} a day per address): statuses {statuses}"
    )
    assert statuses == [303] * len(countries)


def test_without_a_configured_proxy_forwarded_for_is_ignored_by_the_limits(app):
    statuses = _failed_logins(app, _clients(IP_LIMIT + 1))

    assert statuses == [401] * IP_LIMIT + [429]  # all from the one real peer address


def test_without_a_configured_proxy_forwarded_for_does_not_reach_the_audit_log(app):
    _failed_logins(app, ["198.51.100.7"])

    lines = Path(app.config["AUDIT_LOG"]).read_text().splitlines()
    assert json.loads(lines[-1])["ip"] == PROXY


def test_the_default_trusts_no_proxy(app):
    assert app.config["PROXY_COUNT"] == 0


def test_proxy_count_comes_from_the_environment(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("HUB_PROXY_COUNT", "2")

    app = create_app(_config(database_url, tmp_path))

    assert app.config["PROXY_COUNT"] == 2


def test_a_negative_proxy_count_is_refused(database_url, tmp_path):
    with pytest.raises(UnsafeConfiguration, match="PROXY_COUNT"):
        create_app({**_config(database_url, tmp_path), "PROXY_COUNT": -1})
