"""Security event log: one JSON line per event, in UTC, with user, IP, action, object, outcome.

Passwords, tokens and session cookies never reach it: callers pass only ids and outcomes, and
json.dumps escapes control characters, so a user name with CR/LF cannot forge a line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request

LOGGER_NAME = "hub.audit"


def configure(app: Flask) -> None:
    """Make sure the log's folder exists; each event is appended by ``log``."""
    Path(app.config["AUDIT_LOG"]).parent.mkdir(parents=True, exist_ok=True)


def log(action: str, outcome: str, *, user: Any = None, obj: Any = None, **extra: Any) -> None:
    """Record one security event. ``obj`` is a model (its class and id are logged) or a string."""
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "action": action,
        "outcome": outcome,
        "user": getattr(user, "id", None) if user is not None else None,
        "ip": request.remote_addr if has_request_context() else None,
        "object": _describe(obj),
    }
    record.update({k: v for k, v in extra.items() if k not in record})
    line = json.dumps(record, ensure_ascii=True, default=str) + "\n"
    # One write() of a short line in append mode: lines from several worker processes never
    # interleave, and each app (or test) writes to the file its own settings name.
    with open(current_app.config["AUDIT_LOG"], "a", encoding="utf-8") as fh:
        fh.write(line)
    logging.getLogger(LOGGER_NAME).debug(line.rstrip())


def _describe(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    return f"{type(obj).__name__.lower()}:{getattr(obj, 'id', '?')}"
