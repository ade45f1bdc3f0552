"""The rows a chunk of content files refers to, looked up once for the whole chunk.

Looking each file's document, country, SDG goals, targets and tags up on its own cost a bulk load
five to seven queries per file, more than the rest of applying it (measured with
bench/bulk_load.py). A chunk is one transaction (hub/content/loader.py), so the rows stay valid
for all of its files; the next chunk looks them up again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from hub.content.parser import DocumentData
from hub.countries.models import Country
from hub.documents.models import Document
from hub.documents.service import ReferenceRows
from hub.extensions import db


@dataclass
class Known:
    """Documents by slug and countries by ISO3 code as the chunk's transaction sees them, and
    the SDG and tag rows its files name. A slug missing from ``documents`` has no document."""

    documents: dict[str, Document] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    rows: ReferenceRows = field(default_factory=ReferenceRows)

    @classmethod
    def fetch(cls, items: Iterable[DocumentData]) -> Known:
        items = list(items)
        slugs = {d.slug for d in items}
        codes = {d.country for d in items if d.country}
        documents = db.session.scalars(select(Document).where(Document.slug.in_(slugs)))
        countries = db.session.scalars(select(Country).where(Country.iso3.in_(codes)))
        return cls(
            documents={d.slug: d for d in documents},
            countries={c.iso3: c for c in countries},
            rows=ReferenceRows.fetch(
                (g for d in items for g in d.goals),
                (t for d in items for t in d.targets),
                (t for d in items for t in d.tags),
            ),
        )

    def document(self, slug: str) -> Document | None:
        return self.documents.get(slug)

    def country(self, iso3: str) -> Country | None:
        return self.countries.get(iso3)
