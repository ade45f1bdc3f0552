"""Connection settings the Hub relies on, applied to every pooled connection, and the one way to
run a transaction that reads what it is about to change (docs/architecture.md, "The database").

SQLite allows one writer at a time. A transaction that starts by reading (plain ``BEGIN``) and
then writes must upgrade its read snapshot to the write lock; if another connection wrote
meanwhile, SQLite refuses at once with "database is locked" and no busy wait can help. So every
write transaction here starts with ``BEGIN IMMEDIATE``, which takes the write lock first and
waits its turn (``busy_timeout``). Reads outside a write stay lock-free, as WAL intends.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.extensions import db

T = TypeVar("T")

# WAL lets readers work during a write; FULL sync keeps every acknowledged commit after a
# power cut; foreign keys are off by default in SQLite; busy_timeout waits for a writer
# instead of failing.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)
# Python's sqlite3 driver opens a transaction itself right before the first INSERT, UPDATE,
# DELETE or REPLACE; this makes that statement ``BEGIN IMMEDIATE`` instead of a plain BEGIN.
SQLITE_BEGIN = "IMMEDIATE"
# PostgreSQL: serialization failure and deadlock. The database undid the whole transaction,
# so running it again from the start is safe.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 10


def _configure_sqlite(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
    dbapi_connection.isolation_level = SQLITE_BEGIN


def _savepoint_takes_write_lock(conn, cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
    """A SAVEPOINT outside a transaction would open a deferred one of its own (the driver opens
    transactions only before data changes); savepoints are only used around writes, so open
    the transaction with the write lock first."""
    if statement.startswith("SAVEPOINT") and not conn.connection.dbapi_connection.in_transaction:
        cursor.execute(f"BEGIN {SQLITE_BEGIN}")


def register(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _configure_sqlite
        ):
            event.listen(engine, "connect", _configure_sqlite)
            event.listen(engine, "before_cursor_execute", _savepoint_takes_write_lock)


def begin_write(session: Session | None = None) -> None:
    """Start the session's transaction as one that reads what it then changes, so that no other
    writer can slip in between the read and the write.

    SQLite: ``BEGIN IMMEDIATE`` now, before the reads (later writers wait for this one).
    PostgreSQL: SERIALIZABLE isolation; a clash aborts one side with a serialization failure,
    which ``write_transaction`` runs again. Must come before the transaction's first query.
    """
    session = session or db.session
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
        return
    lock_sqlite_for_writing(session)


def lock_sqlite_for_writing(session: Session | None = None) -> None:
    """On SQLite, open the session's transaction with ``BEGIN IMMEDIATE`` now, before its reads,
    unless one is open already; elsewhere do nothing. Python's sqlite3 driver opens one only at
    the first write, so reads before it are not part of the write's transaction."""
    connection = (session or db.session).connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql(f"BEGIN {SQLITE_BEGIN}")


def is_retryable(error: BaseException) -> bool:
    """Whether the database aborted the transaction only because of a concurrent one."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def write_transaction(
    work: Callable[[], T], *, session: Session | None = None, attempts: int = RETRY_ATTEMPTS
) -> T:
    """Run ``work`` (which reads, changes and commits) in a ``begin_write`` transaction, from
    the start again when PostgreSQL aborts it for a concurrent writer (serialization failure or
    deadlock). ``work`` must be safe to repeat: everything it did was rolled back.

    SQLite never needs the retry: ``BEGIN IMMEDIATE`` makes writers queue instead.
    """
    session = session or db.session
    for attempt in range(1, attempts + 1):
        session.rollback()
        begin_write(session)
        try:
            return work()
        except DBAPIError as error:
            session.rollback()
            if not is_retryable(error) or attempt == attempts:
                raise
        # Jittered backoff, so the clashing transactions do not meet again at once.
        time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - not a secret
    raise AssertionError("unreachable")  # pragma: no cover


def sqlite_settings(connection: Any) -> dict[str, Any]:
    """The settings one DB-API SQLite connection runs with (tests and benchmarks check them)."""
    cursor = connection.cursor()
    try:
        found = {
            name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    finally:
        cursor.close()
    found["begin"] = connection.isolation_level
    return found
