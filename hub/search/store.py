"""Where the index lives on disk, in generations, so a rebuild can replace it atomically.

``INDEX_DIR/CURRENT`` names the live generation folder. A rebuild writes a new generation in a
``.build-*`` folder, renames it to ``v<schema>-*`` when complete and then replaces CURRENT with
``os.replace``: readers see the old or the new index, never a half-built one. A reader that lost a
race with a swap (its generation was pruned while it opened it) reads CURRENT again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.searching import Searcher

from hub.search.engine import Holder, create_index, index_folder, open_index, open_searcher
from hub.search.schema import SCHEMA_VERSION, build_schema

POINTER = "CURRENT"
BUILD_PREFIX = ".build-"
# In a build folder: the process writing it (pid, host, boot, start time; engine.Holder).
BUILDER = ".builder"
# A build folder without a builder record (made before builds had one), or a leftover pointer
# file, older than this (seconds) is abandoned.
ABANDONED_AFTER = 3600.0
OPEN_ATTEMPTS = 20


class IndexStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _pointer(self) -> Path:
        return self.root / POINTER

    def current_name(self) -> str | None:
        """The generation CURRENT names, or None when there is no index yet."""
        try:
            return self._pointer().read_text().strip() or None
        except FileNotFoundError:
            return None

    def exists(self) -> bool:
        name = self.current_name()
        return name is not None and whoosh_index.exists_in(self.root / name)

    def is_current_schema(self) -> bool:
        name = self.current_name()
        return self.exists() and name.startswith(f"v{SCHEMA_VERSION}-")

    def open(self) -> FileIndex:
        """The live index; an empty one is created only when there is none at all."""
        for _attempt in range(OPEN_ATTEMPTS):
            name = self.current_name()
            if name is None:
                self._create_first()
                continue
            try:
                return open_index(self.root / name)
            except (FileNotFoundError, EmptyIndexError):
                if self.current_name() == name and not (self.root / name).exists():
                    # CURRENT names a folder that is gone for good: start again, empty.
                    self._pointer().unlink(missing_ok=True)
        raise RuntimeError(f"the search index in {self.root} could not be opened")

    def searcher(self, **kwargs: object) -> Searcher:
        """A searcher on the live index with every segment file already open, so it keeps
        reading after a rebuild prunes its generation (open files stay readable on POSIX); a
        reader that raced the prune while opening retries on the new generation."""
        for _attempt in range(OPEN_ATTEMPTS):
            name, toc = None, None
            try:  # open_searcher closes a searcher that fails while opening its files
                ix = self.open()
                name = Path(index_folder(ix)).name
                toc = ix.latest_generation()
                return open_searcher(ix, **kwargs)
            except (FileNotFoundError, EmptyIndexError):
                continue
            except TypeError:
                # Whoosh reads a column whose file has vanished as None: a prune removed this
                # generation, or the follower's commit merged the segments being opened and
                # deleted their files. Anything else is a real error.
                if name is not None and self._moved_on(ix, name, toc):
                    continue
                raise
        raise RuntimeError(f"the search index in {self.root} could not be opened")

    def _moved_on(self, ix: FileIndex, name: str, toc: int | None) -> bool:
        """Whether the index changed since ``ix`` was opened as generation ``name`` with table
        of contents ``toc``: a newer generation, or a newer commit in the same one."""
        if self.current_name() != name:
            return True
        try:
            return ix.latest_generation() != toc
        except OSError:
            return True

    def _create_first(self) -> None:
        path, _ix = self.create_generation()
        final = self.publish_build(path)
        tmp = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        tmp.write_text(final.name)
        try:
            os.link(tmp, self._pointer())  # only if no other process created one first
        except FileExistsError:
            shutil.rmtree(final, ignore_errors=True)
        finally:
            tmp.unlink(missing_ok=True)

    def create_generation(self) -> tuple[Path, FileIndex]:
        """An empty index in a build folder that prune() and readers leave alone. The folder
        names the process building it (``BUILDER``), so ``sweep()`` can tell a build in
        progress from one whose process was killed."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{BUILD_PREFIX}{uuid.uuid4().hex[:12]}"
        path.mkdir()
        (path / BUILDER).write_text(Holder.this_process().to_json())
        return path, create_index(path, build_schema())

    def publish_build(self, path: Path) -> Path:
        """Give a finished build its generation name (still not live until swap)."""
        final = self.root / f"v{SCHEMA_VERSION}-{path.name[len(BUILD_PREFIX) :]}"
        (path / BUILDER).unlink(missing_ok=True)
        os.rename(path, final)
        return final

    def swap(self, path: Path) -> None:
        """Point CURRENT at ``path`` atomically. Old generations stay until ``prune()``."""
        tmp = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        with open(tmp, "w") as fh:
            fh.write(path.name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._pointer())
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def prune(self) -> None:
        """Remove finished generations other than the live one (never a build in progress)."""
        live = self.current_name()
        with contextlib.suppress(FileNotFoundError):
            for child in self.root.iterdir():
                if child.is_dir() and child.name.startswith("v") and child.name != live:
                    # Open readers keep their files on POSIX; new readers follow CURRENT.
                    shutil.rmtree(child, ignore_errors=True)

    def abandoned_builds(self) -> list[Path]:
        """Build folders no process is writing: their builder is gone from this host (killed),
        or, for a folder without a builder record, it is older than ``ABANDONED_AFTER``."""
        found = []
        with contextlib.suppress(FileNotFoundError):
            for child in self.root.iterdir():
                if child.is_dir() and child.name.startswith(BUILD_PREFIX):
                    try:
                        holder = Holder.parse((child / BUILDER).read_text())
                    except FileNotFoundError:
                        holder = None
                    if holder is not None:
                        if holder.is_gone():
                            found.append(child)
                    elif _age(child) > ABANDONED_AFTER:
                        found.append(child)
        return found

    def sweep(self, *, generations: bool) -> int:
        """Remove abandoned build folders and leftover pointer files, and with
        ``generations`` (only under the host lock: a rebuild's new generation is not live
        until its swap) every finished generation but the live one; returns the bytes freed.
        A build in progress, or the live generation, is never removed."""
        freed = 0
        for path in self.abandoned_builds():
            freed += _size(path)
            shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            for child in self.root.glob(f".{POINTER}.*"):
                if _age(child) > ABANDONED_AFTER:
                    child.unlink(missing_ok=True)
        if generations:
            live = self.current_name()
            old = [
                child
                for child in self.root.iterdir()
                if child.is_dir() and child.name.startswith("v") and child.name != live
            ]
            freed += sum(_size(child) for child in old)
            self.prune()
        return freed


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _size(path: Path) -> int:
    total = 0
    for child in path.rglob("*"):
        with contextlib.suppress(OSError):
            if child.is_file():
                total += child.stat().st_size
    return total
