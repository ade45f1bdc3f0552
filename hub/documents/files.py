"""Storing attachment files: server-made names, atomic writes (hub/files.py), content checks."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file

from hub.errors import Invalid, NotFound
from hub.files import SWEEP_AFTER_SECONDS, atomic_write, sweep_partial_files

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
    """Copy a PDF into the attachment store, all or nothing (``hub.files.atomic_write``),
    streaming it so a large upload is never held in memory whole."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    stored_name = f"{uuid.uuid4().hex}.pdf"
    target = path_for(stored_name)
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src:
        if not is_pdf(src.read(8)):
            raise Invalid(f"{source.name} is not a PDF file")
        if os.fstat(src.fileno()).st_size > limit:
            raise Invalid(f"{source.name} is larger than {limit // (1024 * 1024)} MB")
        src.seek(0)
        with atomic_write(target) as out:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                size += len(chunk)
                if size > limit:  # the source grew while we copied it
                    raise Invalid(f"{source.name} is larger than {limit // (1024 * 1024)} MB")
                digest.update(chunk)
                out.write(chunk)
    return StoredFile(stored_name, size, digest.hexdigest(), target)


def sweep_partial_uploads(*, older_than: float = SWEEP_AFTER_SECONDS) -> list[Path]:
    """Remove temporary files of stores that a crash interrupted (start-up or a command)."""
    return sweep_partial_files(attachments_root(), older_than=older_than)
