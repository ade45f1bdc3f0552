"""Security event log: one JSON line per event, in UTC, with user, IP, action, object, outcome.

Passwords, tokens and session cookies never reach it: callers pass only ids and outcomes, and
json.dumps escapes control characters, so a user name with CR/LF cannot forge a line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, has_request_context, request

LOGGER_NAME = "hub.audit"


def configure(app: Flask) -> None:
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    path = app.config["AUDIT_LOG"]
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)


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
    logging.getLogger(LOGGER_NAME).info(json.dumps(record, ensure_ascii=True, default=str))
    if current_app and current_app.testing:
        for handler in logging.getLogger(LOGGER_NAME).handlers:
            handler.flush()


def _describe(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    return f"{type(obj).__name__.lower()}:{getattr(obj, 'id', '?')}"
