"""Bulk load: ``flask hub load-content`` of many new files against ``flask hub reindex`` of them.

For each count it writes that many content files (the format of docs/content-format.md: front
matter and Markdown, brief-like bodies of 300 to 1,500 words from bench/_corpus.py, with SDG goals
and targets, tags, countries, areas, topics, parents, some drafts, members-only and example
documents) into a temporary folder, loads them into a fresh migrated SQLite database with its
reference data, then rebuilds the index of the same database. Both are the real commands, each in
a subprocess of its own. The target: loading takes at most twice the rebuild, at any count.

    .venv/bin/python bench/bulk_load.py               # 10,000 files (or HUB_BENCH_LOAD_FILES)
    .venv/bin/python bench/bulk_load.py 3000 10000    # several counts, each in a fresh database
    .venv/bin/python bench/bulk_load.py --profile DIR 1000   # cProfile the load into DIR

``make bench`` runs it with the default count; set HUB_BENCH_LOAD_FILES for a shorter run. It
lowers its own priority (nice 10): the machine is shared. Exit status 2 if a ratio is above 2
or the loaded index is not complete.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import BenchDoc, Corpus

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "content" / "reference"
TARGET_RATIO = 2.0
DEFAULT_FILES = int(os.environ.get("HUB_BENCH_LOAD_FILES") or 10_000)
LANGUAGES = (("en", 0.85), ("fr", 0.07), ("es", 0.05), ("ru", 0.03))
TAG_WORDS = (
    "capacity building", "open data", "foresight", "innovation fund", "universities",
    "private sector", "agriculture", "energy access", "digital", "health", "skills",
    "monitoring", "finance", "gender", "climate", "water", "peer learning", "incubators",
    "procurement", "diaspora", "standards", "policy mix", "regional", "pilot",
)  # fmt: skip


def target_codes() -> list[str]:
    """Every SDG target code in the reference data, e.g. 17.6 and 9.b."""
    text = (REFERENCE / "sdg" / "en" / "global_targets.yml").read_text(encoding="utf-8")
    return [f"{g}.{t}" for g, t in re.findall(r"^(\d+)-(\w+)-title:", text, re.M)]


def country_codes() -> list[str]:
    with (REFERENCE / "m49_regions.csv").open(encoding="utf-8") as f:
        return sorted(row["iso3"] for row in csv.DictReader(f))


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, p in pairs:
        total += p
        if roll < total:
            return value
    return pairs[-1][0]


def front_matter(doc: BenchDoc, rng: random.Random, sections: list[str], targets: list[str]):
    """The front matter a Secretariat would write for this document."""
    meta: dict = {"kind": doc.kind, "title": doc.title, "slug": doc.slug}
    if doc.kind == "guidebook_section":
        if sections and rng.random() < 0.6:
            meta["parent"] = rng.choice(sections[-20:])
        meta["order"] = rng.randint(0, 20)
    else:
        meta["country"] = doc.country
        if sections and rng.random() < 0.3:
            meta["topics"] = rng.sample(sections, min(len(sections), rng.randint(1, 2)))
    sdgs: list = list(doc.goals)
    mine = [t for t in targets if int(t.split(".")[0]) in doc.goals]
    sdgs += rng.sample(mine, min(len(mine), rng.randint(0, 3)))
    meta["sdgs"] = sdgs
    meta["areas"] = list(doc.areas)
    meta["tags"] = rng.sample(TAG_WORDS, rng.randint(0, 5)) + [f"theme {doc.topic}"]
    meta["published"] = doc.published_on.isoformat()
    meta["language"] = _pick(rng, LANGUAGES)
    if rng.random() < 0.4:
        meta["summary"] = " ".join(doc.body.split()[: rng.randint(20, 60)]).replace("#", "")
    if rng.random() < 0.05:
        meta["status"] = "draft"
    if rng.random() < 0.1:
        meta["visibility"] = "members"
    if rng.random() < 0.2:
        meta["example"] = True
    return meta


def write_files(folder: Path, count: int, corpus: Corpus) -> int:
    """Write ``count`` content files in kind folders; returns their total size in bytes."""
    targets = target_codes()
    rng = random.Random(count)
    sections: list[str] = []
    size = 0
    docs = corpus.documents(0, count)
    # Sections first in the listing is not required: the loader orders them itself.
    for doc in docs:
        meta = front_matter(doc, rng, sections, targets)
        if doc.kind == "guidebook_section":
            sections.append(doc.slug)
        sub = folder / {"guidebook_section": "guidebook"}.get(doc.kind, doc.kind)
        sub.mkdir(parents=True, exist_ok=True)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        text = f"---\n{front}---\n{doc.body}"
        (sub / f"{doc.slug}.md").write_text(text, encoding="utf-8")
        size += len(text.encode())
    return size


class Hub:
    """A throw-away Hub: database, index and data folder under ``folder``, reached only through
    the ``flask --app wsgi hub`` commands."""

    def __init__(self, folder: Path, template: Path | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "hub.sqlite"
        self.env = dict(
            os.environ,
            HUB_DATABASE_URL=f"sqlite:///{self.db}",
            HUB_INDEX_DIR=str(folder / "index"),
            HUB_DATA_DIR=str(folder / "data"),
            HUB_SECRET_KEY="bench-" + "x" * 40,
            HUB_AUDIT_LOG=str(folder / "audit.log"),
            PYTHONUNBUFFERED="1",
        )
        self.cpu = 0.0
        if template is not None:
            shutil.copy(template, self.db)

    def run(self, *args: str, prefix: tuple[str, ...] = ()) -> tuple[float, str]:
        """Run one command (``prefix``: options for Python, such as a profiler); returns its
        wall time and its output. Fails loudly on error."""
        cmd = [sys.executable, *prefix, "-m", "flask", "--app", "wsgi", *args]
        started, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        self.cpu = _children_cpu() - cpu
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr[-4000:])
            raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}")
        return seconds, done.stdout.strip()


def _children_cpu() -> float:
    """CPU seconds of finished child processes and theirs (worker processes included): on a
    shared machine, wall-clock times carry other people's load, CPU times do not."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepare_template(folder: Path) -> Path:
    """A migrated database with reference data, copied for each count."""
    hub = Hub(folder)
    hub.run("db", "upgrade", "heads")  # every head, should a merge leave two
    hub.run("hub", "load-reference")
    return hub.db


def measure(count: int, tmp: Path, template: Path, corpus: Corpus, profile: Path | None) -> dict:
    content = tmp / f"content-{count}"
    t0 = time.perf_counter()
    size = write_files(content, count, corpus)
    print(f"\n== {count:,} files ({size / count / 1024:.1f} KiB on average, written in "
          f"{time.perf_counter() - t0:.1f} s)")  # fmt: skip
    hub = Hub(tmp / f"hub-{count}", template)
    prefix: tuple[str, ...] = ()
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        prof = profile / f"load-{count}.prof"
        prefix = ("-m", "cProfile", "-o", str(prof))
    load_s, out = hub.run("hub", "load-content", str(content), prefix=prefix)
    load_cpu = hub.cpu
    print(f"   load-content: {load_s:.1f} s, CPU {load_cpu:.1f} s ({out.splitlines()[-1]})")
    check_s, check_out = hub.run("hub", "check-index")
    print(f"   check-index after the load: {check_out.splitlines()[-1]}")
    reindex_s, out = hub.run("hub", "reindex")
    reindex_cpu = hub.cpu
    print(f"   reindex:      {reindex_s:.1f} s, CPU {reindex_cpu:.1f} s ({out.splitlines()[-1]})")
    ratio = load_s / reindex_s
    print(
        f"   ratio load/reindex: {ratio:.2f} (target <= {TARGET_RATIO:g}); "
        f"CPU {load_cpu / reindex_cpu:.2f}"
    )
    shutil.rmtree(content, ignore_errors=True)
    return {"count": count, "load": load_s, "reindex": reindex_s, "ratio": ratio,
            "cpu_ratio": load_cpu / reindex_cpu,
            "complete": "missing 0, extra 0, stale 0" in check_out}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[DEFAULT_FILES])
    parser.add_argument("--profile", type=Path, help="save a cProfile of each load here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.counts or min(args.counts) < 1:
        parser.error("give counts of at least one file")
    os.nice(max(0, 10 - os.nice(0)))
    tmp = Path(tempfile.mkdtemp(prefix="hub-bulk-load-"))
    rows = []
    try:
        template = prepare_template(tmp / "template")
        corpus = Corpus(country_codes(), seed=args.seed)
        for count in args.counts:
            rows.append(measure(count, tmp, template, corpus, args.profile))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\n| files | load-content | reindex | ratio | CPU ratio | index complete |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['count']:,} | {r['load']:.1f} s | {r['reindex']:.1f} s | "
              f"{r['ratio']:.2f}x | {r['cpu_ratio']:.2f}x | "
              f"{'yes' if r['complete'] else 'NO'} |")  # fmt: skip
    print("(PASS/FAIL uses wall-clock; the CPU ratio is immune to other load on the machine.)")
    passed = all(r["ratio"] <= TARGET_RATIO and r["complete"] for r in rows)
    print(f"{'PASS' if passed else 'FAIL'}: load-content within {TARGET_RATIO:g}x of reindex")
    return 0 if passed else 2


if __name__ == "__main__":
    sys.exit(main())
