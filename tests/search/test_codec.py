"""The writers' codec and the body fields' span postings must write exactly what Whoosh's own
codec and ``Characters`` format write, and the codec must leave no trace of itself in the index
that readers would need."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import Schema
from whoosh.formats import Characters
from whoosh.index import create_in

from hub.search.engine.codec import WriterCodec
from hub.search.schema import SpanCharacters, build_schema

ENTRIES = [
    {
        "id": str(n),
        "slug": f"doc-{n}",
        "kind": "policy_brief",
        "language": language,
        f"title_{group}": f"Roadmap {n} for solar energy",
        f"body_{group}": ("energy access and financing " * (n % 7 + 1)) + f"word{n} " * n,
        "body": "stored body",
        "goals": "7,9" if n % 2 else "",
        "published": datetime(2025, 1, n % 28 + 1),
        "words": f"roadmap solar energy word{n}",
    }
    for n, (language, group) in enumerate([("en", "en"), ("fr", "fr"), ("en", "en")] * 60)
]


def whoosh_formats_schema() -> Schema:
    """The Hub's schema with Whoosh's own ``Characters`` postings in place of SpanCharacters."""
    schema = build_schema()
    for name in schema.names():
        if isinstance(schema[name].format, SpanCharacters):
            schema[name].format = Characters(field_boost=schema[name].format.field_boost)
    return schema


def write_index(
    folder: Path, codec: object, drop: int | None = None, schema: Schema | None = None
) -> dict[str, bytes]:
    folder.mkdir()
    ix = create_in(str(folder), schema or build_schema())
    writer = ix.writer(codec=codec, compound=False)
    for entry in ENTRIES:
        writer.add_document(**entry)
    writer.commit()
    if drop is not None:  # a second segment, then a merge through the same codec
        writer = ix.writer(codec=codec, compound=False)
        writer.delete_by_term("id", str(drop))
        writer.add_document(**dict(ENTRIES[drop], id="new"))
        writer.commit(optimize=True)
    (segment,) = segments_of(ix)
    assert type(segment.codec()) is W3Codec  # readers never need the engine's codec
    prefix = f"{ix.indexname}_{segment.segid}"
    return {
        path.name.removeprefix(prefix): path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith(prefix)
    }


def segments_of(ix: object) -> list:
    """The index's segments, through its reader (one leaf reader per segment)."""
    with ix.reader() as reader:
        return [leaf.segment() for leaf, _offset in reader.leaf_readers()]


def test_writer_codec_and_span_postings_write_what_whoosh_writes(tmp_path: Path):
    ours = write_index(tmp_path / "ours", WriterCodec())
    theirs = write_index(tmp_path / "theirs", W3Codec(), schema=whoosh_formats_schema())
    assert sorted(ours) == sorted(theirs)
    assert {".pst", ".trm"} <= set(ours)
    assert "._body_en_len.col" in ours
    for ext in ours:
        assert ours[ext] == theirs[ext], ext


def test_writer_codec_merges_what_whoosh_merges(tmp_path: Path):
    ours = write_index(tmp_path / "ours", WriterCodec(), drop=5)
    theirs = write_index(tmp_path / "theirs", W3Codec(), drop=5, schema=whoosh_formats_schema())
    assert sorted(ours) == sorted(theirs)
    for ext in ours:
        assert ours[ext] == theirs[ext], ext
