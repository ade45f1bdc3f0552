"""The facts matchmaking reads from texts: key words, and what the search engine finds.

Key words come from the same analysis the search index uses (``hub.search.analysis``: English
stemming and stop words, so "incubators" in a need meets "incubator" in an offer). The documents
signal asks the Hub's own search (``hub.search.query.search``) for the need's key words, as the
viewer would: only published documents the viewer may read can count. One search per need serves
every offering country, grouped by the country of each hit; the best country scores 1 and the
others their share of its score (search scores are only comparable within one query).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from hub.errors import HubError
from hub.markup import plain_text
from hub.peers.matching import DocumentEvidence
from hub.search.analysis import analyzer_for
from hub.search.query import SearchRequest, search

KEY_WORDS = 12  # the need's words sent to the search engine and compared with offers
SEARCH_HITS = 60  # hits read per need: enough to reach every country with a close document
TITLES_SHOWN = 3
TITLE_SHARE = 0.5  # a country's documents named beside its best one score at least this share
MIN_LENGTH = 3
_WORD = re.compile(r"^[^\W\d_]+$")
# "start-ups", "deep-tech", "spin-off": one word to compare, shown as written; the search engine
# gets its parts, as its own analysis splits them.
_COMPOUND = re.compile(r"\b([^\W\d_]+)-([^\W\d_]+)\b")
# Words every offer or need uses whatever it is about: they would match everything.
GENERIC = """
want wants learn learning need needs offer offers share sharing country countries national
experience experiences support help would could also like other others peer peers partner partners
partnership member members work working know knowledge us our we set setting run running build
building plan planning first new how way ways use using make making get good practice practices
able can
""".split()  # noqa: SIM905 - a word list reads better as text


def _analyse(text: str) -> list[tuple[str, str]]:
    """(term, word) pairs of a plain text, in order, generic words left out. A hyphenated
    compound is one term; its word keeps the hyphen."""
    compounds = {f"{a}{b}".lower(): f"{a}-{b}".lower() for a, b in _COMPOUND.findall(text)}
    text = _COMPOUND.sub(r"\1\2", text)
    analyzer = analyzer_for("en")
    pairs = []
    for token in analyzer(text, keeporiginal=True):
        word = token.original.lower()
        if len(word) < MIN_LENGTH or not _WORD.match(word):
            continue
        pairs.append((token.text, compounds.get(word, word)))
    generic = _generic_terms()
    return [(t, w) for t, w in pairs if t not in generic]


@cache
def _generic_terms() -> frozenset[str]:
    return frozenset(t.text for t in analyzer_for("en")(" ".join(GENERIC)))


def item_text(title: str, description: str) -> str:
    return f"{title}\n{plain_text(description)}"


def terms(title: str, description: str) -> frozenset[str]:
    """Every term of an item's title and description."""
    return frozenset(t for t, _ in _analyse(item_text(title, description)))


def key_terms(title: str, description: str, limit: int = KEY_WORDS) -> tuple[tuple[str, str], ...]:
    """The terms that say what an item is about, best first: title words count twice, then the
    most repeated; ties keep the order of the text. Each comes with its word as written."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    title_pairs = _analyse(title)
    for position, (term, word) in enumerate(title_pairs + _analyse(plain_text(description))):
        counts[term] += 2 if position < len(title_pairs) else 1
        first.setdefault(term, (position, word))
    ranked = sorted(counts, key=lambda t: (-counts[t], first[t][0]))
    return tuple((term, first[term][1]) for term in ranked[:limit])


def document_evidence(
    key: tuple[tuple[str, str], ...], viewer: Any, countries: Iterable[str]
) -> dict[str, DocumentEvidence]:
    """For one need's key words: ISO3 of each of ``countries`` whose published documents the
    search engine finds -> how close they come (see the module docstring)."""
    wanted = {c.upper() for c in countries}
    words = " ".join(dict.fromkeys(word.replace("-", " ") for _, word in key))
    if not words or not wanted:
        return {}
    request = SearchRequest(
        q=words[:250], per_page=SEARCH_HITS, filters={"kind": ["brief", "experience"]}
    )
    try:
        results = search(request, viewer=viewer)
    except HubError:
        return {}
    best: dict[str, float] = {}
    titles: dict[str, list[str]] = defaultdict(list)
    for hit in results.hits:  # best first
        country = (hit.country or "").upper()
        if country not in wanted or hit.score <= 0:
            continue
        best.setdefault(country, hit.score)
        close = hit.score >= TITLE_SHARE * best[country]
        if close and len(titles[country]) < TITLES_SHOWN:
            titles[country].append(hit.title)
    if not best:
        return {}
    top = max(best.values())
    return {
        country: DocumentEvidence(round(score / top, 4), tuple(titles[country]))
        for country, score in best.items()
    }
