"""T-32 production configuration guard, and error pages that give nothing away.

``create_app`` with ``HUB_ENV=production`` must refuse to start with each unsafe setting. Settings
come from the environment where the Hub reads one (``HUB_*``, and ``FLASK_DEBUG``, which Flask
turns into ``DEBUG``); the others only exist as config overrides.

Two items of the catalogue cannot be misconfigured here, and the tests show why:
- SQLite ``synchronous``: hub/database.py sets ``PRAGMA synchronous=FULL`` on every pooled
  connection and no setting changes it, so the test checks connections report FULL (2).
- A ``memory://`` rate limiter: the Hub has none; login failures are counted in the database
  (hub/accounts/service.py), shared by every worker.
- ``MAX_CONTENT_LENGTH`` unset: ``config.load`` always derives it from ``HUB_MAX_UPLOAD_MB``
  (default 25), so it is "unset" only as an explicit ``None`` override or ``HUB_MAX_UPLOAD_MB=0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from sqlalchemy import text

from hub import create_app
from hub.config import UnsafeConfiguration
from hub.extensions import db

GOOD_KEY = "production-secret-key-of-at-least-32-bytes-0123"


@pytest.fixture
def production_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> Iterator[Callable[..., Flask]]:
    """A correct production environment; the returned factory builds apps from it."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    for name, value in {
        "HUB_ENV": "production",
        "HUB_SECRET_KEY": GOOD_KEY,
        "HUB_DATABASE_URL": database_url,
        "HUB_INDEX_DIR": str(tmp_path / "index"),
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_CHECK_INDEX_ON_START": "false",
    }.items():
        monkeypatch.setenv(name, value)
    made: list[Flask] = []

    def make(overrides: dict | None = None) -> Flask:
        app = create_app(overrides)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _env(name: str, value: str | None) -> Callable[[pytest.MonkeyPatch], None]:
    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    return apply


# name -> (environment change, config overrides)
MISCONFIGURATIONS: dict[str, tuple[Callable[[pytest.MonkeyPatch], None] | None, dict]] = {
    "DEBUG on (FLASK_DEBUG=1)": (_env("FLASK_DEBUG", "1"), {}),
    "DEBUG on (override)": (None, {"DEBUG": True}),
    "SECRET_KEY missing": (_env("HUB_SECRET_KEY", None), {}),
    "SECRET_KEY 31 bytes": (_env("HUB_SECRET_KEY", "k" * 31), {}),
    "SESSION_COOKIE_SECURE off": (None, {"SESSION_COOKIE_SECURE": False}),
    "REMEMBER_COOKIE_SECURE off": (None, {"REMEMBER_COOKIE_SECURE": False}),
    "MAX_CONTENT_LENGTH unset (None)": (None, {"MAX_CONTENT_LENGTH": None}),
    "MAX_CONTENT_LENGTH 0 (HUB_MAX_UPLOAD_MB=0)": (_env("HUB_MAX_UPLOAD_MB", "0"), {}),
    "TESTING on": (None, {"TESTING": True}),
}


def test_production_refuses_to_start_with_each_unsafe_setting(
    production_env: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
):
    app = production_env()  # the correct configuration starts: the guard is not refusing all
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pragmas = {
                name: db.session.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("synchronous", "journal_mode")
            }
            durable = {"synchronous": 2, "journal_mode": "wal"}
        else:  # PostgreSQL: the durability switch is synchronous_commit
            pragmas = {
                "synchronous": db.session.execute(text("SHOW synchronous_commit")).scalar(),
                "journal_mode": "wal (PostgreSQL)",
            }
            durable = {"synchronous": "on", "journal_mode": "wal (PostgreSQL)"}
    assert not app.debug and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"

    refused, started = [], []
    for name, (change_env, overrides) in MISCONFIGURATIONS.items():
        with monkeypatch.context() as patch:
            if change_env:
                change_env(patch)
            try:
                production_env(overrides)
            except UnsafeConfiguration:
                refused.append(name)
            else:
                started.append(name)
    print(
        f"T-32: refused {len(refused)}/{len(MISCONFIGURATIONS)} ({'; '.join(refused)}); "
        f"started anyway: {started or 'none'}; database synchronous = {pragmas['synchronous']} "
        f"(2 = FULL, forced on every connection, not configurable), journal_mode = "
        f"{pragmas['journal_mode']}; memory:// limiter: none (login limits live in the database)"
    )
    assert started == []
    assert pragmas == durable


def test_a_misspelt_production_setting_does_not_switch_the_guard_off(
    production_env: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
):
    """``HUB_ENV`` is compared with "production" exactly: "Production" or "prod" leave the
    development defaults (and no guard) in place while the operator believes otherwise."""
    outcomes = {}
    for spelling in ("Production", "production ", "prod"):
        monkeypatch.setenv("HUB_ENV", spelling)
        try:
            app = production_env({"DEBUG": True})
        except (UnsafeConfiguration, ValueError) as exc:
            outcomes[spelling] = f"refused ({type(exc).__name__})"
        else:
            outcomes[spelling] = f"started with DEBUG={app.debug}"
    print(f"T-32: HUB_ENV misspelt with DEBUG on -> {outcomes}")
    assert all(o.startswith("refused") for o in outcomes.values()), outcomes


# --- 500 pages ---------------------------------------------------------------------------------

LEAKS = re.compile(r"Traceback|File \"|/work/|/usr/|site-packages|\.py\b|SELECT|no_such_table")


def _failing_routes(app: Flask) -> list[str]:
    def runtime_error() -> str:
        raise RuntimeError(f"secret detail in {__file__}")

    def database_error() -> str:
        db.session.execute(text("SELECT secret FROM no_such_table"))
        return ""

    def key_error() -> str:
        return {}["secret-key-name"]

    def template_error() -> str:
        return render_template_string("{{ undefined_thing.attribute.deeper }}")

    def missing_template() -> str:
        from flask import render_template

        return render_template("no/such/template.html")

    routes = [runtime_error, database_error, key_error, template_error, missing_template]
    for view in routes:
        app.add_url_rule(f"/t32/{view.__name__}", f"t32_{view.__name__}", view)
    return [f"/t32/{view.__name__}" for view in routes]


def test_error_pages_show_no_traceback_or_file_path(
    production_env: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
):
    apps = {"production": production_env()}
    monkeypatch.setenv("HUB_ENV", "development")
    apps["development"] = production_env()
    pages, leaking = 0, []
    for env, app in apps.items():
        client = app.test_client()
        for url in _failing_routes(app):
            response = client.get(url)
            body = response.get_data(as_text=True)
            pages += 1
            assert response.status_code == 500, (env, url, response.status_code)
            found = LEAKS.findall(body) + (["secret"] if "secret" in body else [])
            if found:
                leaking.append(f"{env} {url}: {sorted(set(found))}")
    print(
        f"T-32: 500 pages containing a traceback, file path, SQL or exception detail = "
        f"{len(leaking)}/{pages} {leaking}"
    )
    assert leaking == []
