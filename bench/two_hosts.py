"""Two index hosts on one database: how fast the second host sees what the first one published.

Host A is this process: it publishes through its own session, as a web worker would. Host B is a
real ``flask --app wsgi hub follow`` process with its own index folder (docs/deployment.md). The
benchmark reads B's index folder directly, as B's web workers would, and measures:

0. publish on A to searchable on A, through A's own follower thread (the one-host target: 1 s);
1. publish on A to searchable on B, for 50 publishes one after another (p50 and max);
2. catch-up after a stop: B is stopped, A publishes, B starts again: seconds from B's start until
   its index holds the last publish (process start-up included, then shown without it);
3. rebuild when the log was pruned: B is stopped long enough to count as gone, A publishes and
   prunes the log past B's position, B starts again and must rebuild from the database.

    .venv/bin/python bench/two_hosts.py                    # SQLite, 2,000 documents
    .venv/bin/python bench/two_hosts.py --docs 500         # smaller
    .venv/bin/python bench/two_hosts.py --database-url postgresql+psycopg://...  # an EMPTY db

It lowers its own priority (nice 10): the machine is shared.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from hub import create_app  # noqa: E402
from hub.countries.models import Country  # noqa: E402
from hub.countries.reference import load_countries  # noqa: E402
from hub.dbtypes import utcnow  # noqa: E402
from hub.documents.models import Document, Kind, Status, Visibility  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.sdg.reference import load_sdgs  # noqa: E402
from hub.search import changelog, follower  # noqa: E402
from hub.search.models import IndexHost  # noqa: E402
from hub.search.store import IndexStore  # noqa: E402

REFERENCE = ROOT / "content" / "reference"
# fmt: off
WORDS = [
    "science", "technology", "innovation", "roadmap", "policy", "energy", "water", "health",
    "education", "finance", "agriculture", "climate", "digital", "industry", "research",
    "capacity", "partnership", "data", "monitoring", "investment", "skills", "manufacturing",
]
# fmt: on


def body(n: int) -> str:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(120)]
    return "\n\n".join(" ".join(words[i : i + 40]).capitalize() + "." for i in (0, 40, 80))


def new_brief(n: int, country: Country, status: Status = Status.PUBLISHED) -> Document:
    return Document(
        kind=Kind.POLICY_BRIEF,
        slug=f"bench-brief-{n}",
        title=f"Roadmap brief {n}",
        summary=f"Summary of roadmap brief {n}.",
        body=body(n),
        language="en",
        country=country,
        status=status,
        visibility=Visibility.PUBLIC,
        published_on=date(2025, 3, 1),
    )


class HostB:
    def __init__(self, database_url: str, tmp: Path) -> None:
        self.index_dir = tmp / "index-b"
        self.log = tmp / "host-b.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        self.env.update(
            HUB_DATABASE_URL=database_url,
            HUB_INDEX_DIR=str(self.index_dir),
            HUB_INDEX_HOST="b",
            HUB_DATA_DIR=str(tmp / "data-b"),
            HUB_AUDIT_LOG=str(tmp / "audit-b.log"),
            HUB_SECRET_KEY="bench-host-b-secret-key-long-enough-0123456789",  # noqa: S106
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "follow"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return time.perf_counter()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        self.process = None

    def wait_for(self, doc_id: int, timeout: float = 600.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if indexed(self.index_dir, doc_id):
                return time.perf_counter()
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"host b exited:\n{self.log.read_text()}")
            time.sleep(0.005)
        raise RuntimeError(f"host b did not index document {doc_id} in {timeout} s")


def indexed(index_dir: Path, doc_id: int) -> bool:
    """Whether the index in ``index_dir`` holds the document, read as a web worker reads it."""
    store = IndexStore(index_dir)
    if not store.exists():
        return False
    with store.searcher() as searcher:
        return searcher.document(id=str(doc_id)) is not None


def one_host(app, country: Country, serial: int, publishes: int) -> list[float]:
    """Seconds from each publish's commit on A until A's own index holds it (A's follower)."""
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    thread = follower.start(app)
    try:
        if not thread.started_up.wait(600):
            raise RuntimeError("host a's follower did not finish its start-up check")
        latencies = []
        for n in range(serial + 1, serial + publishes + 1):
            doc_id, committed = publish(n, country)
            while not indexed(index_dir, doc_id):
                if time.perf_counter() - committed > 30:
                    raise RuntimeError(f"host a did not index document {doc_id} in 30 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - committed)
        return latencies
    finally:
        thread.stop()
        thread.join(60)


def publish(n: int, country: Country) -> tuple[int, float]:
    """A submitted brief made public on host A; returns its id and when the commit returned."""
    doc = new_brief(n, country, Status.SUBMITTED)
    db.session.add(doc)
    db.session.commit()
    doc.status = Status.PUBLISHED
    db.session.commit()
    return doc.id, time.perf_counter()


def run(database_url: str, tmp: Path, docs: int, publishes: int) -> dict[str, float]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(tmp / "index-a"),
            "DATA_DIR": str(tmp / "data-a"),
            "AUDIT_LOG": str(tmp / "audit-a.log"),
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789abcdef",
            "INDEX_HOST_NAME": "a",
            "INDEX_FOLLOW": "thread",  # requests never write; A's follower runs in phase 0 only
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    figures: dict[str, float] = {}
    b = HostB(database_url, tmp)
    with app.app_context():
        upgrade()
        load_sdgs(REFERENCE / "sdg")
        load_countries(REFERENCE / "m49_regions.csv")
        ghana = db.session.scalar(select(Country).where(Country.iso3 == "GHA"))
        for n in range(docs):
            db.session.add(new_brief(n, ghana))
        db.session.commit()
        serial = docs
        latencies = one_host(app, ghana, serial, publishes)
        serial += publishes
        figures["one_host_p50"] = statistics.median(latencies)
        figures["one_host_max"] = max(latencies)
        try:
            started = b.start()
            figures["join_seconds"] = b.wait_for(serial) - started
            latencies = []
            for _ in range(publishes):
                serial += 1
                doc_id, committed = publish(serial, ghana)
                latencies.append(b.wait_for(doc_id, 30) - committed)
            figures["publish_p50"] = statistics.median(latencies)
            figures["publish_max"] = max(latencies)

            b.stop()
            for _ in range(publishes):
                serial += 1
                last, _ = publish(serial, ghana)
            started = b.start()
            figures["catch_up_seconds"] = b.wait_for(last) - started

            b.stop()
            serial += 1
            last, _ = publish(serial, ghana)
            gone = utcnow() - timedelta(seconds=app.config["INDEX_HOST_LIVE_SECONDS"] + 1)
            db.session.execute(update(IndexHost).where(IndexHost.name == "b").values(
                last_seen_at=gone
            ))  # fmt: skip
            db.session.commit()
            _register_a_at_head()
            figures["pruned_rows"] = follower.prune_log()
            started = b.start()
            figures["rebuild_seconds"] = b.wait_for(last) - started
            figures["documents"] = serial
        finally:
            b.stop()
    figures["startup_seconds"] = _startup_seconds(database_url, tmp)
    return figures


def _register_a_at_head() -> None:
    """Host A has applied everything (it only publishes here), so pruning may pass B."""
    head = changelog.head(db.session)
    changelog.record_host(db.session, "a", "", changelog.Position(applied=head))
    db.session.commit()


def _startup_seconds(database_url: str, tmp: Path) -> float:
    """How long a bare ``flask ... hub --help`` takes: the process start-up in the figures."""
    env = HostB(database_url, tmp).env
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "hub", "--help"],
        cwd=ROOT, env=env, capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--publishes", type=int, default=50)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in tmp)")
    args = parser.parse_args()
    os.nice(10)
    with tempfile.TemporaryDirectory(prefix="hub-two-hosts-") as folder:
        tmp = Path(folder)
        url = args.database_url or f"sqlite:///{tmp / 'hub.sqlite'}"
        f = run(url, tmp, args.docs, args.publishes)
    start = f["startup_seconds"]
    print(f"two hosts on {url.split(':')[0]}, {int(f['documents'])} documents at the end")
    print(
        f"  publish on A -> searchable on A (its follower thread), {args.publishes} publishes: "
        f"p50 {f['one_host_p50']:.3f} s, max {f['one_host_max']:.3f} s"
    )
    print(f"  B joins (new host, builds from the database): {f['join_seconds']:.2f} s")
    print(
        f"  publish on A -> searchable on B, {args.publishes} publishes: "
        f"p50 {f['publish_p50']:.3f} s, max {f['publish_max']:.3f} s"
    )
    print(
        f"  catch-up after a stop ({args.publishes} publishes missed): "
        f"{f['catch_up_seconds']:.2f} s from process start "
        f"(process start-up alone about {start:.2f} s)"
    )
    print(
        f"  rebuild after the log was pruned past B ({int(f['pruned_rows'])} rows pruned): "
        f"{f['rebuild_seconds']:.2f} s from process start"
    )


if __name__ == "__main__":
    main()
