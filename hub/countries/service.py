"""Country look-ups shared by pages and search.

Names and codes are reference data that change only when reference data is reloaded, yet every
search result shows a country name; so the table is read once per process and database and kept
for a few minutes instead of being queried on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from hub.countries.models import Country
from hub.extensions import db

CACHE_SECONDS = 300


@dataclass
class _Table:
    loaded_at: float = 0.0
    names: dict[str, str] = field(default_factory=dict)
    # lower-cased ISO3, ISO2 and name -> ISO3
    lookup: dict[str, str] = field(default_factory=dict)


_tables: dict[str, _Table] = {}
_lock = threading.Lock()


def _table() -> _Table:
    key = str(db.engine.url)
    table = _tables.get(key)
    if table is not None and time.monotonic() - table.loaded_at < CACHE_SECONDS:
        return table
    fresh = _Table(loaded_at=time.monotonic())
    for iso3, iso2, name in db.session.execute(select(Country.iso3, Country.iso2, Country.name)):
        fresh.names[iso3] = name
        for alias in (iso3, iso2, name):
            if alias:
                fresh.lookup.setdefault(alias.lower(), iso3)
    with _lock:
        _tables[key] = fresh
    return fresh


def forget_cached_countries() -> None:
    """Drop the cached table (after reference data is reloaded)."""
    with _lock:
        _tables.clear()


def country_names(iso3_codes: Iterable[str]) -> dict[str, str]:
    codes = {c for c in iso3_codes if c}
    if not codes:
        return {}
    names = _table().names
    return {code: names[code] for code in codes if code in names}


def resolve_country(value: str) -> str | None:
    """An ISO3 code from a code (ISO2 or ISO3) or a country name, case-insensitively."""
    return _table().lookup.get(value.strip().lower())
