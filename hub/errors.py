"""Domain errors, and the one place that turns them (and HTTP errors) into pages or JSON."""

from __future__ import annotations

import errno
import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)


class HubError(Exception):
    """Base of errors a user can cause; ``status`` is the HTTP status that describes it.

    Without a message the standard help text for the status is shown.
    """

    status = 400

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self._message = message

    @property
    def message(self) -> str:
        if self._message is not None:
            return str(self._message)
        helper = HELP.get(self.status)
        return helper() if helper else ""


class Invalid(HubError):
    status = 400


class NotAllowed(HubError):
    status = 403


class NotFound(HubError):
    status = 404


class Conflict(HubError):
    status = 409


class InvalidTransition(Conflict):
    pass


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, title: str, message: str):  # noqa: ANN202
    if _wants_json():
        return {"error": {"status": status, "title": title, "message": message}}, status
    return render_template("error.html", status=status, title=title, message=message), status


HELP = {
    400: lambda: _(
        "The request could not be understood. Check the address or the form and try again."
    ),
    403: lambda: _("You do not have permission to see this page."),
    404: lambda: _(
        "We could not find that page. It may have moved or been withdrawn, or the address may "
        "be mistyped. Try the search or the guidebook below."
    ),
    405: lambda: _("This address does not accept that kind of request."),
    413: lambda: _("The upload is too large."),
    500: lambda: _(
        "Something went wrong on our side. The error has been logged; please try again."
    ),
    503: lambda: _("The Hub is busy. Nothing was saved; please try again in a moment."),
    507: lambda: _(
        "The server has run out of storage space, so nothing was saved. The administrators "
        "have been alerted; please try again later."
    ),
}

# Out of space on disk or over quota: a save or upload that cannot be stored is the server's
# condition, not a bug, so it is a 507 with a message rather than a 500.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
STORAGE_MESSAGES = ("database or disk is full", "no space left on device")
# PostgreSQL: disk_full.
STORAGE_SQLSTATES = frozenset({"53100"})
BUSY_MESSAGES = ("database is locked",)


def _causes(error: BaseException) -> list[BaseException]:
    """The error, the driver error SQLAlchemy wraps (``orig``) and the chain that led to it."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return seen


def server_condition(error: BaseException) -> int | None:
    """507 when ``error`` comes from a full disk (ENOSPC, EDQUOT, SQLite's "database or disk
    is full", PostgreSQL's disk_full), 503 when the database stayed locked; None otherwise."""
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno in STORAGE_ERRNOS:
            return 507
        text = str(cause).lower()
        if getattr(cause, "sqlstate", None) in STORAGE_SQLSTATES:
            return 507
        if any(message in text for message in STORAGE_MESSAGES):
            return 507
        if any(message in text for message in BUSY_MESSAGES):
            return 503
    return None


def _discard_transaction() -> None:
    """The failed flush left the session unusable; the error page may read the database."""
    from hub.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the rollback itself may hit the same disk; the page must still go out
        log.warning("rollback after a storage error failed", exc_info=True)


def _audit(action: str, outcome: str, **extra: str) -> None:
    from flask_login import current_user

    from hub import audit

    user = current_user if current_user and current_user.is_authenticated else None
    audit.log(action, outcome, user=user, obj=f"{request.method} {request.path}", **extra)


def register(app: Flask) -> None:
    @app.errorhandler(HubError)
    def hub_error(error: HubError):  # noqa: ANN202
        if isinstance(error, NotAllowed):
            _audit("forbidden", "denied")
        return _respond(error.status, HTTP_STATUS_CODES.get(error.status, ""), error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        _audit("csrf", "rejected", reason=error.description)
        message = _(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again."
        )
        return _respond(400, HTTP_STATUS_CODES[400], message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        status = error.code or 500
        helper = HELP.get(status)
        message = helper() if helper else (error.description or "")
        if status == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            message = _("The upload is larger than the limit of %(mb)s MB.", mb=limit)
        return _respond(status, error.name, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        status = server_condition(error)
        if status is not None:
            _discard_transaction()
            log.error("%s on %s %s: %s", status, request.method, request.path, error)
            response = _respond(status, HTTP_STATUS_CODES[status], HELP[status]())
            return (*response, {"Retry-After": "60" if status == 507 else "5"})
        # Never show a traceback: log it and show a page that helps.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, HTTP_STATUS_CODES[500], HELP[500]())
