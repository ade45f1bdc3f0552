"""Keeping robots out of the public form without any third-party service.

Three checks, each cheap for a person and costly for a script:
- a honeypot field that people never see (it is labelled "leave empty" for screen readers);
- a signed token with the time the form was served: a form sent back sooner than a person can
  fill it in, or days later, is refused with a message and the input kept;
- a per-address limit on accepted expressions of interest (and on PDFs stored for the form),
  counted by the Hub's one rate limiter (hub/ratelimit.py), so every worker process sees the
  same number.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from hub import ratelimit
from hub.errors import HubError

SALT = "application-form-time"
MIN_FILL_SECONDS = 5  # the form has some twenty fields; no one fills it in faster
MAX_FORM_AGE = 2 * 24 * 3600  # a form left open over a weekend is fine; older ones are refused
RATE_LIMIT = 5  # accepted expressions of interest per address ...
UPLOAD_LIMIT = 20  # ... and PDFs stored for the form (kept while other answers are corrected) ...
RATE_WINDOW = timedelta(hours=24)  # ... in this window
SUBMISSIONS = ratelimit.Limit("application-submission", RATE_LIMIT, RATE_WINDOW)
UPLOADS = ratelimit.Limit("application-upload", UPLOAD_LIMIT, RATE_WINDOW)


class SpamSuspected(HubError):
    status = 400


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


def check_upload_limit(ip: str) -> None:
    """Files are stored before the form is accepted (so a good PDF survives another answer's
    error); this bounds what one address can store that way."""
    if ratelimit.is_exceeded(UPLOADS, ratelimit.key_of(ip), adding=1):
        raise ratelimit.LimitReached(
            _(
                "Too many files were sent from your network in the last 24 hours. Send the "
                "form without the PDF, or try again tomorrow."
            )
        )


def record_upload(ip: str) -> None:
    ratelimit.record(UPLOADS, ratelimit.key_of(ip))


def _submissions() -> ratelimit.Limit:
    """The submission limit, which a deployment may set (``APPLICATION_RATE_LIMIT``)."""
    allowed = current_app.config.get("APPLICATION_RATE_LIMIT", RATE_LIMIT)
    return dataclasses.replace(SUBMISSIONS, allowed=allowed)


def check_rate_limit(ip: str) -> None:
    if ratelimit.is_exceeded(_submissions(), ratelimit.key_of(ip), adding=1):
        raise ratelimit.LimitReached(
            _(
                "Too many expressions of interest were sent from your network in the last 24 "
                "hours. Your answers are kept below; please try again tomorrow or write to the "
                "Secretariat."
            )
        )


def record_submission(ip: str) -> None:
    """Count an accepted submission (added to the caller's transaction)."""
    ratelimit.record(_submissions(), ratelimit.key_of(ip))
