"""A short soak (T-38): bench/soak.py's load, for 10 seconds with a few users, on real processes.

gunicorn, the index follower and the job worker run as in production, on the test's database and
index folder; simulated users search, view and (as logged-in focal points) edit their drafts.
No latency is asserted (the machine is shared): only that nothing failed, no process logged
"database is locked", and the index checks clean once the follower has caught up. The ten-minute,
50-user run with its latency and memory figures is `make soak`.
"""

from __future__ import annotations

from bench import soak
from tests import factories

USERS = 4
SECONDS = 10


def test_short_soak_answers_every_request_and_leaves_the_index_clean(app, database_url, tmp_path):
    for n in range(8):
        factories.document(title=f"Innovation roadmap for energy and water {n}")
    plan = soak.prepare(app, users=USERS, focal_points=2)
    env = soak.environment(database_url, tmp_path)

    result = soak.soak(env, tmp_path, plan, users=USERS, seconds=SECONDS, workers=2, think=0.5)

    print("\n".join(soak.report(result, warmup=5)))
    assert result.results.errors == []
    assert {"search", "view", "edit-open", "edit-save"} <= set(result.results.latencies)
    assert result.locked == 0
    assert result.index_clean, result.check_output
