"""Loading the UN lists of LDCs, LLDCs and SIDS (content/reference/un_country_groups.csv).

The lists change when a country graduates, so a load replaces the whole table: a country that
left a list stops scoring for it on the next ``flask hub load-reference``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import delete, select

from hub.applications.models import CountryGroup, CountryGroupMembership
from hub.countries.models import Country
from hub.errors import Invalid
from hub.extensions import db


def load_country_groups(path: Path) -> int:
    """Replace the stored groups with those in ``path`` (lines starting with # are comments);
    returns how many memberships were loaded. Unknown codes or groups load nothing."""
    with open(path, newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
    known = set(db.session.scalars(select(Country.iso3)))
    rows: set[tuple[str, CountryGroup]] = set()
    for number, row in enumerate(csv.DictReader(lines), start=2):
        iso3 = (row.get("iso3") or "").strip().upper()
        if iso3 not in known:
            raise Invalid(f"{path.name}: row {number}: unknown country code {iso3!r}")
        try:
            group = CountryGroup((row.get("group") or "").strip().upper())
        except ValueError:
            raise Invalid(
                f"{path.name}: row {number}: unknown group {row.get('group')!r}"
            ) from None
        rows.add((iso3, group))
    db.session.execute(delete(CountryGroupMembership))
    db.session.add_all(CountryGroupMembership(iso3=iso3, group=group) for iso3, group in rows)
    db.session.commit()
    return len(rows)
