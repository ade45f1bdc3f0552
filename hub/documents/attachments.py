"""Turning a PDF file into an Attachment: store it under our own name, then extract its text."""

from __future__ import annotations

from pathlib import Path

from hub.documents import files
from hub.documents.extraction import extract_text
from hub.documents.models import Attachment, ExtractionStatus


def attachment_from_file(source: Path, *, filename: str, position: int = 0) -> Attachment:
    """Store ``source`` (raises Invalid if it is not an acceptable PDF) and build its row.

    A PDF whose text cannot be read is still attached, marked "failed", so nothing is lost.
    """
    kept = files.store_pdf(source)
    result = extract_text(kept.path)
    return Attachment(
        filename=filename,
        stored_name=kept.stored_name,
        size=kept.size,
        sha256=kept.sha256,
        text=result.text,
        page_count=result.page_count,
        extraction_status=ExtractionStatus.OK if result.ok else ExtractionStatus.FAILED,
        extraction_error=result.error,
        position=position,
    )
