"""Test data builders: they set up state; behaviour under test goes through services or client."""

from __future__ import annotations

import functools
import itertools
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.accounts.models import Role, User
from hub.accounts.passwords import hash_password
from hub.countries.models import Country
from hub.documents import revisions, service
from hub.documents.models import Area, Document, Kind, Status, Visibility
from hub.extensions import db

_counter = itertools.count(1)


def country(iso3: str) -> Country:
    found = db.session.scalar(select(Country).where(Country.iso3 == iso3))
    assert found is not None, f"reference data lacks {iso3}"
    return found


def document(
    *,
    kind: Kind = Kind.POLICY_BRIEF,
    title: str | None = None,
    body: str = "Body text about science, technology and innovation roadmaps.",
    country_code: str | None = "GHA",
    status: Status = Status.PUBLISHED,
    visibility: Visibility = Visibility.PUBLIC,
    published_on: date | None = date(2025, 3, 1),
    goals: list[int] | None = None,
    targets: list[str] | None = None,
    areas: list[Area] | None = None,
    tags: list[str] | None = None,
    parent: Document | None = None,
    position: int = 0,
    is_example: bool = False,
    commit: bool = True,
    **extra: Any,
) -> Document:
    n = next(_counter)
    doc = Document(
        kind=kind,
        slug=extra.pop("slug", f"doc-{n}"),
        title=title or f"Document {n}",
        summary=extra.pop("summary", f"Summary of document {n}."),
        body=body,
        language=extra.pop("language", "en"),
        country=None
        if kind is Kind.GUIDEBOOK_SECTION or not country_code
        else country(country_code),
        status=status,
        visibility=visibility,
        published_on=published_on if status is Status.PUBLISHED else published_on,
        parent=parent,
        position=position,
        is_example=is_example,
        **extra,
    )
    db.session.add(doc)
    service.set_goals_and_targets(doc, goals or [], targets or [])
    service.set_areas(doc, areas or [])
    service.set_tags(doc, tags or [])
    revisions.record(doc, note="created by test")
    if commit:
        db.session.commit()
    return doc


def content_file(folder: Path, name: str, front: str, body: str = "Some body text.\n") -> Path:
    """Write a content file (front matter lines without the --- fences)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def pdf_bytes(text: str, pages: int = 1) -> bytes:
    """A small real PDF whose pages contain ``text`` (generated with fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"{text} (page {i + 1})")
    return bytes(pdf.output())


PASSWORD = "a long and unusual test passphrase 42"


@functools.lru_cache(maxsize=32)
def _hash_of(password: str) -> str:
    """One real scrypt hash per password for the whole run: each costs about 0.1 s of CPU and
    the suite makes thousands of users. Logins still verify against it through the Hub's own
    code; only the salt is shared between test users, which no test relies on being unique."""
    return hash_password(password)


def user(
    *,
    role: Role = Role.FOCAL_POINT,
    country_code: str | None = "GHA",
    email: str | None = None,
    password: str | None = PASSWORD,
    is_active: bool = True,
) -> User:
    n = next(_counter)
    person = User(
        email=email or f"user{n}@example.org",
        name=f"User {n}",
        role=role,
        country=country(country_code) if role is Role.FOCAL_POINT and country_code else None,
        password_hash=_hash_of(password) if password else None,
        is_active=is_active,
    )
    db.session.add(person)
    db.session.commit()
    return person
