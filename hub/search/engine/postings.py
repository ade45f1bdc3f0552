"""A term's postings for a known, sorted set of documents, read a block at a time.

Whoosh's matchers step through postings one document at a time (``skip_to`` walks a block by
``next()``), and each step is several Python calls; for the common words of a search that
stepping is most of the time spent. A word's bit set (matchset) needs every id, and a phrase
check (phrases.py) knows beforehand which documents it wants: both read each block of a
segment's postings whole; the phrase check skips the blocks that hold none of its documents
without reading them, and finds the wanted ones in a block's ids by bisection. The block
attributes are Whoosh's own (``W3LeafMatcher``); tests compare the results with Whoosh's
matchers on real indexes, with deleted documents present.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher


def blocks_at(matcher: Any, docs: Sequence[int]) -> Iterator[list[tuple[int, int]]]:
    """For each block holding any of ``docs`` (ascending): (document, index in the block) for
    those documents. While a block's list is in hand the matcher stays on that block, so
    ``values(matcher)`` are that block's."""
    if not readable(matcher):
        raise TypeError("block reading needs a segment's W3LeafMatcher")
    i, n = 0, len(docs)
    while i < n and matcher.is_active():
        top = matcher.block_max_id()
        if docs[i] > top:
            matcher._next_block()  # skipped without reading its data
            continue
        ids = block_ids(matcher)
        found, j = [], 0
        while i < n and docs[i] <= top:
            j = bisect_left(ids, docs[i], j)
            if j < len(ids) and ids[j] == docs[i]:
                found.append((docs[i], j))
            i += 1
        if found:
            yield found
        matcher._next_block()


def segment_postings(leaf: Any, fieldname: str, btext: bytes) -> Any:
    """A segment's postings for a term, deleted documents included: Whoosh wraps them in a
    filter that steps past deleted ones one at a time; callers here limit themselves to live
    documents instead."""
    matcher = leaf.postings(fieldname, btext)
    return matcher.child if type(matcher) is FilterMatcher else matcher


def all_ids(reader: Any, fieldname: str, btext: bytes) -> Iterator[int]:
    """Every document with the term (deleted ones included), in every segment of ``reader``,
    ascending: a segment's postings are read a block of ids at a time, not a ``next()`` each."""
    for leaf, offset in reader.leaf_readers():
        if (fieldname, btext) not in leaf:
            continue
        matcher = segment_postings(leaf, fieldname, btext)
        if not readable(matcher):
            yield from (offset + d for d in matcher.all_ids())
            continue
        while matcher.is_active():
            ids = block_ids(matcher)
            yield from (offset + d for d in ids) if offset else ids
            matcher._next_block()


def readable(matcher: Any) -> bool:
    """Whether ``blocks_at`` can read these postings (a term kept inline in the term table
    cannot)."""
    return isinstance(matcher, W3LeafMatcher)


def block_ids(matcher: Any) -> Sequence[int]:
    """The current block's document numbers (what ``matcher.id()`` gives for each posting)."""
    if matcher._ids is None:
        matcher._read_ids()
    return matcher._ids


def values(matcher: Any) -> Sequence[bytes]:
    """The current block's values (what ``matcher.value()`` gives for each posting)."""
    if matcher._values is None:
        matcher._read_values()
    return matcher._values
