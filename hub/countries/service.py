"""Country look-ups shared by pages and search."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from hub.countries.models import Country
from hub.extensions import db


def country_names(iso3_codes: Iterable[str]) -> dict[str, str]:
    codes = sorted({c for c in iso3_codes if c})
    if not codes:
        return {}
    rows = db.session.execute(select(Country.iso3, Country.name).where(Country.iso3.in_(codes)))
    return {iso3: name for iso3, name in rows}
