"""The codec our index writers use: Whoosh's own format, written with a faster length lookup.

When a segment's postings are written, Whoosh asks for the document's field length once per
posting (to keep each block's shortest and longest document), and each ask is a column read
through a file object: a tenth of a rebuild's CPU time. ``WriterCodec`` answers from each
field's length column read once as bytes (``length_bytes``, which scoring uses too). What goes
to disk is byte for byte what ``W3Codec`` writes, and the segments it makes name plain
``W3Codec``, so readers never see this class.

Its postings writer also takes a term's postings whole (``BlockPostingsWriter.add_all``), for
the rebuild's writer (bulk.py), which gathers postings per term instead of one by one.
"""

from __future__ import annotations

from array import array

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3PostingsWriter,
    W3Segment,
    _lenfield,
)
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


class BlockPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, which can also take a term's postings whole (``add_all``)."""

    def add_all(self, ids: array, weights: array, values: list, lengths: bytes | None) -> None:
        """Write one term's postings as ``add_posting`` for each would: the same blocks,
        statistics and bytes. ``ids`` ascend; ``weights`` are as given (a block's largest is
        kept before rounding to 32 bits, as Whoosh does); ``lengths`` are the field's
        ``length_bytes``, or None for a field without lengths."""
        limit = self._blocklimit
        count = len(ids)
        for start in range(0, count, limit):
            block_ids = ids[start : start + limit]
            block_weights = weights[start : start + limit]
            self._ids = block_ids
            self._weights = array("f", block_weights)
            self._maxweight = max(0, max(block_weights))
            self._values = [v for v in values[start : start + limit] if v]
            self._minlength, self._maxlength = None, 0
            if lengths:
                size = len(lengths)
                present = [lengths[d] for d in block_ids if d < size and lengths[d]]
                if present:
                    self._minlength = byte_to_length(min(present))
                    self._maxlength = byte_to_length(max(present))
            if count < self._inlinelimit:
                return  # left buffered: finish_postings() inlines it in the term info
            self._write_block(last=start + limit >= count)


class WriterCodec(W3Codec):
    def postings_writer(self, dbfile: object, byteids: bool = False) -> W3PostingsWriter:
        return BlockPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_reader(self, storage: object, segment: object) -> W3PerDocReader:
        return _LoadedLengths(storage, segment)

    def new_segment(self, storage: object, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)
