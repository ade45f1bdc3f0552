"""Where the index lives on disk, in generations, so a rebuild can replace it atomically.

``INDEX_DIR/CURRENT`` names the live generation folder. A rebuild writes a new generation in a
``.build-*`` folder, renames it to ``v<schema>-*`` when complete and then replaces CURRENT with
``os.replace``: readers see the old or the new index, never a half-built one. A reader that lost a
race with a swap (its generation was pruned while it opened it) reads CURRENT again.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import shutil
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from hub.search.schema import SCHEMA_VERSION, build_schema

POINTER = "CURRENT"
BUILD_PREFIX = ".build-"
OPEN_ATTEMPTS = 20


class MappedFile(BufferFile):
    """Whoosh's in-memory file, over a memory map instead of a copy.

    ``BufferFile`` reads by slicing its buffer, which is what makes searching fast, but it
    first copies the whole file into a ``BytesIO``: at 50,000 documents, 0.3 s per segment
    each time a reader opened. Over a map the slices come straight from the page cache.
    """

    def __init__(self, mapped: mmap.mmap, name: str) -> None:
        self._map = mapped
        self._buf = memoryview(mapped)
        self._name = name
        self.file = mapped  # read, seek and tell for the reads that are not slices
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    # A part of a compound file (indexes written before segments were separate files): a
    # window on the map, not a copy.
    subset = StructFile.subset

    def close(self) -> None:
        if self.is_closed:
            return
        self.is_closed = True
        with contextlib.suppress(BufferError):  # a slice still in use: the map goes with it
            self._buf.release()
            self._map.close()


class MappedFileStorage(FileStorage):
    """Whoosh's file storage, reading each file through a memory map (``MappedFile``)."""

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        with open(self._fpath(name), "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return BufferFile(b"", name=name)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name)


def open_all_files(reader: IndexReader) -> None:
    """Open each segment's columns (stored fields, field lengths, sort keys) now.

    Whoosh opens a segment's terms and postings with the reader but its column files only on
    first use. Segments are written as separate files (indexing.WRITER_OPTIONS), so a column
    first read after a prune would be gone.
    """
    for leaf, _offset in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        leaf.stored_fields(0)
        for name, field in leaf.schema.items():
            if field.scorable:
                leaf.doc_field_length(0, name)
            if field.column_type is not None and leaf.has_column(name):
                leaf.column_reader(name)


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
                return MappedFileStorage(str(self.root / name)).open_index()
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
            searcher = None
            name = None
            try:
                ix = self.open()
                name = Path(ix.storage.folder).name
                searcher = ix.searcher(**kwargs)
                open_all_files(searcher.reader())
                return searcher
            except (FileNotFoundError, EmptyIndexError):
                if searcher is not None:
                    searcher.close()
                continue
            except TypeError:
                # Whoosh reads a column whose file has vanished as None: a prune removed this
                # generation while it was being opened. Anything else is a real error.
                if searcher is not None:
                    searcher.close()
                if name is not None and self.current_name() != name:
                    continue
                raise
        raise RuntimeError(f"the search index in {self.root} could not be opened")

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
        """An empty index in a build folder that prune() and readers leave alone."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{BUILD_PREFIX}{uuid.uuid4().hex[:12]}"
        path.mkdir()
        return path, whoosh_index.create_in(path, build_schema())

    def publish_build(self, path: Path) -> Path:
        """Give a finished build its generation name (still not live until swap)."""
        final = self.root / f"v{SCHEMA_VERSION}-{path.name[len(BUILD_PREFIX) :]}"
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
