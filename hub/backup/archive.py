"""Making and restoring a backup archive.

The archive is a plain tar (PDFs do not compress) holding, in this order:
``manifest.json`` (created_at, snapshot_at, the database's kind, schema revision and rows per
table, and every file's size and sha256), ``SHA256SUMS`` (the same sums for ``sha256sum -c``),
``database/`` (``hub.sqlite`` or ``hub.pgdump``) and ``data/`` (the data folder: attachments
and any other SQLite file in it, such as the job queue, copied through the backup API).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from hub.backup import databases
from hub.errors import Conflict, Invalid

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Result:
    """What a backup or restore did, for the command's report."""

    archive: Path
    manifest: dict
    seconds: float
    bytes: int = 0
    index_seconds: float = 0.0
    documents_indexed: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"hub-{stamp}.tar"


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _data_files(data_dir: Path, skip: set[Path]) -> Iterator[Path]:
    """Files of the data folder worth keeping: not SQLite side files, not temporary files."""
    if not data_dir.is_dir():
        return
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file() or path.resolve() in skip:
            continue
        if path.name.endswith(databases.SIDE_FILES) or path.name.startswith(".tmp"):
            continue
        yield path


def _copy_data(data_dir: Path, work: Path, skip: set[Path]) -> None:
    """Attachments are written once under new names, so a copy of each is consistent; a
    SQLite file among them is live and goes through the backup API."""
    for path in _data_files(data_dir, skip):
        target = work / "data" / path.relative_to(data_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if _is_sqlite(path):
                databases.copy_sqlite(path, target)
            else:
                shutil.copyfile(path, target)
        except FileNotFoundError:
            continue  # removed since the listing (a withdrawn attachment): not in the snapshot


def create(path: Path | None = None) -> Result:
    """Write a backup archive of the database and the data folder to ``path`` (a file, or a
    folder to put a dated file in); the archive appears only once complete."""
    started = time.perf_counter()
    config = current_app.config
    url = config["SQLALCHEMY_DATABASE_URI"]
    kind = databases.kind_of(url)
    target = path or default_path()
    if target.is_dir():
        target = target / default_path().name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        (work / "database").mkdir()
        snapshot_at = _now()
        skip: set[Path] = set()
        if kind == "sqlite":
            source = databases.sqlite_path(url)
            skip.add(source.resolve())
            snapshot = databases.copy_sqlite(source, work / "database" / databases.SQLITE_NAME)
            if snapshot.integrity != "ok":
                raise Invalid(f"the database copy failed integrity_check: {snapshot.integrity}")
        else:
            snapshot = databases.dump_postgres(url, work / "database" / databases.PG_DUMP_NAME)
        _copy_data(Path(config["DATA_DIR"]), work, skip)
        manifest = _manifest(work, snapshot, snapshot_at)
        size = _write_tar(work, manifest, target)
    return Result(target, manifest, time.perf_counter() - started, bytes=size)


def _manifest(work: Path, snapshot: databases.Snapshot, snapshot_at: str) -> dict:
    files = {
        str(path.relative_to(work)): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(work.rglob("*"))
        if path.is_file()
    }
    return {
        "format": FORMAT,
        "created_at": _now(),
        "snapshot_at": snapshot_at,
        "database": {
            "kind": snapshot.kind,
            "schema_revision": snapshot.revision,
            "counts": snapshot.counts,
        },
        "files": files,
    }


def _write_tar(work: Path, manifest: dict, target: Path) -> int:
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    sums = "".join(f"{v['sha256']}  {name}\n" for name, v in manifest["files"].items())
    (work / SUMS).write_text(sums)
    staged = target.with_name(f".{target.name}.partial")
    with tarfile.open(staged, "w") as tar:
        for name in (MANIFEST, SUMS, *manifest["files"]):
            tar.add(work / name, arcname=name, recursive=False)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staged, target)
    return target.stat().st_size


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise Invalid(f"{archive} has no {MANIFEST}: not a Hub backup")
        return json.load(member)


def unpack(archive: Path, into: Path) -> dict:
    """Extract ``archive`` and check every file against the manifest; raises Invalid on any
    missing, extra or changed file, before anything is restored."""
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    manifest = json.loads((into / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise Invalid(f"unknown backup format {manifest.get('format')!r}")
    found = {str(p.relative_to(into)) for p in into.rglob("*") if p.is_file()} - {MANIFEST, SUMS}
    expected = set(manifest["files"])
    problems = [f"missing {name}" for name in sorted(expected - found)]
    problems += [f"unexpected {name}" for name in sorted(found - expected)]
    for name in sorted(expected & found):
        if _sha256(into / name) != manifest["files"][name]["sha256"]:
            problems.append(f"checksum mismatch {name}")
    if problems:
        raise Invalid("the archive failed verification: " + "; ".join(problems[:10]))
    return manifest


def restore(archive: Path, *, force: bool = False, reindex: bool = True) -> Result:
    """Restore ``archive`` into this instance's database and data folder, then rebuild the
    index. Refuses a database that holds rows unless ``force``; stop the Hub first."""
    from hub.extensions import db
    from hub.search import indexing

    started = time.perf_counter()
    config = current_app.config
    url = config["SQLALCHEMY_DATABASE_URI"]
    kind = databases.kind_of(url)
    data_dir = Path(config["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = unpack(archive, work)
        if manifest["database"]["kind"] != kind:
            raise Invalid(
                f"the archive holds a {manifest['database']['kind']} database; this instance "
                f"uses {kind}"
            )
        db.session.remove()
        db.engine.dispose()  # no pooled connection may outlive the old database
        if kind == "sqlite":
            target = databases.sqlite_path(url)
            if not databases.sqlite_is_empty(target) and not force:
                raise Conflict(
                    f"{target} is not empty; restore into a fresh place, or add --force to "
                    "replace it"
                )
            databases.put_sqlite(work / "database" / databases.SQLITE_NAME, target)
            restored = databases.describe_sqlite(target)
        else:
            databases.restore_postgres(work / "database" / databases.PG_DUMP_NAME, url, force=force)
            restored = databases.describe_postgres(url)
        _check_restored(manifest, restored)
        _put_data(work / "data", data_dir)
    result = Result(archive, manifest, time.perf_counter() - started)
    if reindex:
        report = indexing.rebuild(reason=f"restored from {archive.name}")
        result.index_seconds, result.documents_indexed = report.seconds, report.documents
    return result


def _check_restored(manifest: dict, restored: databases.Snapshot) -> None:
    if restored.integrity not in ("ok", databases.NOT_CHECKED):
        raise Invalid(f"the restored database failed integrity_check: {restored.integrity}")
    if restored.counts != manifest["database"]["counts"]:
        differ = sorted(
            name
            for name in set(restored.counts) | set(manifest["database"]["counts"])
            if restored.counts.get(name) != manifest["database"]["counts"].get(name)
        )
        raise Invalid(f"row counts differ from the manifest in: {', '.join(differ[:10])}")


def _put_data(source: Path, data_dir: Path) -> None:
    """Move the verified data files into place, each replaced atomically."""
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = data_dir / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if _is_sqlite(path):
            databases.put_sqlite(path, target)
        else:
            os.replace(path, target)
