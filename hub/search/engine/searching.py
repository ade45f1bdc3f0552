"""Running a query: a reused searcher per thread, and ranking within a filter and a time budget.

``top_matches`` ranks a known set of matching documents (a bit set the caller has already
narrowed by permission labels and facets). Up to ``exact_up_to`` matches it scores only those
documents (``rank_matches``); above that it lets Whoosh's collector walk the query's matchers,
filtered by the bit set, until the CPU-time deadline.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import collectors
from whoosh.query import Query, Term
from whoosh.searching import Searcher, TimeLimit

from hub.search.engine.bitsets import MaskSet
from hub.search.engine.scoring import summed_terms

__all__ = ["TimeLimit"]

# Scores equal but for rounding (summed in another order) count as a tie: lower document first,
# whichever way they were added up.
SCORE_DIGITS = 9

_local = threading.local()


@contextmanager
def live_searcher(store: Any, weighting: Callable[[], Any]) -> Iterator[Searcher]:
    """A searcher on ``store``'s live index (hub.search.store.IndexStore), reused between
    searches in the same thread.

    Opening a searcher costs about a third of a query; it is refreshed when the index changes
    (a new segment is committed, or a rebuild swaps generations). ``weighting()`` makes the
    scoring model of a new searcher.
    """
    key = (str(store.root), store.current_name())
    cached: Searcher | None = getattr(_local, "searcher", None)
    if cached is not None and getattr(_local, "key", None) == key:
        try:
            current = cached._ix.latest_generation() == cached.reader().generation()
        except OSError:
            current = False
        if current:
            yield cached
            return
    if cached is not None:
        cached.close()
    _local.searcher = None
    searcher = store.searcher(weighting=weighting())
    _local.searcher = searcher
    _local.key = (str(store.root), Path(searcher._ix.storage.folder).name)
    yield searcher


def forget_searcher() -> None:
    """Close this thread's cached searcher (tests and rebuilds call it)."""
    cached = getattr(_local, "searcher", None)
    if cached is not None:
        cached.close()
    _local.searcher = None
    _local.key = None


class BudgetedFilter(collectors.FilterCollector):
    """Whoosh's filter collector with a time budget.

    Whoosh's own ``TimeLimitCollector`` cannot wrap a filter: it feeds the inner collector
    directly and so skips the filter (a permission leak); the budget is checked here instead.
    """

    # One match of a broad OR of 32 common words can take a third of a millisecond to find, and
    # reading the clock a quarter of a microsecond: checking often keeps the overrun to a few ms.
    CHECK_EVERY = 16

    def __init__(self, child: collectors.Collector, allow: MaskSet, deadline: float):
        """``deadline``: thread CPU time."""
        super().__init__(child, allow=allow)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child, allow = self.child, self._allow
        for n, sub_docnum in enumerate(child.matches(), start=1):
            if n % self.CHECK_EVERY == 0 and time.thread_time() > self.deadline:
                raise TimeLimit
            if self.offset + sub_docnum in allow:
                child.collect(sub_docnum)


def top_docs(
    searcher: Searcher,
    query: Query,
    allowed: int,
    size: int,
    limit: int,
    deadline: float,
    sortedby: str | None = None,
    reverse: bool = False,
) -> tuple[list[tuple[int, float]], bool]:
    """The first ``limit`` documents of ``allowed`` (a bit set over ``size`` documents) that
    ``query`` matches, (docnum, score), best first or by the stored sort field ``sortedby``;
    and whether the deadline (thread CPU time) cut the walk short (the best found so far)."""
    collector = BudgetedFilter(
        searcher.collector(limit=limit, sortedby=sortedby, reverse=reverse),
        allow=MaskSet(allowed, size),
        deadline=deadline,
    )
    partial = False
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        partial = True
    return [(hit.docnum, hit.score) for hit in collector.results()[:limit]], partial


def top_matches(
    searcher: Searcher,
    query: Query,
    matches: int,
    size: int,
    limit: int,
    *,
    by_date: bool,
    deadline: float,
    exact_up_to: int,
) -> tuple[list[tuple[int, float]], bool]:
    """The first ``limit`` of ``matches`` (docnum, score), ranked by ``query`` or newest first
    (``by_date``, the ``published`` field), and whether the deadline cut the ranking short.
    Up to ``exact_up_to`` matches, only the matching documents are visited instead of walking
    the query's matcher through every candidate (a phrase of common words has thousands)."""
    if not by_date and matches.bit_count() <= exact_up_to:
        return rank_matches(searcher, query, matches, size)[:limit], False
    return top_docs(
        searcher, query, matches, size, limit, deadline,
        sortedby="published" if by_date else None, reverse=by_date,
    )  # fmt: skip


def rank_matches(
    searcher: Searcher, ranked: Query, matches: int, size: int, summed: bool = True
) -> list[tuple[int, float]]:
    """Score exactly the documents in ``matches``, best first (ties: lower document first).

    A query that is a sum of terms (``summed_terms``) is scored term by term; others, or all
    when ``summed`` is false, through the query's matcher tree, as Whoosh scores them."""
    docnums = list(MaskSet(matches, size))
    context = searcher.context()
    terms = summed_terms(ranked) if summed else None
    scored: list[tuple[int, float]] = []
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        local = [d - offset for d in docnums if offset <= d < end]
        if not local:
            continue
        if terms is not None:
            totals = _summed_scores(subsearcher, context, terms, local)
            scored.extend((offset + docnum, score) for docnum, score in totals.items())
        else:
            matcher = ranked.matcher(subsearcher, context)
            scored.extend((offset + docnum, score) for docnum, score in _scores_at(matcher, local))
    scored.sort(key=lambda pair: (-round(pair[1], SCORE_DIGITS), pair[0]))
    return scored


def _scores_at(matcher: Any, docnums: list[int]) -> Iterator[tuple[int, float]]:
    """(docnum, score) for each of ``docnums`` (ascending) that ``matcher`` matches."""
    i, count = 0, len(docnums)
    while i < count and matcher.is_active():
        current, wanted = matcher.id(), docnums[i]
        if current < wanted:
            matcher.skip_to(wanted)
        elif current == wanted:
            yield wanted, matcher.score()
            i += 1
        else:  # the matcher's next document: the first wanted one at or after it
            i = bisect_left(docnums, current, i + 1)


def _summed_scores(
    searcher: Searcher, context: Any, terms: list[tuple[Term, float]], docnums: list[int]
) -> dict[int, float]:
    """Each of ``docnums`` (ascending) that has any of ``terms``, with the sum of their scores
    times their boosts (``summed_terms``)."""
    totals: dict[int, float] = {}
    for term, boost in terms:
        for docnum, score in _scores_at(term.matcher(searcher, context), docnums):
            totals[docnum] = totals.get(docnum, 0.0) + score * boost
    return totals
