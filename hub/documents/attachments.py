"""Turning a PDF file into an Attachment: store it under our own name, then extract its text."""

from __future__ import annotations

from pathlib import Path

from hub.documents import files
from hub.documents.extraction import extract_text
from hub.documents.models import Attachment, ExtractionStatus


def attachment_from_file(
    source: Path, *, filename: str, position: int = 0, extract: bool = True
) -> Attachment:
    """Store ``source`` (raises Invalid if it is not an acceptable PDF) and build its row.

    With ``extract=False`` the text is left "pending" for the ``extract_attachment_text`` job
    (hub/jobs), which a worker runs after the request; a crash leaves it pending, and the
    worker's recovery queues it again.
    A PDF whose text cannot be read is still attached, marked "failed", so nothing is lost.
    """
    kept = files.store_pdf(source)
    attachment = Attachment(
        filename=filename,
        stored_name=kept.stored_name,
        size=kept.size,
        sha256=kept.sha256,
        position=position,
        extraction_status=ExtractionStatus.PENDING,
    )
    if extract:
        extract_into(attachment)
    return attachment


def extract_into(attachment: Attachment) -> None:
    """Run the sandboxed extraction for a stored attachment and record the outcome."""
    result = extract_text(files.path_for(attachment.stored_name))
    attachment.text = result.text
    attachment.page_count = result.page_count
    attachment.extraction_status = ExtractionStatus.OK if result.ok else ExtractionStatus.FAILED
    attachment.extraction_error = result.error
