"""The codec our index writers use: Whoosh's own format, written with a faster length lookup.

When a segment's postings are written, Whoosh asks for the document's field length once per
posting (to keep each block's shortest and longest document), and each ask is a column read
through a file object: a tenth of a rebuild's CPU time. ``WriterCodec`` answers from each field's
length column read once into a list. What goes to disk is byte for byte what ``W3Codec`` writes,
and the segments it makes name plain ``W3Codec``, so readers never see this class.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3Segment, _lenfield
from whoosh.util.numeric import byte_to_length


class _LoadedLengths(W3PerDocReader):
    """A segment's per-document reader whose field lengths come from lists read once."""

    def __init__(self, storage: object, segment: object) -> None:
        super().__init__(storage, segment)
        self._loaded: dict[str, list[int | None]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._loaded.get(fieldname)
        if lengths is None:
            lengths = self._loaded[fieldname] = self._load(fieldname)
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        if not lengths:
            return default
        # As W3PerDocReader: a stored length of zero gives None.
        return lengths[docnum] if docnum < len(lengths) else None

    def _load(self, fieldname: str) -> list[int | None]:
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return []
        return [byte_to_length(b) if b else None for b in reader]


class WriterCodec(W3Codec):
    def per_document_reader(self, storage: object, segment: object) -> W3PerDocReader:
        return _LoadedLengths(storage, segment)

    def new_segment(self, storage: object, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)
