"""Country look-ups shared by pages and search; the edits of a country's profile (the page that
shows it is hub.countries.profiles) and the overview by region.

Names and codes are reference data that change only when reference data is reloaded, yet every
search result shows a country name; so the table is read once per process and database and kept
for a few minutes instead of being queried on every request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from hub import audit
from hub.countries.models import Country, PartnershipStatus
from hub.errors import Conflict, Invalid
from hub.extensions import db
from hub.permissions import Action, require
from hub.sdg.models import SdgGoal

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


# --- profile edits ---------------------------------------------------------------------------


def profile_token(country: Country) -> str:
    """A fingerprint of the editable parts (priorities and SDGs of focus). The edit form carries
    the one it was opened with; a save whose fingerprint no longer matches would overwrite
    someone else's change, so it is refused. (Country has no version column of its own.)"""
    text = country.priorities + "\x00" + ",".join(str(g.number) for g in country.focus_goals)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


PRIORITIES_MAX = 20_000


def update_profile(
    country: Country, *, priorities: str, goals: list[int], expected_token: str, by: Any
) -> bool:
    """Save a country's priorities (Markdown) and SDGs of focus; returns whether anything
    changed. Raises Conflict when someone else saved since the editor opened the form."""
    require(by, Action.PROFILE_EDIT, country)
    priorities = priorities.replace("\r\n", "\n").strip()
    if len(priorities) > PRIORITIES_MAX:
        raise Invalid(_("Priorities are limited to %(n)d characters.", n=PRIORITIES_MAX))
    numbers = sorted(set(goals))
    rows = {
        g.number: g for g in db.session.scalars(select(SdgGoal).where(SdgGoal.number.in_(numbers)))
    }
    missing = [n for n in numbers if n not in rows]
    if missing:
        raise Invalid(_("SDG %(n)s is not known.", n=missing[0]))
    # Take the row's write lock before reading it again, so two editors saving at the same moment
    # are serialised and the second one sees the first one's change (both databases).
    db.session.execute(
        update(Country).where(Country.id == country.id).values(priorities=Country.priorities)
    )
    db.session.refresh(country)
    db.session.expire(country, ["focus_goals"])
    if profile_token(country) != expected_token:
        db.session.rollback()
        raise Conflict(
            _(
                "Someone else changed this profile after you opened it. Your text is kept below; "
                "compare it with the saved version, then save again."
            )
        )
    changed = priorities != country.priorities or [g.number for g in country.focus_goals] != numbers
    if changed:
        country.priorities = priorities
        country.focus_goals = [rows[n] for n in numbers]
    db.session.commit()
    if changed:
        audit.log("country_profile_edit", "success", user=by, obj=country)
    return changed


# --- the overview of countries by region ----------------------------------------------------


@dataclass
class RegionOverview:
    name: str
    countries: list[Country]
    pilots: int
    members: int
    others: int  # not (yet) members, listed for their documents

    @property
    def total(self) -> int:
        return len(self.countries)


@dataclass
class Overview:
    regions: list[RegionOverview]
    co_chairs: list[Country]
    pilots: int
    members: int
    others: int


def overview(listed: list[Country]) -> Overview:
    """Countries grouped by UN region with counts per Partnership status, for a page that
    describes the Partnership in text and tables rather than with a map."""
    by_region: dict[str, list[Country]] = {}
    for country in sorted(listed, key=lambda c: (c.region or "\uffff", c.name)):
        by_region.setdefault(country.region or "—", []).append(country)
    regions = [
        RegionOverview(
            name=name,
            countries=members,
            pilots=sum(c.partnership_status is PartnershipStatus.PILOT for c in members),
            members=sum(c.partnership_status is PartnershipStatus.MEMBER for c in members),
            others=sum(not c.is_partner for c in members),
        )
        for name, members in by_region.items()
    ]
    return Overview(
        regions=regions,
        co_chairs=[c for c in listed if c.is_co_chair],
        pilots=sum(r.pilots for r in regions),
        members=sum(r.members for r in regions),
        others=sum(r.others for r in regions),
    )
