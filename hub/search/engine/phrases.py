"""Which documents contain a phrase: its words at consecutive positions, checked from postings.

Whoosh checks a phrase with its span machinery: for every document that has all the words it
builds a Span object per position and walks them pairwise, and it steps each word's postings
one document at a time to get there. For a phrase of two common words that is most of a search's
time (a tenth of a second at 10,000 briefs, bench/search_speed.py). Here the candidates are the
documents whose bit sets have every word (matchset), each word's postings are read a block at a
time for just those documents (postings.py), and a document matches when some position p of the
first word has p + i among the positions of word i: the same rule as Whoosh's ``Phrase`` with
its default slop of 1 (``SpanNear2`` with ordered=True, mindist=1). Tests compare the two on a
real index.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from itertools import accumulate
from operator import itemgetter
from pickle import loads
from typing import Any

from whoosh import formats
from whoosh.query import Phrase
from whoosh.system import _INT_SIZE

from hub.search.engine import postings
from hub.search.engine.bitsets import MaskSet, mask_of


def handles(node: Phrase, searcher: Any) -> bool:
    """Phrases this module checks exactly as Whoosh would; others go to Whoosh."""
    if node.slop != 1 or len(node.words) < 2 or node.fieldname not in searcher.schema:
        return False
    fmt = searcher.schema[node.fieldname].format
    return fmt is not None and fmt.supports("positions")


def phrase_mask(
    node: Phrase, searcher: Any, word_mask: Callable[[str, bytes], int], live: int, size: int
) -> int:
    """The bit set of live documents containing ``node`` (for which ``handles`` is true).

    ``word_mask(field, bytes)`` gives the bit set of documents containing one word."""
    field = searcher.schema[node.fieldname]
    try:
        words = [field.to_bytes(word) for word in node.words]
    except ValueError:
        return 0
    candidates = live
    for word in words:
        candidates &= word_mask(node.fieldname, word)
        if not candidates:
            return 0
    docs = list(MaskSet(candidates, size))
    starts = _starts_decoder(field.format)
    found: list[int] = []
    for leaf, offset in searcher.reader().leaf_readers():
        lo = bisect_left(docs, offset)
        hi = bisect_left(docs, offset + leaf.doc_count_all())
        local = [d - offset for d in docs[lo:hi]]
        if not local or any((node.fieldname, word) not in leaf for word in words):
            continue
        first, *rest = (
            _values(postings.segment_postings(leaf, node.fieldname, word), local) for word in words
        )
        for doc, value in first.items():
            # Where the phrase would start, by each word: word i at p means a start at p - i.
            common = starts(value, 0)
            for i, values in enumerate(rest, start=1):
                other = values.get(doc)
                if other is None:
                    common = None
                    break
                common &= starts(other, i)
                if not common:
                    break
            if common:
                found.append(doc + offset)
    return mask_of(found, size)


def _starts_decoder(fmt: Any) -> Callable[[bytes, int], set[int]]:
    """``starts(value, i)``: the positions in a posting value, each minus ``i``.

    For Whoosh's ``Characters`` (and so ``SpanCharacters``) and ``Positions`` formats the value
    is a pickled list of position deltas (with character spans beside them in ``Characters``),
    so the sums run in C (``accumulate``), and starting the sum at -i shifts every position by
    -i; that start is itself negative and so never a position. Other formats go through their
    own ``decode_positions``."""
    if isinstance(fmt, formats.Characters):
        pick = itemgetter(0)
    elif type(fmt) is formats.Positions:
        pick = None
    else:
        decode = fmt.decode_positions
        return lambda value, i: {p - i for p in decode(value)}

    def starts(value: bytes, i: int) -> set[int]:
        deltas = loads(_pickled(value))  # noqa: S301 - our own index, read as Whoosh reads it
        if pick is not None:
            deltas = map(pick, deltas)
        return set(accumulate(deltas, initial=-i)) if i else set(accumulate(deltas))

    return starts


def _pickled(value: bytes) -> bytes:
    """The pickle in a Positions/Characters value, as their decode_positions reads it."""
    if not value.endswith(b"."):
        value += b"."
    return value[_INT_SIZE:]


def _values(matcher: Any, docs: list[int]) -> dict[int, bytes]:
    """docnum -> posting value for each of ``docs`` (ascending) that the postings have; a term
    kept inline in the term table (not block-readable) is stepped through as Whoosh does."""
    out: dict[int, bytes] = {}
    if postings.readable(matcher):
        for found in postings.blocks_at(matcher, docs):
            block = postings.values(matcher)
            out.update((doc, block[j]) for doc, j in found)
        return out
    for doc in docs:
        if not matcher.is_active():
            break
        matcher.skip_to(doc)
        if matcher.is_active() and matcher.id() == doc:
            out[doc] = matcher.value()
    return out
