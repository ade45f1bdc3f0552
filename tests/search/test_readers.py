"""Web workers read the index while another process writes it: a rebuild that swaps and prunes
generations, or a host's follower whose commits merge segments and delete their files. A reader
must never fail, nor harm the index, whichever moment it opens it at."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from hub.search import indexing
from tests import factories

# A web worker's reading path (the store's searcher), in a process of its own, until told to stop.
READER_PROCESS = """
import json, sys
from pathlib import Path
from hub.search.store import IndexStore

store, stop, ready = IndexStore(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
opened, errors = 0, set()
while not stop.exists():
    try:
        with store.searcher() as searcher:  # the reading path the app's search uses
            searcher.doc_count()
            searcher.document(id="1")
        opened += 1
        if opened == 1:
            ready.touch()
    except Exception as exc:
        errors.add(type(exc).__name__)
print(json.dumps({"opened": opened, "errors": sorted(errors)}))
"""
PROJECT_DIR = Path(__file__).resolve().parents[2]


def published(title: str) -> None:
    factories.document(title=title, body="Plain body words.", summary="Short summary.")


def index_doc_count() -> int:
    with indexing.get_store().open().searcher() as searcher:
        return searcher.doc_count()


def with_readers(app: Flask, tmp_path: Path, write: Callable[[], None]) -> list[dict]:
    """Run ``write`` while three reader processes open the index over and over; their outcomes."""
    stop = tmp_path / "stop-readers"
    ready = [tmp_path / f"reader-{n}-ready" for n in range(3)]
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER_PROCESS,
                app.config["SEARCH_INDEX_DIR"],
                str(stop),
                str(r),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_DIR,
        )  # fmt: skip
        for r in ready
    ]
    try:
        # Writing starts once every reader has opened the index: on a loaded machine starting
        # three interpreters can take longer than the writes.
        deadline = time.monotonic() + 60
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.05)
        write()
    finally:
        stop.touch()
        outcomes = []
        for reader in readers:
            try:
                outcomes.append(json.loads(reader.communicate(timeout=30)[0]))
            except subprocess.TimeoutExpired:
                reader.kill()
                outcomes.append({"opened": 0, "errors": ["did not stop"]})
    return outcomes


def test_readers_racing_with_rebuilds_never_break_the_index(app, tmp_path):
    """Web workers opening the index while ``flask hub reindex`` runs must not harm it.

    Once a bug: ``IndexStore.open()`` read CURRENT, then checked that folder with ``exists_in``.
    When a rebuild swapped and pruned in between, the reader decided there was no index: it
    created an empty generation, pointed CURRENT at it and pruned every other folder. Seen as a
    live index with 0 documents, rebuild() raising FileNotFoundError, and readers raising
    EmptyIndexError while opening segments of a pruned generation.
    """
    for n in range(3):
        published(f"Solar clinics {n}")
    indexing.catch_up()
    counts: list[int] = []

    def rebuild_thirty_times() -> None:
        for _ in range(30):
            indexing.rebuild()
            counts.append(index_doc_count())
            if counts[-1] != 3:
                break

    outcomes = with_readers(app, tmp_path, rebuild_thirty_times)
    assert set(counts) == {3}
    assert all(outcome["opened"] > 0 for outcome in outcomes), outcomes
    assert [outcome["errors"] for outcome in outcomes] == [[], [], []], outcomes


def test_readers_racing_with_catch_ups_that_merge_segments_never_fail(app, tmp_path):
    """A host's follower commits each change as a new segment, and Whoosh merges small segments
    on commit, deleting their files. A reader that read the old table of contents then finds a
    segment's files gone (FileNotFoundError, or a column read as None: TypeError); once seen on
    two hosts under load. The store's reader opens again when the index moved on."""
    published("Solar clinics 0")
    indexing.catch_up()

    def publish_and_catch_up() -> None:
        for n in range(1, 41):
            published(f"Solar clinics {n}")
            indexing.catch_up()

    outcomes = with_readers(app, tmp_path, publish_and_catch_up)
    assert index_doc_count() == 41
    assert all(outcome["opened"] > 0 for outcome in outcomes), outcomes
    assert [outcome["errors"] for outcome in outcomes] == [[], [], []], outcomes
