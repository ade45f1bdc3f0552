"""``flask hub serve`` in a child process: it answers HTTP, runs queued jobs with its embedded
worker, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request

from sqlalchemy import select

from hub.config import PROJECT_ROOT
from hub.extensions import db
from hub.jobs.models import MailStatus, OutgoingMail
from hub.mail import send_mail
from tests.jobs.support import FLASK, Worker, queue_on_disk, wait_until
from tests.mailserver import free_port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status
    except OSError:
        return 0


def test_serve_answers_http_runs_jobs_and_stops_cleanly(app, database_url, tmp_path, smtp_server):
    with queue_on_disk(app, tmp_path):
        send_mail("ana@example.org", "Queued before the server started", "Body\n")
    env = Worker(database_url, tmp_path, HUB_MAIL_SERVER=smtp_server.host,
                 HUB_MAIL_PORT=str(smtp_server.port)).env  # fmt: skip
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [FLASK, "--app", "wsgi", "hub", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: _get(f"http://127.0.0.1:{port}/health") == 200, timeout=60,
                   what=f"/health to answer:\n{log.read_text()}")  # fmt: skip
        [message] = smtp_server.wait_for(1, timeout=60)
    finally:
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=90)
    assert code == 0, log.read_text()[-3000:]
    assert time.monotonic() - started < 60
    assert "Stopped." in log.read_text()
    assert message["Subject"] == "Queued before the server started"
    db.session.expire_all()
    assert db.session.scalar(select(OutgoingMail.status)) is MailStatus.SENT
