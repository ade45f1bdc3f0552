"""What a crash left half done is queued again when a worker starts (immediate mode here: the
recovered jobs run at once)."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

from sqlalchemy import select

from hub.dbtypes import utcnow
from hub.documents.models import Attachment, ExtractionStatus
from hub.extensions import db
from hub.jobs.models import FailedJob, MailStatus, OutgoingMail
from hub.jobs.recovery import recover_unfinished


def _mail(status: MailStatus, *, claimed_ago: int | None = None, handed_over: bool = False) -> int:
    claimed_at = utcnow() - timedelta(seconds=claimed_ago) if claimed_ago is not None else None
    row = OutgoingMail(
        recipients=json.dumps(["ana@example.org"]), subject=f"Left {status.value}",
        body="Body\n", message_id=f"<left-{status.value}-{claimed_ago}@localhost>",
        status=status, attempts=0, refused="", last_error="", claimed_at=claimed_at,
        handed_over_at=claimed_at if handed_over else None,
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


def _status(mail_id: int) -> MailStatus:
    db.session.expire_all()
    return db.session.get(OutgoingMail, mail_id).status


def test_a_pending_extraction_is_done_at_start(app, pending_attachment):
    found = recover_unfinished(at_start=True)

    assert found.extractions == [pending_attachment.id]
    db.session.expire_all()
    row = db.session.get(Attachment, pending_attachment.id)
    assert row.extraction_status is ExtractionStatus.OK


def test_queued_mail_and_stale_claims_before_smtp_are_sent_at_start(app, smtp_server):
    smtp_server.configure(app)
    queued = _mail(MailStatus.QUEUED)
    abandoned = _mail(MailStatus.SENDING, claimed_ago=3600)

    found = recover_unfinished(at_start=True)

    assert sorted(found.mails) == sorted([queued, abandoned])
    assert sorted(m["Subject"] for m in smtp_server.wait_for(2)) == ["Left queued", "Left sending"]
    assert _status(queued) is _status(abandoned) is MailStatus.SENT


def test_a_fresh_claim_is_left_to_the_worker_that_holds_it(app, smtp_server):
    smtp_server.configure(app)
    busy = _mail(MailStatus.SENDING, claimed_ago=5)

    found = recover_unfinished(at_start=True)

    assert found.mails == [] and _status(busy) is MailStatus.SENDING
    assert smtp_server.messages == []


def test_a_mail_handed_to_the_server_is_not_resent_but_listed(app, smtp_server):
    smtp_server.configure(app)
    unsure = _mail(MailStatus.SENDING, claimed_ago=3600, handed_over=True)

    found = recover_unfinished(at_start=True)

    assert found.uncertain == [unsure] and found.mails == []
    assert _status(unsure) is MailStatus.UNCERTAIN and smtp_server.messages == []
    failure = db.session.scalar(select(FailedJob))
    assert failure.name == "resend_mail" and failure.is_final
    assert "<left-sending-3600@localhost>" in failure.error


def test_later_runs_leave_recent_work_to_the_queue(app, pending_attachment):
    found = recover_unfinished()

    assert found.extractions == []
    db.session.expire_all()
    assert (
        db.session.get(Attachment, pending_attachment.id).extraction_status
        is ExtractionStatus.PENDING
    )


def test_recovery_removes_an_interrupted_uploads_old_temporary_file_and_keeps_a_young_one(app):
    from hub.documents import files
    from hub.files import PARTIAL_PREFIX

    folder = files.attachments_root() / "ab"
    folder.mkdir(parents=True)
    old, young = folder / f"{PARTIAL_PREFIX}killed", folder / f"{PARTIAL_PREFIX}writing"
    for path in (old, young):
        path.write_bytes(b"%PDF-half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    found = recover_unfinished(at_start=True)

    assert found.swept == [old.name]
    assert not old.exists() and young.exists()


def test_sweep_command_reports_what_it_removed(app, runner):
    from hub.documents import files
    from hub.files import PARTIAL_PREFIX

    leftover = files.attachments_root() / "cd" / f"{PARTIAL_PREFIX}killed"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-half")

    result = runner.invoke(args=["hub", "sweep-partial-files", "--older-than", "0"])

    assert result.exit_code == 0, result.output
    assert "1 temporary file(s) removed" in result.output and not leftover.exists()
