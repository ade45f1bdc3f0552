"""Where the index lives on disk, in generations, so a rebuild can replace it atomically.

``INDEX_DIR/CURRENT`` names the live generation folder. A rebuild writes a new generation beside it
and then replaces CURRENT with ``os.replace``; readers see either the old or the new index, never a
half-built one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from hub.search.schema import SCHEMA_VERSION, build_schema

POINTER = "CURRENT"


class IndexStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _pointer(self) -> Path:
        return self.root / POINTER

    def current_name(self) -> str | None:
        try:
            name = self._pointer().read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def exists(self) -> bool:
        name = self.current_name()
        return name is not None and whoosh_index.exists_in(self.root / name)

    def is_current_schema(self) -> bool:
        name = self.current_name()
        return name is not None and name.startswith(f"v{SCHEMA_VERSION}-")

    def open(self) -> FileIndex:
        """The live index, created empty on first use."""
        name = self.current_name()
        if name is None or not whoosh_index.exists_in(self.root / name):
            path = self.new_generation()
            ix = whoosh_index.create_in(path, build_schema())
            self.swap(path)
            self.prune()
            return ix
        return whoosh_index.open_dir(self.root / name)

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"v{SCHEMA_VERSION}-{uuid.uuid4().hex[:12]}"
        path.mkdir()
        return path

    def create_generation(self) -> tuple[Path, FileIndex]:
        path = self.new_generation()
        return path, whoosh_index.create_in(path, build_schema())

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
        """Remove every generation but the live one."""
        live = self.current_name()
        for child in self.root.iterdir():
            if child.is_dir() and child.name != live and child.name.startswith("v"):
                # Open readers keep their files on POSIX; new readers follow CURRENT.
                shutil.rmtree(child, ignore_errors=True)
