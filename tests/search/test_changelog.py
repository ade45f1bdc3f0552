"""Several index hosts on one database: each applies the change log from its own position.

Host A is the test's app; host B is a second app on the same database with an index folder of
its own. Both follow the log only when told (``INDEX_FOLLOW = "thread"`` with no follower
running), so each test decides who catches up when. See docs/deployment.md.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from hub import create_app
from hub.dbtypes import utcnow
from hub.documents.models import Document
from hub.extensions import db
from hub.search import changelog, indexing
from hub.search.follower import prune_log
from hub.search.models import IndexChange, IndexHost
from tests import factories

PG_URL = os.environ.get("HUB_TEST_DATABASE_URL")


@pytest.fixture
def host_a(app: Flask) -> Flask:
    app.config.update(INDEX_FOLLOW="thread", INDEX_HOST_NAME="a", INDEX_HEARTBEAT_SECONDS=0)
    indexing.catch_up()  # joins the log: an empty index at the head
    return app


@pytest.fixture
def host_b(host_a: Flask, tmp_path) -> Flask:
    config = dict(host_a.config, SEARCH_INDEX_DIR=str(tmp_path / "index-b"), INDEX_HOST_NAME="b")
    other = create_app(config)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def on(host: Flask, call, *args, **kwargs):
    """Run ``call`` as ``host`` (its config, its index folder, its own session)."""
    with host.app_context():
        try:
            return call(*args, **kwargs)
        finally:
            db.session.remove()


def indexed_titles(host: Flask) -> list[str]:
    def read() -> list[str]:
        with indexing.get_store().searcher() as searcher:
            return sorted(fields["title"] for fields in searcher.all_stored_fields())

    return on(host, read)


def position(host: Flask) -> changelog.Position:
    return on(host, indexing.current_position)


def host_row(name: str) -> IndexHost:
    db.session.expire_all()
    return db.session.get(IndexHost, name)


def head() -> int:
    return db.session.scalar(select(func.max(IndexChange.id))) or 0


def publish(title: str) -> Document:
    return factories.document(title=title, body="Body words.", summary="Short summary.")


# --- one host, its own position ---


def test_catch_up_applies_only_the_changes_above_this_hosts_position(host_a):
    publish("Solar clinics")
    publish("Wind clinics")

    applied = indexing.catch_up()

    assert applied == 2
    assert indexing.catch_up() == 0
    assert position(host_a).applied == head()
    assert indexed_titles(host_a) == ["Solar clinics", "Wind clinics"]


def test_position_is_stored_with_the_index_generation_and_in_the_host_table(host_a):
    publish("Solar clinics")

    indexing.catch_up()

    generation = indexing.get_store().root / indexing.get_store().current_name()
    assert changelog.read_position(generation).applied == head()
    assert host_row("a").position == head()


def test_index_restored_with_an_older_position_replays_to_the_same_entries(host_a):
    publish("Solar clinics")
    indexing.catch_up()
    store = indexing.get_store()
    generation = store.root / store.current_name()
    entries = indexed_titles(host_a)
    changelog.write_position(generation, changelog.Position(applied=0))

    indexing.catch_up()

    assert indexed_titles(host_a) == entries == ["Solar clinics"]
    assert position(host_a).applied == head()


# --- two hosts on one database ---


def test_two_index_folders_on_one_database_apply_the_same_log_independently(host_a, host_b):
    on(host_b, indexing.catch_up)
    publish("Solar clinics")

    indexing.catch_up()

    assert indexed_titles(host_a) == ["Solar clinics"]
    assert indexed_titles(host_b) == []
    on(host_b, indexing.catch_up)
    assert indexed_titles(host_b) == ["Solar clinics"]
    assert position(host_a).applied == position(host_b).applied == head()


def test_a_host_that_was_down_catches_up_from_the_log(host_a, host_b):
    on(host_b, indexing.catch_up)
    for title in ("Solar clinics", "Wind clinics", "Tidal clinics"):
        publish(title)
        indexing.catch_up()

    applied = on(host_b, indexing.catch_up)

    assert applied == 3
    assert indexed_titles(host_b) == ["Solar clinics", "Tidal clinics", "Wind clinics"]
    assert host_row("b").last_rebuild_reason.startswith("new host")  # its first join only


def test_new_host_builds_from_the_database_and_records_why(host_a, host_b):
    publish("Solar clinics")
    indexing.catch_up()

    on(host_b, indexing.catch_up)

    assert indexed_titles(host_b) == ["Solar clinics"]
    assert position(host_b).applied == head()
    assert "new host" in host_row("b").last_rebuild_reason


def test_new_host_reapplies_changes_made_while_it_was_building(host_a, host_b):
    """The join position is read before the build: a change committed during the build, after
    the build read that document, is applied once the new index is in place."""
    doc_id = publish("Solar clinics").id
    publish("Wind clinics")

    def rename_during_build(done: int, total: int) -> None:
        if done == total:
            with Session(db.engine) as other:
                other.get(Document, doc_id).title = "Geothermal clinics"
                other.commit()

    on(host_b, indexing.rebuild, progress=rename_during_build)

    assert indexed_titles(host_b) == ["Geothermal clinics", "Wind clinics"]


# --- pruning ---


def test_prune_keeps_what_the_slowest_live_host_still_needs(host_a, host_b):
    on(host_b, indexing.catch_up)
    publish("Solar clinics")
    indexing.catch_up()
    on(host_b, indexing.catch_up)
    b_position = position(host_b).applied
    publish("Wind clinics")
    indexing.catch_up()  # A is ahead, B is not

    removed = prune_log()

    assert removed >= 1
    assert db.session.scalar(select(func.min(IndexChange.id))) == b_position + 1
    assert on(host_b, indexing.catch_up) == 1
    assert indexed_titles(host_b) == ["Solar clinics", "Wind clinics"]


def test_host_not_seen_within_the_live_window_no_longer_holds_back_pruning(host_a, host_b):
    on(host_b, indexing.catch_up)
    publish("Solar clinics")
    indexing.catch_up()
    long_ago = utcnow() - timedelta(seconds=host_a.config["INDEX_HOST_LIVE_SECONDS"] + 60)
    db.session.execute(update(IndexHost).where(IndexHost.name == "b").values(last_seen_at=long_ago))
    db.session.commit()

    prune_log()

    assert db.session.scalar(select(func.count(IndexChange.id))) == 0
    assert changelog.pruned_through(db.session) == position(host_a).applied


def test_host_below_the_pruned_horizon_rebuilds_and_logs_the_range_it_needed(
    host_a, host_b, caplog
):
    on(host_b, indexing.catch_up)
    b_floor = position(host_b).floor
    publish("Solar clinics")
    indexing.catch_up()
    db.session.execute(
        update(IndexHost)
        .where(IndexHost.name == "b")
        .values(last_seen_at=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    prune_log()
    horizon = changelog.pruned_through(db.session)

    with caplog.at_level(logging.WARNING, logger="hub.search.indexing"):
        on(host_b, indexing.catch_up)

    assert indexed_titles(host_b) == ["Solar clinics"]
    message = f"needs changes from id {b_floor + 1}, but the log was pruned through {horizon}"
    assert any(message in record.getMessage() and "rebuilding" in record.getMessage()
               for record in caplog.records)  # fmt: skip
    assert host_row("b").last_rebuild_reason == message


def test_prune_with_no_live_host_removes_nothing(host_a):
    publish("Solar clinics")
    indexing.catch_up()
    db.session.execute(update(IndexHost).values(last_seen_at=utcnow() - timedelta(days=1)))
    db.session.commit()

    assert prune_log() == 0
    assert db.session.scalar(select(func.count(IndexChange.id))) >= 1


# --- ids that commit out of order ---


def _hide_rows(document_id: int) -> list[dict]:
    """Take a document's change rows out of the log, as if their transaction had not committed."""
    rows = [
        {"id": r.id, "document_id": r.document_id, "created_at": r.created_at}
        for r in db.session.execute(
            select(IndexChange.id, IndexChange.document_id, IndexChange.created_at).where(
                IndexChange.document_id == document_id
            )
        )
    ]
    db.session.execute(IndexChange.__table__.delete().where(IndexChange.document_id == document_id))
    db.session.commit()
    return rows


def test_a_change_that_commits_late_with_a_lower_id_is_not_skipped(host_a):
    late = publish("Solar clinics")
    publish("Wind clinics")
    rows = _hide_rows(late.id)
    indexing.catch_up()
    assert indexed_titles(host_a) == ["Wind clinics"]
    assert position(host_a).gaps  # the hidden ids are remembered as an open gap

    db.session.execute(insert(IndexChange), rows)  # the late transaction commits
    db.session.commit()
    indexing.catch_up()

    assert indexed_titles(host_a) == ["Solar clinics", "Wind clinics"]
    assert position(host_a).gaps == ()


def test_open_gap_holds_back_the_position_reported_for_pruning(host_a):
    late = publish("Solar clinics")
    publish("Wind clinics")
    rows = _hide_rows(late.id)

    indexing.catch_up()

    assert host_row("a").position == min(r["id"] for r in rows) - 1
    assert host_row("a").applied_through == head()


def test_gap_is_given_up_after_the_configured_wait(host_a):
    late = publish("Solar clinics")
    publish("Wind clinics")
    _hide_rows(late.id)
    indexing.catch_up()
    host_a.config["INDEX_GAP_SECONDS"] = 0

    indexing.catch_up()

    assert position(host_a).gaps == ()
    assert position(host_a).floor == head()


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
def test_postgresql_transaction_committing_after_a_higher_id_is_applied(host_a):
    doc_id = publish("Solar clinics").id
    indexing.catch_up()
    slow = Session(db.engine)
    slow.get(Document, doc_id).title = "Geothermal clinics"
    slow.flush()  # takes its change id from the sequence, not yet committed
    fast = threading.Thread(target=on, args=(host_a, publish, "Wind clinics"))
    fast.start()
    fast.join(30)
    indexing.catch_up()
    assert "Wind clinics" in indexed_titles(host_a)
    assert "Geothermal clinics" not in indexed_titles(host_a)

    slow.commit()
    slow.close()
    indexing.catch_up()

    assert indexed_titles(host_a) == ["Geothermal clinics", "Wind clinics"]


# --- the gap bookkeeping itself ---


def test_advance_opens_gaps_for_skipped_ids_and_closes_them_when_filled():
    start = changelog.Position(applied=10)

    after = changelog.advance(start, [11, 14, 15], now=100.0, gap_seconds=60)
    filled = changelog.advance(after, [12], now=101.0, gap_seconds=60)

    assert after.applied == 15 and after.gaps == (changelog.Gap(12, 13, 100.0),)
    assert after.floor == 11
    assert filled.gaps == (changelog.Gap(13, 13, 100.0),)
    assert changelog.advance(filled, [], now=161.0, gap_seconds=60).gaps == ()


def test_new_host_joins_at_the_head_and_waits_for_ids_missing_below_it(host_a, host_b):
    late = publish("Solar clinics")
    publish("Wind clinics")
    hidden = sorted(r["id"] for r in _hide_rows(late.id))

    on(host_b, indexing.catch_up)

    joined = position(host_b)
    assert joined.applied == head()
    assert [(g.lo, g.hi) for g in joined.gaps] == [(hidden[0], hidden[-1])]


# --- inline following (tests and scripts): only a committed transaction is caught up ---


def _begin_outer_transaction() -> None:
    """Start the outer transaction for real, as the content loader does: Python's sqlite3 opens
    one only at the first write, so a savepoint before it would commit on release."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _titles_in_index() -> list[str]:
    with indexing.get_store().searcher() as searcher:
        return sorted(fields["title"] for fields in searcher.all_stored_fields())


def test_inline_catch_up_waits_for_the_outer_commit_not_a_released_savepoint(app):
    """A savepoint released inside an open transaction (the content loader's one file) opens no
    second connection: a catch-up then could not see the rows, and on SQLite it would wait the
    whole busy timeout for the write lock the outer transaction holds."""
    indexing.catch_up()  # this host has joined the log
    checkouts: list[object] = []
    listener = lambda *_args: checkouts.append(1)  # noqa: E731
    _begin_outer_transaction()  # on the session's own connection, checked out first
    event.listen(db.engine, "checkout", listener)
    try:
        savepoint = db.session.begin_nested()
        db.session.add(factories.document(title="Savepoint clinics", commit=False))
        savepoint.commit()
        during = (len(checkouts), _titles_in_index())
        db.session.commit()
    finally:
        event.remove(db.engine, "checkout", listener)

    assert during == (0, [])
    assert _titles_in_index() == ["Savepoint clinics"]


def test_inline_catch_up_follows_an_outer_commit_after_a_savepoint_rolled_back(app):
    indexing.catch_up()
    _begin_outer_transaction()
    kept = db.session.begin_nested()
    db.session.add(factories.document(title="Kept clinics", commit=False))
    kept.commit()
    dropped = db.session.begin_nested()
    db.session.add(factories.document(title="Dropped clinics", commit=False))
    db.session.flush()
    dropped.rollback()

    db.session.commit()

    assert _titles_in_index() == ["Kept clinics"]
