"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), loaded as a pytest plugin by conftest.

Tests send through smtplib exactly as production does and read what arrived in
``smtp_server.messages``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd 1.4 cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class MailServer:
    """Collects every message the server accepts; aiosmtpd calls ``handle_DATA`` in its thread."""

    def __init__(self, port: int) -> None:
        self.host = HOST
        self.port = port
        self.messages: list[EmailMessage] = []
        # (MAIL FROM, RCPT TO list) of each message, in the same order as ``messages``.
        self.envelopes: list[tuple[str, list[str]]] = []
        # Recipients the server answers with "550 no such user".
        self.refuse: set[str] = set()
        self._arrived = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # SMTP carries CRLF line ends; tests compare with the "\n" text they passed in.
        data = envelope.original_content.replace(b"\r\n", b"\n")
        message = message_from_bytes(data, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def configure(self, app: Flask) -> None:
        """Point the app's mail settings at this server (plain SMTP, no login)."""
        app.config.update(
            MAIL_SERVER=self.host, MAIL_PORT=self.port, MAIL_USE_TLS=False, MAIL_USERNAME=""
        )

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until ``count`` messages arrived; fail the test after ``timeout`` seconds."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
            return list(self.messages)


@contextmanager
def running_server(**smtp_options: Any) -> Iterator[MailServer]:
    """Start a server for the block; ``smtp_options`` go to aiosmtpd's SMTP (e.g. auth)."""
    server = MailServer(free_port())
    controller = Controller(
        server, hostname=HOST, port=server.port, enable_SMTPUTF8=True, **smtp_options
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    with running_server() as server:
        yield server
