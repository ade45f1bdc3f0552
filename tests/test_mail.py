"""send_mail through a real SMTP server on 127.0.0.1 (tests/mailserver.py), and console mode."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask

from hub.mail import send_mail
from tests.mailserver import MailServer, free_port, running_server

TOKEN = "tok-3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b"
LINK = f"http://127.0.0.1:5000/accounts/reset/{TOKEN}"
BODY = f"Olá Ana,\n\nChoose your password here:\n{LINK}\n\nThe link works for 60 minutes.\n"


@pytest.fixture(autouse=True)
def _mail_logger_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """migrations/env.py runs fileConfig(), which disables loggers that exist already."""
    monkeypatch.setattr(logging.getLogger("hub.mail"), "disabled", False)


def test_message_arrives_with_headers_and_body(app: Flask, smtp_server: MailServer) -> None:
    smtp_server.configure(app)

    assert send_mail("ana@example.org", "Reset your password", BODY) is True

    [message] = smtp_server.wait_for(1)
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Reset your password"
    assert message["Date"] and message["Message-ID"].endswith("@localhost>")
    assert message.get_content_type() == "text/plain"
    # The long link and the accent survive whatever transfer encoding was chosen.
    assert message.get_content() == BODY
    assert smtp_server.envelopes == [("no-reply@localhost", ["ana@example.org"])]


def test_several_recipients_get_one_message(app: Flask, smtp_server: MailServer) -> None:
    smtp_server.configure(app)
    people = ["ana@example.org", "Kofi Mensah <kofi@example.org>"]

    assert send_mail(people, "New document", "A document waits for review.") is True

    [message] = smtp_server.wait_for(1)
    assert [a.addr_spec for a in message["To"].addresses] == ["ana@example.org", "kofi@example.org"]
    assert smtp_server.envelopes[0][1] == ["ana@example.org", "kofi@example.org"]


def test_console_mode_prints_the_message(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    assert app.config["MAIL_SERVER"] == ""

    assert send_mail("ana@example.org", "Reset your password", BODY) is True

    out = capsys.readouterr().out
    assert "To: ana@example.org" in out
    assert "Subject: Reset your password" in out
    assert "Message-ID: <" in out
    # Decoded, on one line, so a developer can copy the link from the terminal.
    assert LINK in out.splitlines()
    assert "Olá Ana," in out


def test_unreachable_server_returns_false_and_logs_without_body(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        assert send_mail("ana@example.org", "Reset your password", BODY) is False

    [record] = caplog.records
    assert "ana@example.org" in record.getMessage()
    assert "Reset your password" in record.getMessage()
    assert "ConnectionRefusedError" in record.getMessage()
    assert TOKEN not in caplog.text and "Olá" not in caplog.text


def test_refused_recipient_returns_false(
    app: Flask, smtp_server: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.configure(app)
    smtp_server.refuse.add("gone@example.org")

    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        assert send_mail(["ana@example.org", "gone@example.org"], "Hi", BODY) is False
        assert send_mail("gone@example.org", "Hi", BODY) is False

    # The server accepted the message for Ana, so she still gets it.
    assert smtp_server.envelopes == [("no-reply@localhost", ["ana@example.org"])]
    assert len(caplog.records) == 2 and "gone@example.org" in caplog.records[0].getMessage()
    assert TOKEN not in caplog.text


def test_tls_required_but_not_offered_sends_nothing(
    app: Flask, smtp_server: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.configure(app)
    app.config["MAIL_USE_TLS"] = True

    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        assert send_mail("ana@example.org", "Hi", BODY) is False

    assert "SMTPNotSupportedError" in caplog.text
    assert smtp_server.messages == []


def _authenticator(*hook_args: Any) -> AuthResult:
    """aiosmtpd passes (server, session, envelope, mechanism, auth_data)."""
    ok = hook_args[-1] == LoginPassword(b"hub", b"mail-secret")
    return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize(("password", "delivered"), [("mail-secret", True), ("wrong", False)])
def test_login_when_username_is_set(app: Flask, password: str, delivered: bool) -> None:
    with running_server(authenticator=_authenticator, auth_require_tls=False) as server:
        server.configure(app)
        app.config.update(MAIL_USERNAME="hub", MAIL_PASSWORD=password)

        assert send_mail("ana@example.org", "Hi", "Body") is delivered

        assert len(server.messages) == int(delivered)


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("ana@example.org", "Hi\r\nBcc: victim@example.org"),
        ("ana@example.org", "Hi\nX-Injected: yes"),
        ("ana@example.org\r\nBcc: victim@example.org", "Hi"),
        (["ana@example.org", "kofi@example.org\nBcc: victim@example.org"], "Hi"),
    ],
)
def test_line_breaks_in_headers_raise(
    app: Flask, smtp_server: MailServer, to: str | list[str], subject: str
) -> None:
    smtp_server.configure(app)

    with pytest.raises(ValueError, match="line break"):
        send_mail(to, subject, "Body")

    assert smtp_server.messages == []


@pytest.mark.parametrize("to", [[], "", ["ana@example.org", " "]])
def test_missing_recipient_raises(app: Flask, to: str | list[str]) -> None:
    with pytest.raises(ValueError, match="recipient"):
        send_mail(to, "Hi", "Body")
