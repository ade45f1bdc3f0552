"""The full rebuild's writer: Whoosh's multi-process writer, with postings gathered per term.

Whoosh's segment writer puts every posting in a pool as its own tuple (field, term, document,
weight, value), sorts all of them, and hands them one at a time to the postings writer, which
asks for the document's field length and appends it to the current block: at 10,000 briefs,
2.4 million postings per process, and writing the segment took as long as analysing the
documents. ``TermPoolWriter`` adds a
document's postings to its term's lists instead (documents arrive in order, so each list is
already sorted), sorts only the terms, and writes each term's blocks whole, with Whoosh's own
block writer. The segments are byte for byte what Whoosh writes.

Postings past ``limitmb`` are saved to a run file, sorted by term, and the runs are merged term by
term when the segment is written, so memory stays bounded as with Whoosh's pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import os
import pickle
import queue
import signal
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.fields import FieldType
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter, SegmentWriter

from hub.search.engine.codec import BlockPostingsWriter, WriterCodec, length_bytes
from hub.search.engine.locks import close_inherited

# A term's postings: document numbers, weights (as given: Whoosh keeps each block's largest
# weight before rounding it to 32 bits) and encoded values.
Postings = tuple[array, array, list]
# Rough bytes per posting besides its value: two array items, a list slot, the bytes object.
_POSTING_OVERHEAD = 60


def _new_postings() -> Postings:
    return array("I"), array("d"), []


class TermPool:
    """Postings gathered per (field, term), in document order, saved in runs past a limit."""

    def __init__(self, tempstore: Any, limitmb: int, prefix: str) -> None:
        self.tempstore = tempstore
        # The processes of one rebuild share the temporary folder: each names its runs apart.
        self.prefix = prefix
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.fields: dict[str, dict[object, Postings]] = {}
        self.runs: list[str] = []
        self._run_count = 0

    def field(self, fieldname: str) -> dict[object, Postings]:
        """The terms of one field, keyed by their text or bytes."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def added(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            self.save()

    def _sorted(self) -> Iterator[tuple[str, bytes, Postings]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            encoded = [
                (t.encode("utf-8") if isinstance(t, str) else t, p) for t, p in terms.items()
            ]
            encoded.sort(key=lambda item: item[0])
            for btext, postings in encoded:
                yield fieldname, btext, postings

    def save(self) -> None:
        """Write the gathered postings to a run file, sorted by field and term."""
        if not self.fields:
            return
        name = f"{self.prefix}-terms{self._run_count}.run"
        self._run_count += 1
        with self.tempstore.create_file(name).raw_file() as f:
            for fieldname, btext, (ids, weights, values) in self._sorted():
                pickle.dump((fieldname, btext, ids, weights, values), f, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def _read_run(self, index: int, name: str) -> Iterator[tuple[str, bytes, int, Postings]]:
        with self.tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    fieldname, btext, ids, weights, values = pickle.load(f)  # noqa: S301 (our own run file)
                except EOFError:
                    break
                yield fieldname, btext, index, (ids, weights, values)
        self.tempstore.delete_file(name)

    def terms(self) -> Iterator[tuple[str, bytes, Postings]]:
        """Every (field, term, postings) in field and term order, postings in document order."""
        if not self.runs:
            yield from self._sorted()
            return
        runs = [self._read_run(i, name) for i, name in enumerate(self.runs)]
        current = ((f, t, len(self.runs), p) for f, t, p in self._sorted())
        # Runs hold consecutive ranges of documents, so a term's lists join in run order.
        merged = heapq.merge(*runs, current, key=lambda item: item[:3])
        last: tuple[str, bytes] | None = None
        joined: Postings | None = None
        for fieldname, btext, _index, (ids, weights, values) in merged:
            if (fieldname, btext) == last:
                joined[0].extend(ids)
                joined[1].extend(weights)
                joined[2].extend(values)
                continue
            if joined is not None:
                yield (*last, joined)
            last, joined = (fieldname, btext), (ids, weights, values)
        if joined is not None:
            yield (*last, joined)
        self.runs = []

    def cleanup(self) -> None:
        for name in self.runs:
            if self.tempstore.file_exists(name):
                self.tempstore.delete_file(name)
        self.runs = []


class TermPoolWriter(SegmentWriter):
    """A segment writer whose postings go to a ``TermPool``; for building a new segment only
    (no deletions, vectors or separate spelling words)."""

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: TermPoolWriter writes no vectors or spelling")
        self.terms = TermPool(self.temp_storage(), limitmb, self.newsegment.segment_id())

    def add_document(self, **fields: Any) -> None:
        """``SegmentWriter.add_document``, adding each posting to its term's lists."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        size = 0

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    if type(field).index is FieldType.index and isinstance(value, str):
                        # Whoosh's own index(), less its UTF-8 encoding of every posting's
                        # term: terms are kept as text and encoded once each, when written.
                        items = field.format.word_values(value, field.analyzer, mode="index")
                    else:
                        items = field.index(value)
                    scorable = field.scorable
                    terms = self.terms.field(fieldname)
                    for text, freq, weight, vbytes in items:
                        postings = terms.get(text)
                        if postings is None:
                            postings = terms[text] = _new_postings()
                        postings[0].append(docnum)
                        postings[1].append(weight * fieldboost)
                        postings[2].append(vbytes)
                        size += _POSTING_OVERHEAD + len(vbytes or b"")
                        if scorable:
                            length += freq
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, customval if field.stored else None, length
                )
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        self.terms.added(size)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        current = None
        lengths: bytes | None = None
        try:
            for fieldname, btext, (ids, weights, values) in self.terms.terms():
                if fieldname != current:
                    if current is not None:
                        writer.finish_field()
                    writer.start_field(fieldname, self.schema[fieldname])
                    current = fieldname
                    lengths = length_bytes(perdoc, fieldname) if perdoc else None
                writer.start_term(btext)
                postwriter = writer._postwriter
                if isinstance(postwriter, BlockPostingsWriter):
                    postwriter.add_all(ids, weights, values, lengths)
                else:  # another codec: Whoosh's own path, posting by posting
                    dfl = perdoc.doc_field_length if perdoc else (lambda d, f: 0)
                    for docnum, weight, vbytes in zip(ids, weights, values, strict=True):
                        writer.add(docnum, weight, vbytes or b"", dfl(docnum, fieldname))
                writer.finish_term()
            if current is not None:
                writer.finish_field()
            writer.close()
            self.terms.fields = {}
        finally:
            if perdoc:
                perdoc.close()

    def _close_segment(self) -> None:
        super()._close_segment()
        self.terms.cleanup()


# prctl(2) option: the signal a process gets when the thread that forked it ends.
PR_SET_PDEATHSIG = 1
# How often a worker waiting for a job checks that the rebuild that started it is still there.
PARENT_CHECK_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Make this forked worker die when its parent does (Linux: ``PR_SET_PDEATHSIG``), and
    leave at once if the parent is already gone. It also closes the parent's lock descriptors
    (locks.close_inherited): a killed rebuild's workers once kept its locks, and every publish
    waited for the lock timeout until someone killed them by hand."""
    close_inherited()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the signal was asked for


class _Task(SubWriterTask):
    """Whoosh's worker process, writing its own segment with a ``TermPoolWriter``; it dies with
    the rebuild that started it (``die_with_parent``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()

    def _next_job(self) -> tuple | None:
        """The next job; waits while the parent lives (a check every second, besides the
        death signal, for kernels without it)."""
        while True:
            try:
                return self.jobqueue.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if os.getppid() != self.parent_pid:
                    os._exit(1)

    def run(self) -> None:
        die_with_parent(self.parent_pid)
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = TermPoolWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self._next_job()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        segment = writer._finalize_segment()
        self.resultqueue.put((None, set(), segment), timeout=5)


class RebuildWriter(MpWriter):
    """Whoosh's ``MpWriter`` with ``multisegment=True`` (one segment per process, nothing
    merged), whose processes write with ``TermPoolWriter``."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, multisegment=True, **kwargs)

    def _new_task(self) -> SubWriterTask:
        task = _Task(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


# Segments are written as separate files, not packed into one compound file. Whoosh's own storage
# reads a compound segment by copying each part into memory whenever a reader opens (0.3 s per
# open at 50,000 documents, twice per publish); the engine's mapped storage (storage.py) reads a
# separate file as slices of its map, but a compound part only through a window with a seek and
# read per access. Readers open every file of a segment up front (storage.open_all_files), so a
# prune cannot take a column from under them. The codec writes Whoosh's own format, faster
# (codec.py).
WRITER_OPTIONS = {"compound": False, "codec": WriterCodec()}

# Below this many documents a rebuild is quicker in one process than in starting others.
PARALLEL_REBUILD_FROM = 1000


def rebuild_writer(ix: Any, count: int, max_procs: int | None = None) -> IndexWriter:
    """A writer for a new index of ``count`` documents.

    Analysis is the cost of a rebuild; big ones spread it over the CPUs (``RebuildWriter``:
    Whoosh's MpWriter with postings gathered per term), leaving one segment per process:
    merging them would rewrite every posting again. ``max_procs`` defaults to the app's
    ``INDEX_REBUILD_PROCS`` (4)."""
    if max_procs is None:
        max_procs = _configured("INDEX_REBUILD_PROCS", 4)
    procs = min(os.cpu_count() or 1, max_procs)
    if procs > 1 and count >= _configured("INDEX_REBUILD_PARALLEL_FROM", PARALLEL_REBUILD_FROM):
        return RebuildWriter(ix, procs=procs, limitmb=512, batchsize=50, **WRITER_OPTIONS)
    return ix.writer(limitmb=1024, **WRITER_OPTIONS)


def _configured(key: str, default: int) -> int:
    from flask import current_app, has_app_context

    return int(current_app.config.get(key, default)) if has_app_context() else default
