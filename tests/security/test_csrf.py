"""T-13 CSRF enforced with the suite's CSRF switch on: nothing changes state without a valid token.

Every state-changing route in the URL map (POST, PUT, PATCH, DELETE) is sent the request that its
policy allows (tests/security/route_policy.yml), by an actor allowed to send it, three ways: with no
token, with a token of another session, and cross-origin (Origin and Referer of another site) with
the session cookie but no token. Each must answer 400 and leave the database as it was. The same
requests with the session's own token are then accepted (the control). Finally every GET route is
crawled as every actor: no GET may change the database.
"""

from __future__ import annotations

from tests.security.route_cases import CASES
from tests.security.route_matrix import (
    ACTORS,
    Actor,
    World,
    fingerprint,
    load_policy,
    outcome,
    url_map_routes,
    write_watch,
)

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
CROSS_SITE = {"Origin": "https://attacker.example", "Referer": "https://attacker.example/form"}


def test_t13_no_state_changes_without_a_valid_token_and_none_from_any_get(
    app, smtp_server, tmp_path
):
    smtp_server.configure(app)
    policy = load_policy()
    w = World(app, tmp_path)
    routes = sorted(r for r in url_map_routes(app) if r[1] in STATE_CHANGING)
    allowed = {}  # (endpoint, method) -> a case and an actor the policy lets through
    for key, actors in policy.items():
        for actor in ACTORS:
            if actors[actor] == "ok" and key[:2] in routes and key[:2] not in allowed:
                allowed[key[:2]] = (key, actor)
    untestable = [r for r in routes if r not in allowed]
    prepared = [(key, actor, CASES[key](w, actor)) for key, actor in allowed.values()]
    foreign_token = Actor(app, "anonymous").token()  # valid, but for another session
    forgeries = (("no token", None, {}), ("another session's token", foreign_token, {}),
                 ("cross-origin with cookies, no token", None, CROSS_SITE))  # fmt: skip

    # The crawl comes first: an accepted upload (a control below) extracts text in a thread
    # whose commit would otherwise look like a GET's write.
    crawl_changes, crawled = [], 0
    before_crawl = fingerprint()
    with write_watch() as watch:
        for key in (k for k in policy if k[1] == "GET"):
            for actor in ACTORS:
                watch.mark()
                w.actors[actor].send("GET", CASES[key](w, actor))
                crawled += 1
                if watch.changed():
                    crawl_changes.append(f"{key[0]} {key[2]} as {actor}")
    crawl_unchanged = fingerprint() == before_crawl

    accepted, sent = [], 0
    before = fingerprint()
    with write_watch() as watch:
        for key, actor, call in prepared:
            session = call.actor or w.actors[actor]
            for label, token, headers in forgeries:
                watch.mark()
                response = session.send(key[1], call, csrf=token, headers=headers)
                sent += 1
                wrote = watch.changed()
                if response.status_code != 400 or wrote:
                    where = f"{key[0]} {key[1]} as {actor}, {label}"
                    accepted.append(f"{where}: {response.status_code}, wrote: {wrote}")
    unchanged = fingerprint() == before

    refused_with_token = []
    for key, actor, call in prepared:
        got = outcome((call.actor or w.actors[actor]).send(key[1], call), call.effect, False)
        if got != "ok":
            refused_with_token.append(f"{key[0]} {key[1]} as {actor}: {got}")

    print(
        f"\nT-13: state-changing routes tested {len(prepared)}/{len(routes)}, accepted without "
        f"valid token {len(accepted)} (of {sent} forged requests: no token, another session's "
        f"token, cross-origin; DB hash unchanged: {'yes' if unchanged else 'NO'}), "
        f"GET crawl DB changes {len(crawl_changes)} ({crawled} GETs as {len(ACTORS)} actors)"
    )
    assert not untestable, f"no actor may send these, so CSRF cannot be tested: {untestable}"
    assert not refused_with_token, (
        f"the control requests must work with a token: {refused_with_token}"
    )
    assert not accepted and unchanged, "\n".join(accepted)
    assert not crawl_changes and crawl_unchanged, "\n".join(crawl_changes)
