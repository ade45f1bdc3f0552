"""Crashes of a real worker (``flask hub worker`` in a child process, SQLite queue), killed with
SIGKILL mid-job and started again: nothing is lost and no mail is sent twice.

The worker is stopped at an exact point by holding the database's write lock just before it, so
its next commit waits, then killing it (tests/jobs/support.py). The crash windows are those of
hub/jobs/delivery.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from hub.documents.models import Attachment, ExtractionStatus
from hub.extensions import db
from hub.jobs import enqueue
from hub.jobs.models import FailedJob, MailStatus, OutgoingMail
from hub.mail import send_mail
from tests.jobs.support import Worker, WriteLock, queue_on_disk, wait_until
from tests.mailserver import HOST, MailServer, free_port


class StoppingServer(MailServer):
    """A mail server that runs ``on_ehlo`` / ``on_data`` at the first EHLO / DATA it sees."""

    def __init__(self, port: int, on_ehlo: Any = None, on_data: Any = None) -> None:
        super().__init__(port)
        self.on_ehlo, self.on_data = on_ehlo, on_data

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.on_ehlo is not None:
            hook, self.on_ehlo = self.on_ehlo, None
            hook()
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.on_data is not None:
            hook, self.on_data = self.on_data, None
            hook()  # the message is stored; the 250 goes out after this returns
        return answer


def _accept_hub(*hook_args: Any) -> AuthResult:
    return AuthResult(success=hook_args[-1] == LoginPassword(b"hub", b"mail-secret"), handled=False)


@pytest.fixture
def server_factory():
    controllers = []

    def start(**hooks: Any) -> StoppingServer:
        server = StoppingServer(free_port(), **hooks)
        controller = Controller(server, hostname=HOST, port=server.port, enable_SMTPUTF8=True,
                                authenticator=_accept_hub, auth_require_tls=False)  # fmt: skip
        controller.start()
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def workers():
    """Every worker a test starts is stopped at its end, even when the test fails."""
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.process is not None:
            worker.stop()


def _worker(database_url: str, tmp_path, server: StoppingServer, workers: list) -> Worker:
    worker = Worker(database_url, tmp_path, HUB_MAIL_SERVER=server.host,
                    HUB_MAIL_PORT=str(server.port), HUB_MAIL_USERNAME="hub",
                    HUB_MAIL_PASSWORD="mail-secret", HUB_JOBS_CLAIM_TIMEOUT="1")  # fmt: skip
    workers.append(worker)
    return worker


def _mail_row() -> OutgoingMail:
    db.session.expire_all()
    return db.session.scalar(select(OutgoingMail))


def _crash_while_locked(worker: Worker, lock: WriteLock) -> None:
    """Wait for the lock to be taken, give the worker time to block on it, kill, release."""
    assert lock.taken.wait(60), worker.log.read_text()[-3000:]
    time.sleep(0.5)
    worker.kill()
    lock.release()


def test_a_crash_before_smtp_sends_the_mail_once_after_restart(
    app, database_url, tmp_path, server_factory, workers
):
    lock = WriteLock(database_url, "outgoing_mail")
    server = server_factory(on_ehlo=lock.take)  # after the claim, before the hand-over commit
    with queue_on_disk(app, tmp_path):
        send_mail("ana@example.org", "Crash before SMTP", "Body\n")
    worker = _worker(database_url, tmp_path, server, workers)
    worker.start()
    _crash_while_locked(worker, lock)
    row = _mail_row()
    assert row.status is MailStatus.SENDING and row.handed_over_at is None
    assert server.messages == []

    time.sleep(1.2)  # the dead worker's claim is now older than JOBS_CLAIM_TIMEOUT
    worker.start()
    wait_until(lambda: _mail_row().status is MailStatus.SENT, what="the mail to be sent")
    time.sleep(2)  # time for a duplicate to arrive, if there were one
    assert worker.stop() == 0

    assert [m["Subject"] for m in server.messages] == ["Crash before SMTP"]
    assert server.messages[0]["Message-ID"] == row.message_id
    print(f"\ncrash before SMTP: 1 mail queued, {len(server.messages)} received after restart")


def test_a_crash_after_the_server_accepted_never_resends(
    app, database_url, tmp_path, server_factory, workers
):
    lock = WriteLock(database_url, "outgoing_mail")
    server = server_factory(on_data=lock.take)  # accepted; "sent" not yet committed
    with queue_on_disk(app, tmp_path):
        send_mail("ana@example.org", "Crash after SMTP", "Body\n")
    worker = _worker(database_url, tmp_path, server, workers)
    worker.start()
    _crash_while_locked(worker, lock)
    assert _mail_row().status is MailStatus.SENDING and _mail_row().handed_over_at is not None

    time.sleep(1.2)
    worker.start()
    wait_until(lambda: _mail_row().status is MailStatus.UNCERTAIN, what="the mail to be listed")
    time.sleep(2)
    assert worker.stop() == 0

    assert [m["Subject"] for m in server.messages] == ["Crash after SMTP"]
    failure = db.session.scalar(select(FailedJob))
    assert failure.name == "resend_mail" and _mail_row().message_id in failure.error
    print(
        f"\ncrash after SMTP: 1 mail queued, {len(server.messages)} received, listed as uncertain"
    )


def test_a_crash_during_extraction_is_finished_after_restart(
    app, database_url, tmp_path, pending_attachment, workers
):
    lock = WriteLock(database_url, "attachments")
    with queue_on_disk(app, tmp_path):
        enqueue("extract_attachment_text", pending_attachment.id)
    lock.take()  # the worker reads and extracts, but cannot write the text
    worker = Worker(database_url, tmp_path)
    workers.append(worker)
    worker.start()
    worker.wait_for_log("Executing hub.jobs.queue.extract_attachment_text")
    time.sleep(1)
    worker.kill()
    lock.release()
    db.session.expire_all()
    row = db.session.get(Attachment, pending_attachment.id)
    assert row.extraction_status is ExtractionStatus.PENDING

    worker.start()

    def extracted() -> bool:
        db.session.expire_all()
        status = db.session.get(Attachment, pending_attachment.id).extraction_status
        return status is ExtractionStatus.OK

    wait_until(extracted, what="the text to be extracted")
    assert worker.stop() == 0
    assert "Seed banks for climate resilience" in row.text
