"""Text extraction is the ``extract_attachment_text`` job, run here through the queue's own entry
point (immediate mode), as a worker runs it."""

from __future__ import annotations

from hub.documents import editing
from hub.documents.models import Attachment, ExtractionStatus, Status
from hub.extensions import db
from hub.jobs import enqueue
from tests import factories


def test_queued_extraction_fills_in_the_text(app, pending_attachment):
    enqueue("extract_attachment_text", pending_attachment.id)

    db.session.expire_all()
    row = db.session.get(Attachment, pending_attachment.id)
    assert row.extraction_status is ExtractionStatus.OK
    assert "Seed banks for climate resilience" in row.text and row.page_count == 1


def test_running_the_extraction_twice_changes_nothing(app, pending_attachment):
    enqueue("extract_attachment_text", pending_attachment.id)
    db.session.expire_all()
    first = db.session.get(Attachment, pending_attachment.id)
    first.text = "kept as it is"  # a second run must not extract again
    db.session.commit()

    enqueue("extract_attachment_text", pending_attachment.id)

    db.session.expire_all()
    assert db.session.get(Attachment, pending_attachment.id).text == "kept as it is"


def test_an_upload_queues_the_extraction_of_its_text(app, tmp_path):
    doc = factories.document(status=Status.DRAFT, country_code="GHA")
    focal = factories.user(country_code="GHA")
    source = tmp_path / "annex.pdf"
    source.write_bytes(factories.pdf_bytes("Mangrove restoration in the Volta delta"))

    attachment = editing.attach_pdf(doc, source, "annex.pdf", by=focal)

    db.session.expire_all()
    row = db.session.get(Attachment, attachment.id)
    assert row.extraction_status is ExtractionStatus.OK
    assert "Mangrove restoration" in row.text
