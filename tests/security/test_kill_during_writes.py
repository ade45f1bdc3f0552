"""T-25 ``kill -9`` during writes, 2 short rounds (bench/crash_drill.py runs 20 x 1,000).

gunicorn with 4 workers and the host's index follower are SIGKILLed at a random moment while
focal points save drafts and attach PDFs and an editor publishes; then they start again. Every
acknowledged change must be in the database, the database must pass integrity_check, every
attachment's bytes must match the sha256 in its row, and the index must match the database
once the follower's start-up check has run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import crash_drill

ROUNDS = 2
REQUESTS = 50


@pytest.fixture
def instance(tmp_path: Path, sqlite_template: str) -> Iterator[crash_drill.Instance]:
    """On SQLite in both suites: the drill checks the database file itself after each kill."""
    hub = crash_drill.prepare(tmp_path, template=Path(sqlite_template))
    try:
        yield hub
    finally:
        hub.kill()


def test_no_acknowledged_write_is_lost_when_every_process_is_killed(
    instance: crash_drill.Instance,
) -> None:
    rng = random.Random(25)
    instance.start()
    browsers = crash_drill.logged_in_browsers(instance)
    results, acknowledged = [], 0
    for _ in range(ROUNDS):
        result, ledger = crash_drill.run_round(instance, browsers, REQUESTS, rng)
        results.append(result)
        acknowledged += len(ledger.created) + len(ledger.updated) + len(ledger.uploaded)
    print(crash_drill.summary(results))
    assert acknowledged > 0, "no write was acknowledged before the kills"
    assert [r.lost for r in results] == [[]] * ROUNDS
    assert [r.integrity for r in results] == ["ok"] * ROUNDS
    assert sum(r.checksum_failures for r in results) == 0
    assert [(r.index_missing, r.index_extra) for r in results] == [(0, 0)] * ROUNDS
