"""Sets of document numbers as Python integers, and the ones the index's keyword fields make.

Counting facets document by document in Python costs seven dictionary updates per match, which on
a broad query over 50,000 documents is slower than the search itself. Instead, every value of a
keyword field (a facet value, a permission label) is kept as one integer used as a bit set, built
once per segment from its postings and combined per reader; the facet logic (hub.search.facets)
works on those integers alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.idsets import DocIdSet


def mask_of(docnums: Iterable[int], size: int) -> int:
    """A bit set with the given document numbers."""
    buf = bytearray((size >> 3) + 1)
    for d in docnums:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


class MaskSet(DocIdSet):
    """A read-only view of a bit set that Whoosh accepts as a search filter."""

    def __init__(self, mask: int, size: int):
        self.mask = mask
        self._bytes = mask.to_bytes((size >> 3) + 1, "little")

    def __contains__(self, docnum: int) -> bool:
        byte = docnum >> 3
        return byte < len(self._bytes) and bool(self._bytes[byte] >> (docnum & 7) & 1)

    def __bool__(self) -> bool:
        # Whoosh skips filtering for a falsy filter; an empty filter must still filter.
        return True

    def __len__(self) -> int:
        return self.mask.bit_count()

    def __iter__(self) -> Iterator[int]:
        mask, base = self.mask, 0
        while mask:
            low = mask & -mask
            yield base + low.bit_length() - 1
            mask ^= low


class SegmentMasks:
    """Bit sets of each segment's keyword values, kept by segment id (LRU-bounded).

    Segments never change once written (only their deletions do), so after a publish only the
    new small segment is read, not the whole index: a change is searchable at once. ``built``
    counts the segments whose bit sets had to be read from postings (tests watch it)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.built = 0
        self._cache: OrderedDict[tuple[str, str, tuple[str, ...]], dict] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, segment_reader: Any, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
        """value -> bit set, per field of ``names``, in the segment's own document numbers."""
        key = _segment_key(segment_reader, names)
        if key is not None:
            with self._lock:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
                    return cached
        masks = _read_masks(segment_reader, names)
        with self._lock:
            self.built += 1
            if key is not None:
                self._cache[key] = masks
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return masks


def _segment_key(segment_reader: Any, names: tuple[str, ...]) -> tuple | None:
    segment = segment_reader.segment() if hasattr(segment_reader, "segment") else None
    if segment is None:
        return None
    storage = segment_reader.storage()
    # A compound segment is read through an overlay (CompoundStorage over the folder's
    # storage, its ``b``) made anew for each reader: key on the index folder beneath it, or
    # every new reader would build the bit sets again.
    storage = getattr(storage, "b", storage)
    return (str(getattr(storage, "folder", id(storage))), segment.segment_id(), names)


def _read_masks(segment_reader: Any, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    size = segment_reader.doc_count_all()
    masks: dict[str, dict[str, int]] = {}
    for name in names:
        values: dict[str, int] = {}
        if name in segment_reader.schema:
            field = segment_reader.schema[name]
            for value in segment_reader.field_terms(name):
                if value == "":
                    continue  # "no country" is not a facet value
                ids = segment_reader.postings(name, field.to_bytes(value)).all_ids()
                values[value] = mask_of(ids, size)
        masks[name] = values
    return masks


SEGMENT_MASKS = SegmentMasks()


def value_masks(reader: Any, names: tuple[str, ...]) -> tuple[int, dict[str, dict[str, int]], int]:
    """(documents, field -> value -> bit set, live documents) for a whole reader: each
    segment's cached bit sets shifted to the segment's offset. Deleted documents stay in the
    value bit sets; the live set leaves them out."""
    size = reader.doc_count_all()
    masks: dict[str, dict[str, int]] = {name: {} for name in names}
    deleted: list[int] = []
    for segment_reader, offset in reader.leaf_readers():
        for name, values in SEGMENT_MASKS.of(segment_reader, names).items():
            combined = masks[name]
            for value, mask in values.items():
                combined[value] = combined.get(value, 0) | (mask << offset)
        if segment_reader.has_deletions():
            deleted.extend(
                offset + d
                for d in range(segment_reader.doc_count_all())
                if segment_reader.is_deleted(d)
            )
    live = ((1 << size) - 1) & ~mask_of(deleted, size)
    return size, masks, live
