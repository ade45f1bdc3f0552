"""T-21 query budget: hostile queries against an index of 20,000 documents, through the real app.

The catalogue's adversarial queries (``*``, ``*a``, ``a*``, ``*a*b*``, ``x~3``, ``r"(a|b)*c"``,
200 OR terms, a 1,500-term / 12k-character input, 100 nested parentheses, NUL, unbalanced quotes)
go to both ``/search`` and ``/api/v1/search`` with Flask's test client. Baseline M2, Whoosh with its
default parser on the same number of documents: ``*`` 15 s, a fuzzy term 11.6 s, a 12k-character
query a RecursionError (a 500). Figures: status 200 or 400 only, and p95 server time <= 1 s.

The fixture index is built once per module: 20,000 short documents are bulk-inserted as rows (no
ORM per document; the ids are known), then ``hub.search.indexing.rebuild()`` indexes them through
``entry_for`` like every other path, so the index is the Hub's own. Run with ``pytest -s`` to see
the build time and the figures.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from werkzeug.test import TestResponse

from hub import create_app
from hub.countries.models import Country
from hub.documents.models import (
    Area,
    Document,
    DocumentArea,
    Kind,
    Status,
    Visibility,
    document_goals,
)
from hub.extensions import db
from hub.search import indexing
from hub.search.query import SearchRequest, forget_searcher, search
from hub.search.syntax import QueryLimits
from tests import factories
from tests.conftest import PG_URL, RequestScopedClient, _config, _empty_content_tables

DOCUMENTS = 20_000
P95_LIMIT_S = 1.0
ROUTES = ("/search", "/api/v1/search")
COUNTRIES = ("GHA", "KEN", "FRA", "BRA", "IND", "CHN", "MEX", "ZAF", "EGY", "VNM")
# Common words every document has some of, so "match everything" is the expensive outcome.
# 32 short ones, so that all of them fit within the caps (256 characters, 32 words).
COMMON = [
    "policy", "science", "research", "data", "energy", "water", "health", "school", "skills",
    "transfer", "network", "finance", "market", "industry", "climate", "digital", "system",
    "labs", "patent", "startup", "grant", "cities", "farms", "solar", "wind", "ocean", "forest",
    "roads", "trade", "jobs", "youth", "women",
]  # fmt: skip

# The catalogue's queries, each name -> text; a few are built below.
HOSTILE: dict[str, str] = {
    "star": "*",
    "leading wildcard": "*a",
    "trailing wildcard": "a*",
    "wildcards": "*a*b*",
    "fuzzy": "x~3",
    "regex": 'r"(a|b)*c"',
    "slash regex": "/(a|b)*c/",
    "200 OR terms": " OR ".join(f"w{n}" for n in range(200)),
    "1,500 terms / 12k chars": " ".join(f"t{n:06d}" for n in range(1_500))[:12_000],
    "100 nested parentheses": "(" * 100 + "energy" + ")" * 100,
    "NUL": "energy\x00water\x00",
    "NUL only": "\x00",
    "unbalanced quote": '"energy water',
    "unbalanced quotes": '"energy" "water',
    "star colon star": "*:*",
    "range": "[a TO zzzz]",
    "prefix of a common word": "ener*",
    "fuzzy common word": "energy~2",
    "phrase of common words": '"policy technology innovation science research"',
    "negation only": "-energy",
    "NOT only": "NOT energy",
}

# Within every cap, yet matching nearly every document: only the time budget bounds these.
HEAVY: dict[str, str] = {
    "32 common words": " ".join(COMMON),
    "16 common words OR": " OR ".join(COMMON[:16]),
}


def _word(rng: random.Random) -> str:
    syllables = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qua", "bri", "dor")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def _insert_documents(n: int) -> None:
    """``n`` published documents as plain rows: 30 words each, common and rare words mixed."""
    rng = random.Random(21)
    rare = sorted({_word(rng) for _ in range(4_000)})
    country_ids = dict(
        db.session.execute(
            select(Country.iso3, Country.id).where(Country.iso3.in_(COUNTRIES))
        ).all()
    )
    kinds = list(Kind)
    areas = list(Area)
    now = datetime.now(UTC)
    start = db.session.scalar(select(db.func.coalesce(db.func.max(Document.id), 0))) + 1
    for chunk in range(0, n, 2_000):
        rows, goals, area_rows = [], [], []
        for i in range(chunk, min(n, chunk + 2_000)):
            doc_id = start + i
            kind = kinds[i % 3]
            words = rng.sample(COMMON, 8) + [rng.choice(rare) for _ in range(22)]
            rng.shuffle(words)
            rows.append(
                {
                    "id": doc_id,
                    "kind": kind,
                    "slug": f"t21-{i}",
                    "title": " ".join(words[:4]).capitalize(),
                    "summary": "",
                    "body": " ".join(words) + ".",
                    "language": "en" if i % 5 else "fr",
                    "country_id": None
                    if kind is Kind.GUIDEBOOK_SECTION
                    else country_ids[COUNTRIES[i % len(COUNTRIES)]],
                    "status": Status.PUBLISHED,
                    "visibility": Visibility.MEMBERS if i % 10 == 0 else Visibility.PUBLIC,
                    "published_on": date(2015, 1, 1) + timedelta(days=i % 3_650),
                    "is_example": False,
                    "position": 0,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            goals += [{"document_id": doc_id, "goal_number": 1 + (i + k) % 17} for k in (0, 5)]
            area_rows.append({"document_id": doc_id, "area": areas[i % 3]})
        db.session.execute(insert(Document), rows)
        db.session.execute(document_goals.insert(), goals)
        db.session.execute(insert(DocumentArea), area_rows)
        db.session.commit()


@dataclass
class Fixture:
    app: Flask
    client: FlaskClient
    build_s: float
    insert_s: float


@pytest.fixture(scope="module")
def big_index(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fixture]:
    tmp = tmp_path_factory.mktemp("t21")
    if PG_URL:
        url = database_template
    else:
        path = tmp / "hub.sqlite"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url, Path(tmp)))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        if PG_URL:
            _empty_content_tables()
        started = time.perf_counter()
        _insert_documents(DOCUMENTS)
        inserted = time.perf_counter() - started
        report = indexing.rebuild()
        assert report.documents == DOCUMENTS
        db.session.remove()
        print(
            f"\nT-21 fixture: {DOCUMENTS:,} documents inserted in {inserted:.1f} s, "
            f"indexed by rebuild() in {report.seconds:.1f} s"
        )
        fixture = Fixture(app, app.test_client(), report.seconds, inserted)
        try:
            yield fixture
        finally:
            forget_searcher()
            db.session.remove()
            if PG_URL:
                _empty_content_tables()
            db.engine.dispose()


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    rows: list[tuple[str, str, int, float, float, str]] = field(default_factory=list)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


COUNT_RE = re.compile(rb'<p class="count"[^>]*>([\d,]+) results?</p>')


def total_of(route: str, response: TestResponse) -> int:
    """The number of results a response reports: the API's total, or the page's count line."""
    if route.startswith("/api"):
        return response.json["total"]
    found = COUNT_RE.search(response.data)
    return int(found.group(1).replace(b",", b"")) if found else 0


def timed_get(client: FlaskClient, route: str, q: str) -> tuple[int, float, float, bytes]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(route, query_string={"q": q})
    return (
        response.status_code,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        response.data,
    )


def test_fixture_index_holds_20000_documents(big_index):
    with big_index.app.app_context(), indexing.get_store().searcher() as searcher:
        assert searcher.doc_count() >= 20_000


def test_plain_search_finds_documents_in_the_big_index(big_index):
    response = big_index.client.get("/api/v1/search", query_string={"q": "energy water"})

    assert response.status_code == 200
    assert response.json["total"] > 1_000


def test_hostile_queries_answer_200_or_400_within_one_second_at_p95(big_index):
    """Every catalogue query, on both routes, three rounds (the first after a fresh searcher).

    The time is the server's: the test client calls the WSGI app in this process, so the
    wall-clock of ``client.get`` is the request's time from routing to the rendered body. The
    machine is shared by several people on two cores, so the wall-clock also holds time this
    process spent waiting for a CPU; process CPU time does not. The catalogue's 1 s bound is
    asserted on the p95 of CPU time, which is what the query costs the server, and on the p95
    of wall-clock with a 2x allowance for a busy machine. M2's failures were 11 to 15 s, so
    either bound still catches a regression to the baseline.
    """
    client = big_index.client
    figures = Figures()
    with big_index.app.app_context():
        forget_searcher()
    for _round in range(3):
        for name, q in HOSTILE.items():
            for route in ROUTES:
                status, wall, cpu, body = timed_get(client, route, q)
                figures.statuses[status] = figures.statuses.get(status, 0) + 1
                figures.wall.append(wall)
                figures.cpu.append(cpu)
                if _round == 0:
                    message = ""
                    if status == 400 and route.startswith("/api"):
                        message = (
                            (client.get(route, query_string={"q": q}).json or {})
                            .get("error", {})
                            .get("message", "")
                        )
                    figures.rows.append((name, route, status, wall, cpu, message))
    print(f"\nT-21 over {DOCUMENTS:,} documents (first round shown):")
    for name, route, status, wall, cpu, message in figures.rows:
        print(f"  {status} {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms cpu  {route:15} "
              f"{name}{': ' + message if message else ''}")  # fmt: skip
    print(
        f"T-21 figures: {len(figures.wall)} requests, statuses {figures.statuses}, "
        f"p95 wall {p95(figures.wall) * 1000:.0f} ms, p95 cpu {p95(figures.cpu) * 1000:.0f} ms, "
        f"max wall {max(figures.wall) * 1000:.0f} ms"
    )

    assert set(figures.statuses) <= {200, 400}, figures.statuses
    assert p95(figures.cpu) <= P95_LIMIT_S
    assert p95(figures.wall) <= 2 * P95_LIMIT_S


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", ["star", "leading wildcard", "trailing wildcard", "wildcards",
                                  "fuzzy", "regex", "star colon star", "range"])  # fmt: skip
def test_wildcard_fuzzy_and_regex_queries_never_match_everything(big_index, route, name):
    response = big_index.client.get(route, query_string={"q": HOSTILE[name]})

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert total_of(route, response) < DOCUMENTS // 100


@pytest.mark.parametrize(
    "name", ["200 OR terms", "1,500 terms / 12k chars", "100 nested parentheses"]
)
@pytest.mark.parametrize("route", ROUTES)
def test_oversized_queries_are_refused_with_a_message(big_index, route, name):
    response = big_index.client.get(route, query_string={"q": HOSTILE[name]})

    assert response.status_code == 400
    if route.startswith("/api"):
        assert response.json["error"]["message"]
    else:
        assert b'class="error-message"' in response.data


def test_heaviest_query_within_the_caps_keeps_to_the_time_budget(big_index):
    """The caps leave one expensive query: 32 words that are each in a quarter of the documents,
    so that nearly every document matches and must be ranked. The time budget (1 s) is what
    bounds it; measured as process CPU time (see the test above for why), with the first run
    after a fresh searcher excluded, so the facet tables are already built."""
    client = big_index.client
    client.get("/api/v1/search", query_string={"q": "energy"})
    times = []
    for name, q in HEAVY.items():
        assert len(q) <= 256
        for route in ROUTES:
            status, wall, cpu, body = timed_get(client, route, q)
            assert status == 200
            partial = b'"partial":true' in body or b"only part of the matches" in body
            times.append((name, route, wall, cpu, partial))
    print("\nT-21 heaviest queries within the caps:")
    for name, route, wall, cpu, partial in times:
        print(f"  {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms cpu  {route:15} {name}"
              f"{'  (partial)' if partial else ''}")  # fmt: skip

    assert max(cpu for _n, _r, _w, cpu, _p in times) <= P95_LIMIT_S


def test_search_out_of_time_shows_summaries_instead_of_highlights_and_nothing_else_changes(app):
    """The budget covers the snippets too: once it has run out no postings are read for
    highlights, and each hit shows its summary. What matches, the total, the order and the facet
    counts are those of the same search in time."""
    for country in ("GHA", "KEN"):
        factories.document(
            title=f"Solar clinics {country}",
            summary=f"Clinics in {country}.",
            body="Rural clinics need solar power all year.",
            country_code=country,
        )
    indexing.catch_up()
    in_time = search(SearchRequest("solar"), viewer=None)

    late = search(SearchRequest("solar"), viewer=None, limits=QueryLimits(time_budget=0.0))

    assert [h.snippet.source for h in in_time.hits] == ["body", "body"]
    assert [h.snippet.source for h in late.hits] == ["summary", "summary"]
    assert [h.slug for h in late.hits] == [h.slug for h in in_time.hits]
    assert (late.total, late.facets) == (in_time.total, in_time.facets)
