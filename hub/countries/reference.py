"""Loading countries: every ISO 3166 country from pycountry with its UN M49 region, then the
Partnership facts for the countries that take part (content/countries.yml)."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import yaml
from sqlalchemy import select

from hub.countries.models import Country, PartnershipStatus
from hub.countries.service import forget_cached_countries
from hub.errors import Invalid
from hub.extensions import db
from hub.sdg.models import SdgGoal


def load_countries(regions_csv: Path) -> int:
    """Create or update a row for every ISO 3166-1 country; returns how many exist."""
    regions = {}
    with open(regions_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            regions[row["iso3"]] = (row["region"], row["sub_region"])
    existing = {c.iso3: c for c in db.session.scalars(select(Country))}
    for entry in pycountry.countries:
        country = existing.get(entry.alpha_3) or Country(iso3=entry.alpha_3)
        country.iso2 = entry.alpha_2
        country.name = getattr(entry, "common_name", None) or entry.name
        country.official_name = getattr(entry, "official_name", None)
        country.region, country.sub_region = regions.get(entry.alpha_3, ("", ""))
        db.session.add(country)
    db.session.commit()
    forget_cached_countries()
    return len(pycountry.countries)


def load_partnership(path: Path) -> int:
    """Apply Partnership facts (status, co-chair, profile, focus SDGs) from a YAML list."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise Invalid(f"{path}: expected a list of countries")
    goals = {g.number: g for g in db.session.scalars(select(SdgGoal))}
    for entry in entries:
        iso3 = str(entry.get("iso3", "")).upper()
        country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
        if country is None:
            db.session.rollback()
            raise Invalid(f"{path}: unknown country code {iso3!r}")
        try:
            country.partnership_status = PartnershipStatus(entry.get("partnership_status", "none"))
        except ValueError:
            db.session.rollback()
            raise Invalid(f"{path}: {iso3}: unknown partnership_status") from None
        country.is_co_chair = bool(entry.get("co_chair", False))
        country.profile = str(entry.get("profile", "")).strip()
        country.profile_is_example = bool(entry.get("profile_is_example", False))
        numbers = [int(n) for n in entry.get("focus_sdgs", []) or []]
        unknown = [n for n in numbers if n not in goals]
        if unknown:
            db.session.rollback()
            raise Invalid(f"{path}: {iso3}: SDG {unknown[0]} is not loaded")
        country.focus_goals = [goals[n] for n in sorted(set(numbers))]
    db.session.commit()
    return len(entries)
