"""Writing files so that a crash leaves the old file or the new one, never a part of one.

Every file the Hub keeps under DATA_DIR is written through ``atomic_write``: a temporary file in
the target's own folder, fsync, ``os.replace`` over the target, then fsync of the folder so the
rename itself survives a power cut. A process killed mid-write leaves only a temporary file,
whose name starts with ``PARTIAL_PREFIX``; ``sweep_partial_files`` removes those later.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PARTIAL_PREFIX = ".partial-"
# Written by earlier versions of the attachment store; swept the same way.
OLD_PARTIAL_PREFIXES = (".upload-",)
# A temporary file this old belongs to a writer that died: a live one writes it in seconds.
SWEEP_AFTER_SECONDS = 3600.0


@contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file; when the block ends without error its bytes replace ``target``
    whole. On error (or a kill) ``target`` is untouched and the temporary file is removed (or,
    after a kill, left for the sweep)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)


def write_atomic(target: Path, data: bytes) -> None:
    """``data`` as the whole content of ``target``, all or nothing (see ``atomic_write``)."""
    with atomic_write(target) as fh:
        fh.write(data)


def fsync_directory(path: Path) -> None:
    """Make a rename or a new name in ``path`` durable (POSIX keeps names in the folder)."""
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def is_partial(path: Path) -> bool:
    return path.name.startswith((PARTIAL_PREFIX, *OLD_PARTIAL_PREFIXES))


def sweep_partial_files(root: Path, *, older_than: float = SWEEP_AFTER_SECONDS) -> list[Path]:
    """Delete temporary files left under ``root`` by writers that died; returns them.

    Only files untouched for ``older_than`` seconds go: another process may be writing a
    younger one right now (start-up of one worker must not break another's upload)."""
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than
    swept = []
    for path in root.rglob(f"{PARTIAL_PREFIX[0]}*"):
        try:
            if is_partial(path) and path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                swept.append(path)
        except FileNotFoundError:  # its writer finished or another sweep got it first
            continue
    return swept
