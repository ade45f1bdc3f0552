"""Brief-like synthetic documents and distinct queries for the search speed benchmark.

The vocabulary is every real English word in texts already on disk (the Hub's content/, the
Cranfield and CISI collections, the English SDG texts), ranked by how often it occurs there and
drawn with a Zipf-Mandelbrot law, so a few words are very common and most are rare, as in real
prose. Each document also has a topic whose words it repeats (real documents are "bursty"), so
multi-word queries find documents that share their words. Document ``n`` depends only on the
seed and ``n``: the first 10,000 documents of a 50,000-document run are the 10,000-document run.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
WORD_RE = re.compile(r"[a-z]+")
ZIPF_S = 1.0
ZIPF_Q = 2.7  # Mandelbrot's shift: flattens the very top ranks like real English
N_TOPICS = 240
TOPIC_WORDS = 50
TOPIC_SHARE = 0.12
KINDS = (("policy_brief", 0.55), ("country_experience", 0.40), ("guidebook_section", 0.05))
AREAS = ("capabilities", "knowledge_flows", "collaboration")
YEARS = tuple(range(2016, 2027))
# Words a query never uses on its own: Whoosh's English stop list and the most common function
# words, so that each engine's stop-word handling does not decide the comparison.
_STOP_TEXT = """
a an and are as at be by can for from have if in is it may not of on or tbd that the this to us
we when will with yet you your was were which has had been its their there these those than then
also such but all any into our one two more most other some only near
"""
QUERY_STOP = frozenset(_STOP_TEXT.split())


def source_texts() -> Iterable[str]:
    """Real English prose found on disk; nothing is downloaded."""
    for path in sorted((ROOT / "content").rglob("*.md")):
        yield path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((SHARED / "eval-data" / "ir-classic").rglob("*")):
        if path.is_file() and path.suffix not in {".readme"} and "rel" not in path.name.lower():
            yield path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((SHARED / "sdg" / "en").glob("*.yml")):
        yield path.read_text(encoding="utf-8", errors="replace")


def build_vocabulary() -> list[str]:
    """Words of two or more letters, most frequent first (ties broken alphabetically)."""
    counts: Counter[str] = Counter()
    for text in source_texts():
        counts.update(w for w in WORD_RE.findall(text.lower()) if len(w) > 1 or w == "a")
    return [w for w, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class BenchDoc:
    n: int
    slug: str
    title: str
    body: str  # Markdown
    kind: str
    country: str | None  # ISO3; None for guidebook sections
    goals: tuple[int, ...]
    areas: tuple[str, ...]
    published_on: date
    topic: int


class Corpus:
    """Deterministic generator of documents and queries over one vocabulary."""

    def __init__(self, countries: Sequence[str], seed: int = 5) -> None:
        self.seed = seed
        self.vocab = build_vocabulary()
        weights = [1.0 / (r + ZIPF_Q) ** ZIPF_S for r in range(1, len(self.vocab) + 1)]
        self.cum = list(itertools.accumulate(weights))
        rng = random.Random(seed)
        # Topics draw from the middle of the ranking: content words, neither "the" nor hapaxes.
        middle = self.vocab[120 : min(len(self.vocab), 7000)]
        self.topics = [rng.sample(middle, TOPIC_WORDS) for _ in range(N_TOPICS)]
        ranked = sorted(countries)
        rng.shuffle(ranked)
        self.countries = ranked[:90]
        self.country_cum = list(
            itertools.accumulate(1.0 / (r + 1.5) for r in range(len(self.countries)))
        )

    # --- documents ---

    def _words(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.vocab, cum_weights=self.cum, k=k)

    def document(self, n: int) -> BenchDoc:
        rng = random.Random(self.seed * 1_000_003 + n)
        topic = rng.randrange(N_TOPICS)
        topic_words = self.topics[topic]
        length = rng.randint(300, 1500)
        tokens = self._words(rng, length)
        for i in rng.sample(range(length), int(length * TOPIC_SHARE)):
            tokens[i] = rng.choice(topic_words)
        body = _markdown(rng, tokens, topic_words)
        title_words = rng.sample(topic_words, 2) + self._words(rng, rng.randint(2, 6))
        rng.shuffle(title_words)
        title = " ".join(w if w in QUERY_STOP else w.capitalize() for w in title_words)
        title = title[0].upper() + title[1:]
        roll = rng.random()
        kind = next(k for k, p in _cumulative(KINDS) if roll < p)
        country = None
        if kind != "guidebook_section":
            i = bisect.bisect_left(self.country_cum, rng.random() * self.country_cum[-1])
            country = self.countries[min(i, len(self.countries) - 1)]
        goals = {topic % 17 + 1} | {rng.randint(1, 17) for _ in range(rng.randint(0, 2))}
        areas = tuple(sorted(rng.sample(AREAS, rng.randint(1, 2))))
        year = rng.choice(YEARS)
        published = date(year, rng.randint(1, 12), rng.randint(1, 28))
        if published > date.today():
            published = date.today()
        return BenchDoc(
            n=n,
            slug=f"bench-{n}",
            title=title,
            body=body,
            kind=kind,
            country=country,
            goals=tuple(sorted(goals)),
            areas=areas,
            published_on=published,
            topic=topic,
        )

    def documents(self, start: int, stop: int) -> list[BenchDoc]:
        return [self.document(n) for n in range(start, stop)]

    # --- queries ---

    def queries(self, docs: Sequence[BenchDoc], count: int, seed: int) -> list[Query]:
        """``count`` distinct queries: one, two and three words, phrases, and faceted ones.

        Words come from the documents themselves (so most queries have answers), never stop
        words; phrases are consecutive words of a real document; facets are the values of the
        document the words came from, so filtered queries are not trivially empty.
        """
        rng = random.Random(seed)
        mix = (("one", 0.25), ("two", 0.22), ("three", 0.15), ("phrase", 0.16), ("faceted", 0.22))
        seen: set[tuple] = set()
        out: list[Query] = []
        attempts = 0
        while len(out) < count:
            attempts += 1
            if attempts > count * 200:
                raise RuntimeError("could not make enough distinct queries")
            roll = rng.random()
            kind = next(k for k, p in _cumulative(mix) if roll < p)
            doc = docs[rng.randrange(len(docs))]
            q = self._query(rng, kind, doc)
            if q is None or q.key() in seen:
                continue
            seen.add(q.key())
            out.append(q)
        return out

    def _content_words(self, rng: random.Random, doc: BenchDoc, k: int) -> list[str] | None:
        words = [w for w in WORD_RE.findall(doc.body.lower()) if w not in QUERY_STOP and len(w) > 2]
        topic = [w for w in self.topics[doc.topic] if w not in QUERY_STOP and len(w) > 2]
        chosen: list[str] = []
        for _ in range(k * 4):
            # Half of the words are the document's topic words, half any word it contains.
            pool = topic if rng.random() < 0.5 else words
            w = rng.choice(pool)
            if w not in chosen:
                chosen.append(w)
            if len(chosen) == k:
                return chosen
        return None

    def _query(self, rng: random.Random, kind: str, doc: BenchDoc) -> Query | None:
        if kind in ("one", "two", "three"):
            words = self._content_words(rng, doc, {"one": 1, "two": 2, "three": 3}[kind])
            return Query(kind, words) if words else None
        if kind == "phrase":
            tokens = WORD_RE.findall(doc.body.lower())
            size = rng.choice((2, 2, 3))
            for _ in range(50):
                i = rng.randrange(len(tokens) - size)
                part = tokens[i : i + size]
                if all(w not in QUERY_STOP and len(w) > 2 for w in part):
                    return Query(kind, part, phrase=True)
            return None
        words = self._content_words(rng, doc, rng.choice((1, 1, 2)))
        if not words:
            return None
        filters: dict[str, str] = {}
        shape = rng.choice(
            ("kind", "country", "sdg", "kind+country", "kind+country+sdg", "area+year", "sdg+year")
        )
        for name in shape.split("+"):
            if name == "kind":
                filters["kind"] = doc.kind
            elif name == "country":
                if doc.country is None:
                    return None
                filters["country"] = doc.country
            elif name == "sdg":
                filters["sdg"] = str(rng.choice(doc.goals))
            elif name == "area":
                filters["area"] = rng.choice(doc.areas)
            elif name == "year":
                filters["year"] = str(doc.published_on.year)
        return Query("faceted", words, filters=filters)


@dataclass(frozen=True)
class Query:
    kind: str  # one, two, three, phrase, faceted
    words: list[str]
    phrase: bool = False
    filters: dict[str, str] | None = None

    def key(self) -> tuple:
        return (tuple(self.words), self.phrase, tuple(sorted((self.filters or {}).items())))

    @property
    def text(self) -> str:
        """The query as a person types it into the Hub."""
        joined = " ".join(self.words)
        return f'"{joined}"' if self.phrase else joined

    def fts5(self, operator: str = "AND") -> str:
        """The same query in FTS5 syntax: every word quoted, so none is read as an operator,
        joined by the operator the Hub uses between words (AND or OR)."""
        if self.phrase:
            return '"' + " ".join(self.words) + '"'
        return f" {operator} ".join(f'"{w}"' for w in self.words)


def _cumulative(pairs: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    total, out = 0.0, []
    for name, p in pairs:
        total += p
        out.append((name, total))
    out[-1] = (out[-1][0], 1.0 + 1e-9)
    return out


def _markdown(rng: random.Random, tokens: list[str], topic_words: Sequence[str]) -> str:
    """Sentences of 8 to 24 words in paragraphs of 2 to 6, a heading now and then, some lists."""
    paragraphs: list[str] = []
    sentences: list[str] = []
    i = 0
    target = rng.randint(2, 6)
    while i < len(tokens):
        n = rng.randint(8, 24)
        words = tokens[i : i + n]
        i += n
        sentences.append(
            words[0].capitalize() + (" " + " ".join(words[1:]) if words[1:] else "") + "."
        )
        if len(sentences) >= target or i >= len(tokens):
            roll = rng.random()
            if roll < 0.12:
                paragraphs.append("\n".join(f"- {s}" for s in sentences))
            else:
                paragraphs.append(" ".join(sentences))
            if rng.random() < 0.2:
                heading = rng.sample(list(topic_words), rng.randint(2, 4))
                paragraphs.append("## " + " ".join(heading).capitalize())
            sentences, target = [], rng.randint(2, 6)
    return "\n\n".join(paragraphs) + "\n"


if __name__ == "__main__":
    # `make bench` runs every bench/*.py; this module only prints a sample of what it makes.
    corpus = Corpus(["GHA", "SRB", "KEN"])
    sample = corpus.document(0)
    print(f"vocabulary: {len(corpus.vocab)} words; document 0: {sample.title!r}, "
          f"{len(sample.body.split())} words")  # fmt: skip
