"""Where the queue keeps its jobs, from the settings: in memory and run at once under TESTING, an
SQLite file by default, Redis when ``JOBS_REDIS_URL`` is set (db 2 of the local Redis here)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import select

from hub import config as hub_config
from hub.extensions import db
from hub.jobs import queue, runner
from hub.jobs.models import MailStatus, OutgoingMail
from hub.mail import send_mail
from tests.jobs.support import wait_until

REDIS_URL = os.environ.get("HUB_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/2")


def _settings(tmp_path: Path, **overrides: object) -> dict:
    return hub_config.load(
        str(tmp_path / "instance"), {"DATA_DIR": str(tmp_path / "d"), **overrides}
    )


def test_tests_run_jobs_at_once_in_memory(tmp_path):
    huey, shared = queue.build_huey(_settings(tmp_path, TESTING=True))

    assert isinstance(huey, MemoryHuey) and huey.immediate and not shared


def test_the_default_queue_is_an_sqlite_file_in_the_data_folder(tmp_path):
    settings = _settings(tmp_path)
    huey, shared = queue.build_huey(settings)

    assert isinstance(huey, SqliteHuey) and not huey.immediate and not shared
    assert settings["JOBS_SQLITE_PATH"] == str(tmp_path / "d" / "jobs.sqlite")
    assert settings["JOBS_RETRIES"] > 0


def test_a_redis_url_shares_the_queue_between_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_JOBS_REDIS_URL", REDIS_URL)
    huey, shared = queue.build_huey(_settings(tmp_path))

    assert isinstance(huey, RedisHuey) and shared


def test_a_mail_goes_through_redis_to_a_worker(app, smtp_server):
    smtp_server.configure(app)
    app.config.update(JOBS_IMMEDIATE=False, JOBS_REDIS_URL=REDIS_URL)
    queue.init_app(app)
    huey = queue.jobs_of(app).huey
    huey.flush()
    assert send_mail("ana@example.org", "Through Redis", "Body\n") is True
    consumer = runner.start_in_process(app, workers=1)
    try:
        [message] = smtp_server.wait_for(1, timeout=30)
        wait_until(lambda: _status() is MailStatus.SENT, timeout=30, what="the row marked sent")
    finally:
        consumer.stop(graceful=True)
        huey.flush()
    assert message["Subject"] == "Through Redis"
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1  # the recovery at start queued it again: sent once


def _status() -> MailStatus:
    db.session.expire_all()
    return db.session.scalar(select(OutgoingMail.status))
