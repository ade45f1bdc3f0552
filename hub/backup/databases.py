"""Copying the database out and back in: SQLite through its backup API, PostgreSQL through
pg_dump and pg_restore. Each copy comes with the row counts of that same snapshot."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, table, text
from sqlalchemy.engine import URL, make_url

from hub.errors import Conflict, Invalid

SQLITE_NAME = "hub.sqlite"
PG_DUMP_NAME = "hub.pgdump"
SIDE_FILES = ("-wal", "-shm", "-journal")
NOT_CHECKED = "not checked"


@dataclass
class Snapshot:
    """What a database copy holds: its kind, schema revision and rows per table."""

    kind: str
    revision: str
    counts: dict[str, int]
    # SQLite's PRAGMA integrity_check; PostgreSQL has no equivalent (pg_restore fails loudly).
    integrity: str = NOT_CHECKED


def kind_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise Invalid(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Invalid("an in-memory SQLite database cannot be backed up")
    return Path(database)


# --- SQLite ---


def _quoted(table: str) -> str:
    """A table name read from the database's own catalogue, quoted as an identifier."""
    return '"' + table.replace('"', '""') + '"'


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    count = "SELECT count(*) FROM {}"
    return {name: conn.execute(count.format(_quoted(name))).fetchone()[0] for name in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return ""
    return row[0] if row else ""


def describe_sqlite(path: Path) -> Snapshot:
    """Kind, revision, counts and integrity_check of a SQLite file."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        return Snapshot("sqlite", _sqlite_revision(conn), _sqlite_counts(conn), integrity)


def copy_sqlite(source: Path, target: Path) -> Snapshot:
    """A consistent copy of a live database in one backup step: in WAL mode that is a read
    transaction, so writers carry on; a stepwise copy would restart at each of their commits."""
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst, pages=-1)
    with contextlib.closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    return describe_sqlite(target)


def sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return not any(_sqlite_counts(conn).values())


def put_sqlite(copy: Path, target: Path) -> None:
    """Install a verified copy as the database: stale -wal/-shm files of the old database would
    be replayed into the new one, so they go first; the file is swapped in atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in SIDE_FILES:
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(copy, staged)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staged, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- PostgreSQL ---


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, which goes in the environment."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - argv list, no shell: pg_dump or pg_restore with our paths and URL
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _pg_counts(conn) -> dict[str, int]:  # noqa: ANN001
    listing = text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    names = list(conn.execute(listing).scalars())
    return {
        name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }


def _pg_revision(conn) -> str:  # noqa: ANN001
    if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
        return ""
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


def dump_postgres(url: str, target: Path) -> Snapshot:
    """pg_dump of the snapshot this transaction exported, so the counts match the dump."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            dsn, env = _libpq(url)
            _run(
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                 f"--file={target}", f"--dbname={dsn}"],
                env,
            )  # fmt: skip
            described = Snapshot("postgresql", _pg_revision(conn), _pg_counts(conn))
            conn.execute(text("COMMIT"))
            return described
    finally:
        engine.dispose()


def describe_postgres(url: str) -> Snapshot:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return Snapshot("postgresql", _pg_revision(conn), _pg_counts(conn))
    finally:
        engine.dispose()


def restore_postgres(dump: Path, url: str, *, force: bool) -> None:
    """pg_restore into ``url``; a database holding rows is replaced only with ``force``."""
    if any(describe_postgres(url).counts.values()) and not force:
        raise Conflict(
            "the target database is not empty; restore into a fresh database, or add --force "
            "to replace its contents"
        )
    dsn, env = _libpq(url)
    command = ["pg_restore", "--no-owner", "--single-transaction", f"--dbname={dsn}"]
    if describe_postgres(url).counts:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump)], env)
