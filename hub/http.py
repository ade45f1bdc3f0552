"""Reading request input with clear errors instead of silent defaults.

Every whole number the Hub reads from a request is range-checked here, once: ids and numbers in
URLs by ``reject_ids_out_of_range`` (a number no row can have answers 404), query parameters by
``int_arg`` (400 with a message), and numbers our own forms post back by ``form_int``. The bound
is the database's INTEGER: PostgreSQL's is 32-bit, and a larger number sent to it is an error,
not "no such row".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import gettext as _

from hub.errors import Invalid

DB_INT_MAX = 2**31 - 1


def reject_ids_out_of_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A URL value preprocessor: a number in the URL that no row can have is 404 before any
    view, CSRF check or query runs. (A bounded URL converter would do the same for GET, but
    Werkzeug answers 405 for a POST to a path that also has a GET rule.)"""
    for value in (values or {}).values():
        if isinstance(value, int) and not 0 <= value <= DB_INT_MAX:
            abort(404)


def int_arg(name: str, default: int, *, low: int = 1, high: int = 10_000) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(_("'%(name)s' must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise Invalid(
            _("'%(name)s' must be between %(low)d and %(high)d.", name=name, low=low, high=high)
        )
    return value


def form_int(value: str | None) -> int:
    """A version or id posted back by our own form; -1 (never a real one) when it is missing,
    garbled or out of range, so the service answers "changed meanwhile" or "not found" rather
    than a 500."""
    try:
        number = int(value or "")
    except ValueError:
        return -1
    return number if 0 <= number <= DB_INT_MAX else -1


def choice_arg(name: str, choices: set[str]) -> str | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices:
        raise Invalid(_("Unknown value for '%(name)s'.", name=name))
    return raw


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it is a path on this site (no scheme, host or tricks)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 33 or c == "\\" for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
