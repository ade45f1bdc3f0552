"""What ``/health`` checks besides the database: free space where the Hub writes.

A full disk does not stop reads, so the Hub keeps serving and ``/health`` says "degraded" with the
folder that is short of space; saves and uploads answer 507 meanwhile (hub/errors.py). The
operator frees space and the Hub recovers without a restart.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

# Below this much free space (MB) a folder counts as full: a save needs room for the SQLite
# WAL, an upload room for the whole file. HEALTH_MIN_FREE_MB overrides it.
DEFAULT_MIN_FREE_MB = 100


@dataclass(frozen=True)
class DiskSpace:
    """Free space of one folder the Hub writes to."""

    name: str
    path: str
    free_bytes: int
    is_low: bool


def written_folders(app: Flask) -> dict[str, Path]:
    """The folders the Hub writes to: the SQLite database's, the data folder (attachments) and
    the search index's. A PostgreSQL database is watched by its own server."""
    folders = {
        "data": Path(app.config["DATA_DIR"]),
        "index": Path(app.config["SEARCH_INDEX_DIR"]),
    }
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folders["database"] = Path(url.database).parent
    return folders


def _existing(path: Path) -> Path:
    """The folder itself, or its nearest existing parent (a folder not made yet)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_space(app: Flask) -> list[DiskSpace]:
    """Free space of each folder the Hub writes to, flagged when under the minimum."""
    minimum = float(app.config.get("HEALTH_MIN_FREE_MB", DEFAULT_MIN_FREE_MB)) * 2**20
    found = []
    for name, path in written_folders(app).items():
        free = shutil.disk_usage(_existing(path)).free
        found.append(DiskSpace(name, str(path), free, free < minimum))
    return found
