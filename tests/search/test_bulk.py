"""The rebuild's writer must write what Whoosh's own writer writes: the same segment bytes from one
process, spilled to run files or not, and the same terms, postings and stored fields across its
processes' segments."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import create_in, open_dir
from whoosh.writing import SegmentWriter

from hub.search import indexing
from hub.search.engine import bulk
from hub.search.engine.bulk import RebuildWriter, TermPool, TermPoolWriter
from hub.search.engine.codec import WriterCodec
from hub.search.schema import build_schema
from tests import factories
from tests.search.test_codec import ENTRIES, segments_of, whoosh_formats_schema


def segment_files(folder: Path, writer_class: type, codec: object, **options: object) -> dict:
    folder.mkdir()
    schema = build_schema() if codec.__class__ is WriterCodec else whoosh_formats_schema()
    ix = create_in(str(folder), schema)
    writer = writer_class(ix, codec=codec, compound=False, **options)
    for entry in ENTRIES:
        writer.add_document(**entry)
    writer.commit()
    (segment,) = segments_of(ix)
    prefix = f"{ix.indexname}_{segment.segid}"
    return {
        path.name.removeprefix(prefix): path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith(prefix)
    }


@pytest.mark.parametrize("limitmb", [128, 0.01])
def test_term_pool_writer_writes_what_whoosh_writes(tmp_path: Path, monkeypatch, limitmb):
    saved = []
    save = TermPool.save
    monkeypatch.setattr(
        TermPool, "save", lambda pool: saved.append(bool(pool.fields)) or save(pool)
    )

    ours = segment_files(tmp_path / "ours", TermPoolWriter, WriterCodec(), limitmb=limitmb)
    theirs = segment_files(tmp_path / "theirs", SegmentWriter, W3Codec())

    # A small limit saves runs that are merged term by term; the default keeps all in memory.
    assert (len(saved) > 3) == (limitmb < 1)
    assert sorted(ours) == sorted(theirs)
    assert {".pst", ".trm", "._body_en_len.col"} <= set(ours)
    for ext in ours:
        assert ours[ext] == theirs[ext], ext
    assert not list((tmp_path / "ours").glob("*.tmp/*"))  # run files removed


def postings_by_id(folder: Path) -> tuple[int, dict, dict]:
    """Segment count, every (field, term) -> {document id: (weight, value)}, stored fields by id."""
    ix = open_dir(str(folder))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        postings: dict = {}
        for fieldname, btext in reader.all_terms():
            field = ix.schema[fieldname]
            if not field.format:
                continue
            matcher = reader.postings(fieldname, btext)
            found = postings[fieldname, btext] = {}
            while matcher.is_active():
                found[ids[matcher.id()]] = (matcher.weight(), matcher.value())
                matcher.next()
        stored = {fields["id"]: fields for fields in reader.all_stored_fields()}
        return len(segments_of(ix)), postings, stored


@pytest.mark.parametrize("limitmb", [128, 0.01])
def test_rebuild_writer_splits_documents_over_processes_without_changing_them(
    tmp_path: Path, limitmb: float
):
    """Also when each process spills runs (0.01 MB): the processes share one temporary folder,
    and runs named alike overwrote each other, which left the index empty at 50,000 briefs."""
    serial = tmp_path / "serial"
    serial.mkdir()
    writer = create_in(str(serial), build_schema()).writer(codec=WriterCodec(), compound=False)
    for entry in ENTRIES:
        writer.add_document(**entry)
    writer.commit()
    parallel = tmp_path / "parallel"
    parallel.mkdir()
    ix = create_in(str(parallel), build_schema())
    writer = RebuildWriter(
        ix, procs=2, batchsize=10, limitmb=limitmb, codec=WriterCodec(), compound=False
    )
    for entry in ENTRIES:
        writer.add_document(**entry)
    writer.commit()

    segments, postings, stored = postings_by_id(parallel)
    assert segments == 2  # one per process, not merged
    assert (postings, stored) == postings_by_id(serial)[1:]


def test_rebuild_writer_refuses_schemas_it_cannot_write(tmp_path: Path):
    from whoosh.fields import TEXT, Schema

    ix = create_in(str(tmp_path), Schema(body=TEXT(vector=True)))
    with pytest.raises(ValueError, match="vectors"):
        TermPoolWriter(ix, _lk=False)


def test_large_rebuilds_use_the_rebuild_writer_and_find_the_same(app, monkeypatch):
    for n in range(12):
        factories.document(title=f"Solar clinic {n}", body=f"Grid word{n} energy access.")
    indexing.catch_up()
    before = postings_by_id(Path(indexing.get_store().open().storage.folder))
    used = []
    monkeypatch.setattr(bulk, "PARALLEL_REBUILD_FROM", 10)
    monkeypatch.setattr(bulk.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bulk.RebuildWriter, "commit", spy(bulk.RebuildWriter.commit, used))

    indexing.rebuild()

    assert used
    after = postings_by_id(Path(indexing.get_store().open().storage.folder))
    assert after[1:] == before[1:]


def spy(method, calls: list):
    def wrapper(self, *args, **kwargs):
        calls.append(self)
        return method(self, *args, **kwargs)

    return wrapper
