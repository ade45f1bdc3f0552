"""The codec our index writers use: Whoosh's own format, written with a faster length lookup.

When a segment's postings are written, Whoosh asks for the document's field length once per
posting (to keep each block's shortest and longest document), and each ask is a column read
through a file object: a tenth of a rebuild's CPU time. ``WriterCodec`` answers from each
field's length column read once as bytes (``length_bytes``, which scoring uses too). What goes
to disk is byte for byte what ``W3Codec`` writes, and the segments it makes name plain
``W3Codec``, so readers never see this class.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3Segment, _lenfield
from whoosh.util.numeric import byte_to_length

# What each length byte stands for (Whoosh stores field lengths in one lossy byte).
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


def length_bytes(perdoc: W3PerDocReader, fieldname: str) -> bytes:
    """A segment's length bytes for one field, one per document, read in one slice (empty
    when the field has no lengths). Documents past the end have length 0, as in Whoosh."""
    reader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        return b""
    return bytes(reader._dbfile.get(reader._basepos, reader._count))


def field_length(lengths: bytes, docnum: int) -> int | None:
    """A document's field length from ``length_bytes``; None for 0, as W3PerDocReader gives."""
    byte = lengths[docnum] if docnum < len(lengths) else 0
    return _LENGTH_OF_BYTE[byte] if byte else None


class _LoadedLengths(W3PerDocReader):
    """A segment's per-document reader whose field lengths come from bytes read once."""

    def __init__(self, storage: object, segment: object) -> None:
        super().__init__(storage, segment)
        self._loaded: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if fieldname in self._loaded:
            lengths = self._loaded[fieldname]
        else:
            has = self.has_column(_lenfield(fieldname))
            lengths = self._loaded[fieldname] = length_bytes(self, fieldname) if has else None
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        if lengths is None:
            return default
        return field_length(lengths, docnum)


class WriterCodec(W3Codec):
    def per_document_reader(self, storage: object, segment: object) -> W3PerDocReader:
        return _LoadedLengths(storage, segment)

    def new_segment(self, storage: object, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)
