"""Opening an index folder: files read through memory maps, every segment file opened up front.

The generations around it (which folder is live, swaps and prunes) are the Hub's own
(hub/search/store.py); this module is only how one folder is read.
"""

from __future__ import annotations

import contextlib
import mmap
import os

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from hub.search.engine.locks import HolderLock


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
    """Whoosh's file storage, reading each file through a memory map (``MappedFile``), with
    locks that name their holder (locks.py) and temporary files inside the index folder.

    Whoosh puts a writer's temporary files in ``<system temp>/MAIN.tmp``, one folder for every
    index on the machine, and each writer removes it when it finishes: one host's catch-up
    could remove a rebuild's pool runs on another, and a killed rebuild left them behind. In the
    index folder (a name starting with "." that Whoosh's clean-up skips) they go with it, and a
    killed build's folder holds all it wrote.
    """

    def lock(self, name: str) -> HolderLock:
        return HolderLock(self._fpath(name))

    def temp_storage(self, name: str | None = None) -> FileStorage:
        return FileStorage(os.path.join(self.folder, f".tmp-{name or 'writer'}")).create()

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        with open(self._fpath(name), "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return BufferFile(b"", name=name)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name)


def open_all_files(reader: IndexReader) -> None:
    """Open each segment's columns (stored fields, field lengths, sort keys) now.

    Whoosh opens a segment's terms and postings with the reader but its column files only on
    first use. Segments are written as separate files (bulk.WRITER_OPTIONS), so a column
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


def open_index(folder: str | os.PathLike[str]) -> FileIndex:
    """The index in ``folder``, its files read through memory maps (``MappedFileStorage``)."""
    return MappedFileStorage(str(folder)).open_index()


def create_index(folder: str | os.PathLike[str], schema: Schema) -> FileIndex:
    """A new empty index in ``folder`` (which must exist), written and read as ``open_index``'s."""
    return MappedFileStorage(str(folder)).create_index(schema)


def open_searcher(ix: FileIndex, **kwargs: object) -> Searcher:
    """A searcher on ``ix`` with every segment file already open (``open_all_files``)."""
    searcher = ix.searcher(**kwargs)
    try:
        open_all_files(searcher.reader())
    except BaseException:
        searcher.close()
        raise
    return searcher


def index_folder(ix: FileIndex) -> str:
    """The folder an index was opened from."""
    return ix.storage.folder
