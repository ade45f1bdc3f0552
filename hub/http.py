"""Reading request input with clear errors instead of silent defaults."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext as _

from hub.errors import Invalid


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
    """A version or id posted back by our own form; -1 (never a real one) when it is missing or
    garbled, so the service answers "changed meanwhile" or "not found" rather than a 500."""
    try:
        return int(value or "")
    except ValueError:
        return -1


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
