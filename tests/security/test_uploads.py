"""T-17 upload allow-list and T-19 size limits, through the real upload and editor routes.

A Ghana focal point attaches files to a Ghana draft at /workspace/documents/<id>/attachments, with
the CSRF token taken from the document page, exactly as the page's own form does.

Decision on PDFs that carry something else (the PDF/HTML polyglot, /OpenAction JavaScript): they
are PDFs by content (they start with %PDF- and PDF readers open them), so the Hub stores them. They
are harmless because every download is served as an attachment with a server-decided
``application/pdf`` type, ``nosniff`` and ``Content-Security-Policy: default-src 'none'; sandbox``
(T-18, tests/security/test_headers.py); PDF-internal JavaScript is the reader's business
(Wagtail #13185).
"""

from __future__ import annotations

import io
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from hub.accounts.models import Role
from hub.documents.models import Attachment, Document, Status
from hub.extensions import db
from tests import factories
from tests.security.pdf_corpus import Sample, plain_pdf, upload, upload_corpus
from tests.web import csrf_token, login

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")


@pytest.fixture
def draft(app: Flask) -> Document:
    return factories.document(status=Status.DRAFT, country_code="GHA", title="Ghana draft")


@pytest.fixture
def focal_client(app: Flask, client: FlaskClient, draft: Document) -> Iterator[FlaskClient]:
    """A client logged in as the Ghana focal point who may attach files to ``draft``."""
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    yield client


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _attachment_count(doc_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.document_id == doc_id)
    )


# --- T-17 ------------------------------------------------------------------------------------


def test_upload_route_accepts_only_pdfs_and_keeps_files_inside_the_attachment_store(
    app: Flask,
    focal_client: FlaskClient,
    draft: Document,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    scratch = tmp_path / "scratch"  # the route's temporary files land here, so we can see them
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data_dir = Path(app.config["DATA_DIR"])
    store = data_dir / "attachments"
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    before = _files_under(tmp_path)

    outcomes: dict[str, tuple[int, bool]] = {}
    for sample in upload_corpus():
        count = _attachment_count(draft.id)
        response = upload(focal_client, draft.id, sample)
        outcomes[sample.name] = (response.status_code, _attachment_count(draft.id) > count)

    corpus = {s.name: s for s in upload_corpus()}
    non_pdfs = [n for n, s in corpus.items() if not s.is_pdf]
    pdfs = [n for n, s in corpus.items() if s.is_pdf]
    non_pdf_accepted = [n for n in non_pdfs if outcomes[n][1]]
    pdf_refused = [n for n in pdfs if not outcomes[n][1]]
    server_errors = [n for n, (status, _) in outcomes.items() if status >= 500]

    new_files = _files_under(tmp_path) - before
    database_files = {Path(str(tmp_path / "hub.sqlite") + s) for s in ("", "-wal", "-shm")}
    outside = sorted(
        str(p)
        for p in new_files
        if not p.is_relative_to(store) and not p.is_relative_to(index_dir)
        and p not in database_files
    )  # fmt: skip
    named_after_input = sorted(
        # "t17-" with its hyphen: every upload name carries it, and the random segment names
        # of other tests' search indexes (letters and digits only) can contain "t17".
        str(p)
        for p in _files_under(tmp_path.parent)
        if "t17-" in p.name.lower()
    )
    leftovers = sorted(str(p) for p in _files_under(scratch))

    rows = db.session.scalars(select(Attachment).where(Attachment.document_id == draft.id)).all()
    user_derived = [r.stored_name for r in rows if not STORED_NAME.match(r.stored_name)]
    misplaced = [
        r.stored_name for r in rows if not (store / r.stored_name[:2] / r.stored_name).is_file()
    ]
    unsafe_display = [
        r.filename
        for r in rows
        if any(c in r.filename for c in ("/", "\\", "\x00", "\u202e", ".."))
        or len(r.filename) > 100
        or not r.filename.endswith(".pdf")
    ]

    print(
        f"T-17: non-PDFs accepted = {len(non_pdf_accepted)}/{len(non_pdfs)} "
        f"({', '.join(non_pdfs)}); PDFs by content accepted = {len(pdfs) - len(pdf_refused)}"
        f"/{len(pdfs)} (polyglot and /OpenAction stored, served as sandboxed attachments: T-18); "
        f"files written outside DATA_DIR/attachments = {len(outside)}; files named after the "
        f"upload = {len(named_after_input)}; temp files left = {len(leftovers)}; stored names "
        f"derived from user input = {len(user_derived)}/{len(rows)}; unsafe display names = "
        f"{len(unsafe_display)} ({sorted(r.filename for r in rows)}); 5xx = {len(server_errors)}"
    )
    assert non_pdf_accepted == []
    assert pdf_refused == []
    assert server_errors == []
    assert outside == []
    assert named_after_input == []
    assert leftovers == []
    assert user_derived == []
    assert misplaced == []
    assert unsafe_display == []


def test_rejected_upload_tells_the_user_and_stores_nothing(
    app: Flask, focal_client: FlaskClient, draft: Document
):
    html = Sample("html", b"<html><script>alert(1)</script></html>", "notes.pdf", is_pdf=False)
    response = upload(focal_client, draft.id, html)
    page = focal_client.get(response.headers["Location"]).get_data(as_text=True)
    stored = list((Path(app.config["DATA_DIR"]) / "attachments").rglob("*"))
    print(f"T-17: HTML named notes.pdf -> {response.status_code}, files stored {len(stored)}")
    assert response.status_code == 303
    assert "Only PDF files can be attached" in page
    assert _attachment_count(draft.id) == 0
    assert stored == []


# --- T-19 ------------------------------------------------------------------------------------


def _memory_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} in /proc/self/status")


class PeakMemory:
    """Growth of this process's peak RSS during a block (the app runs in this process).

    Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current RSS, so the figure
    is the transient high-water mark of the block, not what is left once memory is freed.
    """

    def __enter__(self) -> PeakMemory:
        Path("/proc/self/clear_refs").write_text("5")
        self.start = _memory_kb("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth_mb = (_memory_kb("VmHWM") - self.start) / 1024


class GeneratedBody(io.RawIOBase):
    """A seekable request body of ``size`` bytes made on demand: ``prefix`` then filler.

    Nothing is held in memory, so the peak RSS is the server's; ``bytes_read`` is how much of
    the body the server consumed.
    """

    def __init__(self, size: int, prefix: bytes = b""):
        self.size, self.prefix, self.position, self.bytes_read = size, prefix, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: memoryview) -> int:
        n = min(len(buffer), self.size - self.position)
        if n <= 0:
            return 0
        head = self.prefix[self.position : self.position + n]
        buffer[:n] = head + b"x" * (n - len(head))
        self.position += n
        self.bytes_read += n
        return n


BOUNDARY = "t19boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _multipart_head(token: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()


def _timed(call: Callable[[], TestResponse]) -> tuple[TestResponse, float, float]:
    """The response, the CPU seconds this thread spent on it and the peak memory growth.

    CPU time, not wall time: the test client runs the app in this thread, so reading a body
    shows up here however busy the machine is (a loaded CI machine made wall time flaky)."""
    started = time.thread_time()
    with PeakMemory() as memory:
        response = call()
    return response, time.thread_time() - started, memory.growth_mb


def test_body_one_byte_over_max_content_length_is_refused_at_once(
    app: Flask, focal_client: FlaskClient, draft: Document
):
    app.config["MAX_CONTENT_LENGTH"] = limit = 1024 * 1024
    url = f"/workspace/documents/{draft.id}/attachments"
    token = csrf_token(focal_client, f"/workspace/documents/{draft.id}")
    over = GeneratedBody(limit + 1, _multipart_head(token))
    response, elapsed, growth = _timed(
        lambda: focal_client.post(url, input_stream=over, content_type=MULTIPART)
    )
    # 1 GiB with its Content-Length: refused on the header, without reading the body.
    huge = GeneratedBody(1024**3, _multipart_head(token))
    huge_response, huge_elapsed, huge_growth = _timed(
        lambda: focal_client.post(url, input_stream=huge, content_type=MULTIPART)
    )
    # 1 GiB chunked (no Content-Length, as gunicorn passes it on): cut off at the limit.
    chunked = GeneratedBody(1024**3, _multipart_head(token))
    chunked_response, chunked_elapsed, chunked_growth = _timed(
        lambda: focal_client.post(
            url,
            input_stream=chunked,
            content_type=MULTIPART,
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
    )
    stored = _attachment_count(draft.id)
    print(
        f"T-19: body of MAX_CONTENT_LENGTH ({limit}) + 1 byte -> {response.status_code} in "
        f"{elapsed:.3f} s CPU, peak RSS +{growth:.1f} MB, {over.bytes_read} bytes read; "
        f"1 GiB with Content-Length -> {huge_response.status_code} in {huge_elapsed:.3f} s CPU, "
        f"+{huge_growth:.1f} MB, {huge.bytes_read} bytes read; 1 GiB chunked -> "
        f"{chunked_response.status_code} in {chunked_elapsed:.3f} s CPU, +{chunked_growth:.1f} MB, "
        f"{chunked.bytes_read} bytes read; attachments stored {stored}"
    )
    assert (response.status_code, huge_response.status_code) == (413, 413)
    assert chunked_response.status_code == 413
    assert max(elapsed, huge_elapsed, chunked_elapsed) < 1
    assert max(growth, huge_growth, chunked_growth) < 50
    assert over.bytes_read == huge.bytes_read == 0
    assert chunked.bytes_read <= limit + 64 * 1024
    assert stored == 0


def _hub_config_keys() -> set[str]:
    """Keys the Hub's own configuration sets (as opposed to Flask's defaults)."""
    from hub.config import load

    return set(load(tempfile.gettempdir(), {"SECRET_KEY": "x" * 40}))


def test_ten_thousand_part_multipart_request_is_refused_quickly(
    app: Flask, focal_client: FlaskClient, draft: Document
):
    parts = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'
        for i in range(10_000)
    )
    body = io.BytesIO((parts + f"--{BOUNDARY}--\r\n").encode())
    response, elapsed, growth = _timed(
        lambda: focal_client.post(
            f"/workspace/documents/{draft.id}/attachments",
            input_stream=body,
            content_type=MULTIPART,
        )  # fmt: skip
    )
    who = "set by the Hub" if "MAX_FORM_PARTS" in _hub_config_keys() else "Flask's default"
    print(
        f"T-19: 10,000-part multipart ({len(body.getvalue())} bytes) -> {response.status_code} "
        f"in {elapsed:.3f} s CPU, peak RSS +{growth:.1f} MB; MAX_FORM_PARTS = "
        f"{app.config.get('MAX_FORM_PARTS')} ({who})"
    )
    assert 400 <= response.status_code < 500
    assert elapsed < 1 and growth < 50


def test_two_megabytes_in_one_multipart_form_field_are_refused(
    app: Flask, focal_client: FlaskClient
):
    token = csrf_token(focal_client, "/workspace/new/briefs")
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
    ).encode()
    body = GeneratedBody(2 * 1024 * 1024, head)
    response, elapsed, growth = _timed(
        lambda: focal_client.post(
            "/workspace/new/briefs", input_stream=body, content_type=MULTIPART
        )
    )
    db.session.expire_all()
    created = db.session.scalar(select(func.count(Document.id)).where(Document.title == "Big"))
    print(
        f"T-19: 2 MB multipart form field -> {response.status_code} in {elapsed:.3f} s CPU, "
        f"peak RSS +{growth:.1f} MB, {body.bytes_read} bytes read; MAX_FORM_MEMORY_SIZE = "
        f"{app.config.get('MAX_FORM_MEMORY_SIZE')}; drafts made {created}"
    )
    assert response.status_code == 413
    assert elapsed < 1 and growth < 50
    assert created == 0


def test_a_large_url_encoded_form_is_refused_before_it_is_parsed(app: Flask, client: FlaskClient):
    """MAX_FORM_MEMORY_SIZE does not apply to url-encoded bodies (Werkzeug reads them whole), so
    only MAX_CONTENT_LENGTH (25 MB, sized for PDF uploads) bounds what any form, even the
    anonymous login form, parses into memory."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = GeneratedBody(limit - 1024, b"csrf_token=x&email=a%40example.org&password=")
    response, elapsed, growth = _timed(
        lambda: client.post(
            "/login", input_stream=body, content_type="application/x-www-form-urlencoded"
        )
    )
    print(
        f"T-19: anonymous url-encoded POST /login of {body.size / 2**20:.1f} MB (under "
        f"MAX_CONTENT_LENGTH {limit / 2**20:.0f} MB) -> {response.status_code} in "
        f"{elapsed:.3f} s CPU, peak RSS +{growth:.1f} MB, {body.bytes_read} bytes read"
    )
    assert response.status_code == 413
    assert elapsed < 1 and growth < 50


def test_per_user_upload_quota_limits_files_and_bytes(
    app: Flask, focal_client: FlaskClient, draft: Document
):
    quota_keys = sorted(k for k in app.config if "QUOTA" in k)
    print(
        f"T-19: per-user upload quota settings: {quota_keys or 'none'} "
        "(without one a focal point can fill the disk 25 MB at a time)"
    )
    assert quota_keys, "there is no per-user upload quota (files and bytes)"
    app.config.update({k: 1 for k in quota_keys})  # the smallest quota: one file, one byte
    first = upload(focal_client, draft.id, Sample("one", plain_pdf(), "one.pdf"))
    second = upload(focal_client, draft.id, Sample("two", plain_pdf(), "two.pdf"))
    assert first.status_code < 500 and second.status_code < 500
    assert _attachment_count(draft.id) <= 1
