"""T-20 PDF parser denial-of-service corpus.

Each hostile file (tests/security/pdf_corpus.py, generated into tmp_path) goes through the real
``hub.documents.extraction.extract_text``, which runs pypdf in a child process under RLIMIT_AS and
CPU/wall limits. To read that child's peak RSS, the call runs in a small process of its own, whose
only child is the extraction: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` there is its high-water mark.

Then one file of each outcome class goes through the upload route (the route's handling does not
depend on why extraction failed, and each extraction costs a child process): every attachment
must end "ok" or "failed" (never pending, never a 500), and /health must answer 200 while the
extractions run.

Sizes: the bombs are full size (1 GiB and 4 GiB inflated); only the plain RunLength bomb is 128
MiB, because RunLength expands at most 64x (1 GiB would need a 16 MiB file); the 1 GiB RunLength
case is covered behind a Flate layer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select as sql_select

from hub.accounts.models import Role
from hub.config import PROJECT_ROOT
from hub.documents import extraction
from hub.documents.extraction import MEMORY_LIMIT, WALL_SECONDS
from hub.documents.models import Attachment, ExtractionStatus, Status
from hub.extensions import db
from hub.jobs import tasks
from tests import factories
from tests.security.pdf_corpus import DOS_SAMPLES, dos_sample, upload
from tests.web import login

# One of each kind of outcome, for the trip through the upload route.
THROUGH_THE_ROUTE = [
    "control-plain",  # read
    "flate-nested-4GiB",  # pypdf's decompression limit
    "nested-arrays-10k-content",  # RecursionError
    "page-tree-100k",  # the slowest to give up
    "encrypted",  # refused by the worker
    "garbage-after-header",  # nothing to parse
]
# Files no reader can turn into text: these must end "failed". The rest may be read or not, as
# long as the limits hold (pypdf recovers from some, e.g. the xref loop, and that is fine).
MUST_FAIL = {
    "flate-bomb-1GiB",
    "flate-nested-4GiB",
    "lzw-bomb-1GiB",
    "runlength-bomb-128MiB",
    "flate+runlength-bomb-1GiB",
    "encrypted",
    "garbage-after-header",
}


# Runs ``extract_text`` in a small process of its own. Its peak-RSS figure must be the extraction
# child's: the child is forked (preexec_fn) before it execs, and the kernel counts the forked
# copy's RSS in the child's ru_maxrss, so forking from the big pytest process would report pytest's
# size. The module file is loaded directly, so this parent is a bare interpreter (about 10 MB).
MEASURE = """
import importlib.util, json, pathlib, resource, sys, time
spec = importlib.util.spec_from_file_location("hub_extraction_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
status = pathlib.Path("/proc/self/status").read_text().split("VmRSS:")[1]
parent_kb = int(status.split()[0])
started = time.monotonic()
result = module.extract_text(pathlib.Path(sys.argv[2]))
print(json.dumps({
    "ok": result.ok, "error": result.error, "text": result.text[:200], "chars": len(result.text),
    "wall": time.monotonic() - started,
    "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "parent_kb": parent_kb,
}))
"""


def measured_extraction(path: Path) -> dict:
    """``extract_text(path)``: outcome, wall time, and the peak RSS of its extraction child."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, extraction.__file__, str(path)],
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS + 30,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", list(DOS_SAMPLES))
def test_hostile_pdf_extraction_stays_within_its_limits(name: str, tmp_path: Path):
    sample = dos_sample(name)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(sample.data)
    report = measured_extraction(path)
    assert report["parent_kb"] < report["peak_kb"], "the figure would be the parent's size"
    status = "ok" if report["ok"] else "failed"
    peak_mb = report["peak_kb"] / 1024
    detail = report["error"] or f"{report['chars']} characters of text"
    print(
        f"T-20: {name} {len(sample.data)} B -> {status} {report['wall']:.2f} s {peak_mb:.0f} MB"
        f" ({detail}; {sample.note})"
    )
    assert report["wall"] < WALL_SECONDS
    assert peak_mb < MEMORY_LIMIT / 2**20
    if name in MUST_FAIL:
        assert status == "failed"
    if name == "control-plain":
        assert status == "ok" and "Hello from a plain PDF" in report["text"]


def test_hostile_pdfs_uploaded_through_the_route_end_failed_and_health_stays_up(app: Flask):
    draft = factories.document(status=Status.DRAFT, country_code="GHA", title="Ghana draft")
    focal = app.test_client()
    login(focal, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    monitor = app.test_client()
    health: list[tuple[int, float]] = []

    def check_health() -> None:
        started = time.perf_counter()
        status = monitor.get("/health").status_code
        health.append((status, time.perf_counter() - started))

    upload_status = {}
    started = time.monotonic()
    for name in THROUGH_THE_ROUTE:
        upload_status[name] = upload(focal, draft.id, dos_sample(name)).status_code
        check_health()
    check_health()
    elapsed = time.monotonic() - started

    db.session.expire_all()
    rows = db.session.scalars(sql_select(Attachment).where(Attachment.document_id == draft.id))
    outcome = {row.filename.removesuffix(".pdf"): row for row in rows}
    print(f"T-20: through the route, {len(THROUGH_THE_ROUTE)} files in {elapsed:.1f} s:")
    for name in THROUGH_THE_ROUTE:
        row = outcome.get(_slug(name))
        state = f"{row.extraction_status.value} {row.extraction_error}" if row else "not stored"
        print(f"T-20:   {name} -> HTTP {upload_status[name]}, {state}")
    unhealthy = [status for status, _ in health if status != 200]
    print(
        f"T-20: /health checks {len(health)}, non-200 {len(unhealthy)}, slowest "
        f"{max(t for _, t in health):.2f} s; upload 5xx "
        f"{sum(s >= 500 for s in upload_status.values())}"
    )

    assert all(status == 303 for status in upload_status.values()), upload_status
    assert unhealthy == []
    assert set(outcome) == {_slug(n) for n in THROUGH_THE_ROUTE}
    for name in THROUGH_THE_ROUTE:
        state = outcome[_slug(name)].extraction_status
        assert state in (ExtractionStatus.OK, ExtractionStatus.FAILED), name
        if name in MUST_FAIL:
            assert state is ExtractionStatus.FAILED, name
    assert outcome["control-plain"].extraction_status is ExtractionStatus.OK


def _slug(name: str) -> str:
    """The display name the Hub makes from ``<name>.pdf``."""
    from slugify import slugify

    return slugify(name, max_length=80)


def _extraction_children() -> list[int]:
    """RSS (kB) of this process's running extraction children, read from /proc."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if str(extraction.WORKER).encode() not in cmdline:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["PPid"]) == os.getpid():
            found.append(int(fields.get("VmRSS", "0 kB").split()[0]))
    return found


def test_concurrent_extraction_jobs_do_not_start_unbounded_children(app: Flask):
    """Each extraction runs a child process (RLIMIT_AS 768 MB); a worker with several threads
    that took N bomb uploads at once would cost N x 768 MB of address space without a bound.
    Three ``extract_attachment_text`` job bodies run at once here, as three worker threads would."""
    draft = factories.document(status=Status.DRAFT, country_code="GHA", title="Ghana draft")
    focal = app.test_client()
    login(focal, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    bomb = dos_sample("flate-bomb-1GiB")
    for n in range(3):
        sample = type(bomb)(f"bomb-{n}", bomb.data)
        assert upload(focal, draft.id, sample).status_code == 303
    # The uploads ran their jobs already (the test queue is immediate): run them again at once.
    attachments = list(db.session.scalars(sql_select(Attachment)))
    assert len(attachments) == 3
    for attachment in attachments:
        attachment.extraction_status = ExtractionStatus.PENDING
    db.session.commit()
    ids = [a.id for a in attachments]
    peak, peak_rss_kb = 0, 0

    def run_job(attachment_id: int) -> None:
        with app.app_context():
            tasks.extract_attachment_text(attachment_id)

    jobs = [threading.Thread(target=run_job, args=(i,), daemon=True) for i in ids]
    for job in jobs:
        job.start()
    while any(job.is_alive() for job in jobs):
        children = _extraction_children()
        peak, peak_rss_kb = max(peak, len(children)), max(peak_rss_kb, sum(children))
        time.sleep(0.02)
    db.session.expire_all()
    finished = [db.session.get(Attachment, i).extraction_status for i in ids]
    assert ExtractionStatus.PENDING not in finished
    assert peak >= 1, "no extraction child was ever seen: the sampling did not watch them"
    bound = max(2, os.cpu_count() or 1)
    print(
        f"T-20: 3 bomb extraction jobs at once -> peak concurrent extraction children {peak} "
        f"(bound expected <= {bound}), their RSS together {peak_rss_kb / 1024:.0f} MB, "
        f"address space allowed {peak * MEMORY_LIMIT / 2**30:.1f} GiB"
    )
    assert peak <= bound
