"""T-09 Route x role matrix: every route in the URL map, called as each of five actors, answers
as the checked-in policy (tests/security/route_policy.yml and route_policy.d/*.yml) says.

A route without an entry fails (fail-closed). Each (endpoint, method, case) of the policy is a
test of its own, so a failure names the route; all of them share one world of actors and
documents per worker (built once: logging in five actors and making documents and attachments
is the slow part), which is safe because every call writes only to objects made for it.
The machinery is in route_matrix.py, the requests in route_cases_<area>.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from flask import Flask

from hub import create_app
from tests.conftest import PG_URL, _config, serving
from tests.mailserver import running_server
from tests.security.route_cases import CASES
from tests.security.route_matrix import (
    ACTORS,
    OUTCOMES,
    World,
    load_policy,
    run_call,
    url_map_routes,
    write_watch,
)

POLICY = load_policy()


def _case_id(key: tuple[str, str, str]) -> str:
    endpoint, method, name = key
    return f"{endpoint} {method}" + (f" [{name}]" if name else "")


@pytest.fixture(scope="module")
def matrix_app(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The conftest ``app`` for a whole module: a copy of the migrated database of its own."""
    tmp = tmp_path_factory.mktemp("route_matrix")
    if PG_URL:
        url = database_template
    else:
        shutil.copyfile(database_template, tmp / "hub.sqlite")
        url = f"sqlite:///{tmp / 'hub.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:  # as conftest's _no_dotenv, for this module's app
        for name in [n for n in os.environ if n.startswith("HUB_")]:
            if name != "HUB_TEST_DATABASE_URL":
                mp.delenv(name)
        app = create_app(_config(url, tmp))
    with serving(app):
        yield app


@pytest.fixture(scope="module")
def world(matrix_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_server() as smtp:
        smtp.configure(matrix_app)
        yield World(matrix_app, tmp_path_factory.mktemp("route_matrix_files"))


def test_every_route_has_a_policy_entry_and_every_entry_a_route(matrix_app):
    listed = {(endpoint, method) for endpoint, method, _ in POLICY}
    routes = url_map_routes(matrix_app)
    unlisted = sorted(routes - listed)
    assert not unlisted, (
        "routes with no entry in tests/security/route_policy.yml; say who may call them: "
        + ", ".join(f"{endpoint} {method}" for endpoint, method in unlisted)
    )
    stale = sorted(listed - routes)
    assert not stale, f"policy entries for routes the app no longer has: {stale}"
    assert set(POLICY) == set(CASES), (
        f"policy cases without a request in route_cases_*.py: {sorted(set(POLICY) - set(CASES))}; "
        f"requests without a policy case: {sorted(set(CASES) - set(POLICY))}"
    )


@pytest.mark.parametrize("key", sorted(POLICY), ids=_case_id)
def test_t09_route_answers_each_actor_as_the_policy_says(world, key):
    actors = POLICY[key]
    assert set(actors) == set(ACTORS), f"the policy must name all of {ACTORS}"
    assert set(actors.values()) <= set(OUTCOMES), f"outcomes are one of {OUTCOMES}"
    # Refusals first: an accepted upload starts text extraction in a thread, and its later
    # commit must not look like a write by a call that should have been refused.
    calls = sorted(actors.items(), key=lambda item: item[1] == "ok")
    mismatches = []
    with write_watch() as watch:
        for actor, want in calls:
            got = run_call(world, key[1], key, actor, watch)
            if got != want:
                mismatches.append(f"as {actor}: policy {want}, got {got}")
    assert not mismatches, f"{_case_id(key)}: " + "; ".join(mismatches)
