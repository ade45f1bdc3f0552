"""Storing attachment files: server-made names, atomic writes, content checks."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file

from hub.errors import Invalid, NotFound

PDF_MAGIC = b"%PDF-"


@dataclass
class StoredFile:
    stored_name: str
    size: int
    sha256: str
    path: Path


def attachments_root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "attachments"


def path_for(stored_name: str) -> Path:
    """Where a stored file lives; the name is ours (uuid hex), never the uploader's."""
    if not stored_name.replace(".", "").isalnum():
        raise ValueError("bad stored name")
    return attachments_root() / stored_name[:2] / stored_name


def send_pdf(stored_name: str, download_name: str, *, missing: str) -> Response:
    """A stored PDF as a download, sandboxed: a crafted PDF opened in the browser can run no
    script and reach nothing. ``missing`` is the message when storage has lost the file."""
    path = path_for(stored_name)
    if not path.is_file():
        raise NotFound(missing)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; sandbox; frame-ancestors 'none'"
    )
    return response


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_pdf(head: bytes) -> bool:
    # PDF readers accept the header within the first 1 KB; we insist on it at the start.
    return head.startswith(PDF_MAGIC)


def store_pdf(source: Path) -> StoredFile:
    """Copy a PDF into the attachment store: temp file, fsync, rename, directory fsync."""
    data = source.read_bytes()
    if not is_pdf(data[:8]):
        raise Invalid(f"{source.name} is not a PDF file")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if len(data) > limit:
        raise Invalid(f"{source.name} is larger than {limit // (1024 * 1024)} MB")
    stored_name = f"{uuid.uuid4().hex}.pdf"
    target = path_for(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return StoredFile(stored_name, len(data), hashlib.sha256(data).hexdigest(), target)
