"""The set of documents a query matches, as a bit set, without scoring.

Whoosh would find it by stepping its matcher tree once per matching document, which for an OR of
common words is most of a search's time. For the shapes our parser produces (terms combined with
AND, OR and NOT) the set is instead combined from each term's postings as bit sets, and each
term's bit set is kept per searcher (caches.py), so words shared between different queries are
read once per index version. Phrases are checked from the words' positions (phrases.py); anything
else falls back to Whoosh for that part of the query only.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from whoosh import query as wq

from hub.search.engine import phrases, postings
from hub.search.engine.bitsets import mask_of
from hub.search.engine.caches import kept_with

TERM_CACHE_SIZE = 4096


class TermMasks:
    """Per searcher: (field, term) -> bit set of the documents containing it, LRU-bounded."""

    def __init__(self, reader: Any, size: int):
        self.reader = reader
        self.size = size
        self._cache: OrderedDict[tuple[str, bytes], int] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, fieldname: str, btext: bytes) -> int:
        key = (fieldname, btext)
        mask = self._cache.get(key)
        if mask is not None:
            self.hits += 1
            self._cache.move_to_end(key)
            return mask
        self.misses += 1
        mask = mask_of(postings.all_ids(self.reader, fieldname, btext), self.size)
        self._cache[key] = mask
        if len(self._cache) > TERM_CACHE_SIZE:
            self._cache.popitem(last=False)
        return mask


def term_masks(searcher: Any, size: int) -> TermMasks:
    """The searcher's word bit sets (``size``: its reader's document count)."""
    return kept_with(searcher, "term_masks", lambda: TermMasks(searcher.reader(), size))


def match_mask(q: wq.Query, searcher: Any, live: int, size: int) -> int:
    """The live documents (bit set ``live`` of ``size`` documents) matching ``q``."""
    masks = term_masks(searcher, size)

    def walk(node: wq.Query) -> int:
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return 0
        if type(node) is wq.Term:  # not its subclasses (FuzzyTerm, Variations...)
            field = searcher.schema[node.fieldname]
            return masks.get(node.fieldname, field.to_bytes(node.text))
        if isinstance(node, wq.Or):
            result = 0
            for sub in node.subqueries:
                result |= walk(sub)
            return result
        if isinstance(node, wq.And):
            result = -1
            for sub in node.subqueries:
                result &= walk(sub)
                if not result:
                    return 0
            return result if result != -1 else 0
        if isinstance(node, wq.AndNot):
            return walk(node.a) & ~walk(node.b)
        if isinstance(node, wq.AndMaybe):
            return walk(node.a)
        if isinstance(node, wq.Not):
            return live & ~walk(node.query)
        if isinstance(node, wq.Every):
            return live
        if isinstance(node, wq.Phrase) and phrases.handles(node, searcher):
            return phrases.phrase_mask(node, searcher, masks.get, live, size)
        return mask_of(searcher.docs_for_query(node), size)

    return walk(q) & live
