"""Keeping robots out of the public form without any third-party service.

Three checks, each cheap for a person and costly for a script:
- a honeypot field that people never see (it is labelled "leave empty" for screen readers);
- a signed token with the time the form was served: a form sent back sooner than a person can
  fill it in, or days later, is refused with a message and the input kept;
- a per-address limit on accepted expressions of interest, counted in the database so that
  every worker process sees the same number.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from hub.applications.models import SubmissionAttempt
from hub.dbtypes import utcnow
from hub.errors import HubError
from hub.extensions import db

SALT = "application-form-time"
MIN_FILL_SECONDS = 5  # the form has some twenty fields; no one fills it in faster
MAX_FORM_AGE = 2 * 24 * 3600  # a form left open over a weekend is fine; older ones are refused
RATE_LIMIT = 5  # accepted expressions of interest per address ...
UPLOAD_LIMIT = 20  # ... and PDFs stored for the form (kept while other answers are corrected) ...
RATE_WINDOW = timedelta(hours=24)  # ... in this window
SUBMISSION = "submission"
UPLOAD = "upload"


class SpamSuspected(HubError):
    status = 400


class TooManySubmissions(HubError):
    status = 429


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def form_token(issued_at: float | None = None) -> str:
    """The token the form carries; ``issued_at`` (a Unix time) is for tests only."""
    return _serializer().dumps({"t": int(issued_at if issued_at is not None else time.time())})


def check_honeypot(value: str | None) -> None:
    if value:
        raise SpamSuspected(
            _(
                "This expression of interest could not be accepted: the field marked "
                "“leave this empty” was filled in. If you are a person, empty it and send again."
            )
        )


def check_form_token(token: str | None, now: float | None = None) -> None:
    """Refuse a form that was not served by us, was sent back too fast, or is too old."""
    now = now if now is not None else time.time()
    minimum = current_app.config.get("APPLICATION_MIN_FILL_SECONDS", MIN_FILL_SECONDS)
    try:
        issued = float(_serializer().loads(token or "")["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise SpamSuspected(
            _("This form could not be checked. Please look over your answers and send it again.")
        ) from None
    if now - issued < minimum:
        raise SpamSuspected(
            _(
                "The form was sent back faster than a person can fill it in. Please look over "
                "your answers and send it again."
            )
        )
    if now - issued > MAX_FORM_AGE:
        raise SpamSuspected(
            _(
                "This form was opened more than two days ago. Your answers are kept below: "
                "please look them over and send it again."
            )
        )


def _count(ip: str, kind: str) -> int:
    since = utcnow() - RATE_WINDOW
    return db.session.scalar(
        select(func.count(SubmissionAttempt.id)).where(
            SubmissionAttempt.ip == ip,
            SubmissionAttempt.kind == kind,
            SubmissionAttempt.created_at >= since,
        )
    )


def check_upload_limit(ip: str) -> None:
    """Files are stored before the form is accepted (so a good PDF survives another answer's
    error); this bounds what one address can store that way."""
    if _count(ip, UPLOAD) >= UPLOAD_LIMIT:
        raise TooManySubmissions(
            _(
                "Too many files were sent from your network in the last 24 hours. Send the "
                "form without the PDF, or try again tomorrow."
            )
        )


def record_upload(ip: str) -> None:
    db.session.add(SubmissionAttempt(ip=ip[:64], kind=UPLOAD))


def check_rate_limit(ip: str) -> None:
    limit = current_app.config.get("APPLICATION_RATE_LIMIT", RATE_LIMIT)
    if _count(ip, SUBMISSION) >= limit:
        raise TooManySubmissions(
            _(
                "Too many expressions of interest were sent from your network in the last 24 "
                "hours. Your answers are kept below; please try again tomorrow or write to the "
                "Secretariat."
            )
        )


def record_submission(ip: str) -> None:
    """Count an accepted submission (added to the caller's transaction)."""
    db.session.add(SubmissionAttempt(ip=ip[:64], kind=SUBMISSION))
