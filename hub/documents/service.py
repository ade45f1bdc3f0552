"""Document rules: reading what a viewer may see, listing, and applying changes with revisions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Self

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from hub import permissions
from hub.countries.models import Country
from hub.documents.models import Area, Document, DocumentArea, Kind, Status, Tag, document_goals
from hub.errors import NotFound
from hub.extensions import db
from hub.pagination import Page, paginate
from hub.sdg.models import SdgGoal, SdgTarget

KIND_PATHS = {
    Kind.GUIDEBOOK_SECTION: "guidebook",
    Kind.POLICY_BRIEF: "briefs",
    Kind.COUNTRY_EXPERIENCE: "experiences",
}
KIND_BY_PATH = {path: kind for kind, path in KIND_PATHS.items()}


def _readable(viewer: Any) -> Select:
    return select(Document).where(permissions.listed_documents(viewer))


def get_for_viewer(kind: Kind, slug: str, *, viewer: Any) -> Document:
    """The document at a canonical URL; 404 when it does not exist or the viewer may not read it."""
    doc = db.session.scalar(select(Document).where(Document.slug == slug, Document.kind == kind))
    if doc is None:
        raise NotFound()
    permissions.require(viewer, permissions.Action.DOCUMENT_READ, doc)
    return doc


def get_by_id_for(
    doc_id: int, action: permissions.Action = permissions.Action.DOCUMENT_READ, *, user: Any
) -> Document:
    """A document by id for the workspace, where ``user`` must be allowed ``action`` on it. A
    missing document is 404, as is one the user may not read (permissions.require decides)."""
    doc = db.session.get(Document, doc_id)
    if doc is None:
        raise NotFound()
    permissions.require(user, action, doc)
    return doc


@dataclass(frozen=True)
class ListFilter:
    kind: Kind | None = None
    country: str | None = None
    goal: int | None = None
    area: Area | None = None


def filtered(stmt: Select, *, country: str | None, goal: int | None, area: Area | None) -> Select:
    """``stmt`` narrowed to one country (ISO3), SDG and area of work, each where given: the
    filters every listing of documents offers."""
    if country:
        stmt = stmt.where(
            Document.country_id.in_(select(Country.id).where(Country.iso3 == country))
        )
    if goal:
        stmt = stmt.where(
            Document.id.in_(
                select(document_goals.c.document_id).where(document_goals.c.goal_number == goal)
            )
        )
    if area:
        stmt = stmt.where(
            Document.id.in_(select(DocumentArea.document_id).where(DocumentArea.area == area))
        )
    return stmt


def list_for_viewer(
    filters: ListFilter, *, viewer: Any, page: int, per_page: int
) -> Page[Document]:
    """Published documents the viewer may read, newest first."""
    stmt = _readable(viewer).options(selectinload(Document.country), selectinload(Document.goals))
    if filters.kind:
        stmt = stmt.where(Document.kind == filters.kind)
    stmt = filtered(stmt, country=filters.country, goal=filters.goal, area=filters.area)
    stmt = stmt.order_by(Document.published_on.desc(), Document.title)
    return paginate(stmt, page, per_page)


def latest_for_viewer(kinds: tuple[Kind, ...], *, viewer: Any, limit: int = 6) -> list[Document]:
    stmt = (
        _readable(viewer)
        .where(Document.kind.in_(kinds))
        .options(selectinload(Document.country), selectinload(Document.goals))
        .order_by(Document.published_on.desc(), Document.title)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def guidebook_tree(*, viewer: Any) -> list[Document]:
    """Readable guidebook sections in reading order (depth first), each with ``depth`` set."""
    sections = list(
        db.session.scalars(_readable(viewer).where(Document.kind == Kind.GUIDEBOOK_SECTION))
    )
    children: dict[int | None, list[Document]] = {}
    ids = {s.id for s in sections}
    for s in sections:
        parent = s.parent_id if s.parent_id in ids else None
        children.setdefault(parent, []).append(s)
    ordered: list[Document] = []

    def walk(parent: int | None, depth: int) -> None:
        for s in sorted(children.get(parent, []), key=lambda d: (d.position, d.title)):
            s.depth = depth
            ordered.append(s)
            walk(s.id, depth + 1)

    walk(None, 0)
    return ordered


def related_counts_by_country(*, viewer: Any) -> dict[str, int]:
    rows = db.session.execute(
        _readable(viewer)
        .with_only_columns(Country.iso3, db.func.count(Document.id))
        .join(Document.country)
        .group_by(Country.iso3)
    ).all()
    return {iso3: n for iso3, n in rows}


# --- applying changes ---


@dataclass
class ReferenceRows:
    """Goals, targets and tags already looked up, for setting them on many documents in one
    transaction (a bulk load): one query per kind for all the documents instead of two or three
    per document. Keys not found here are still looked up, so it only saves queries. Tags made
    for one document are kept for the next, which must not make a second tag of that name.
    Valid for one transaction: rows are expired when it ends."""

    goals: dict[int, SdgGoal] = field(default_factory=dict)
    targets: dict[str, SdgTarget] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)

    @classmethod
    def fetch(cls, goals: Iterable[int], targets: Iterable[str], tags: Iterable[str]) -> Self:
        """The rows of every goal (and every target's goal), target and tag named."""
        rows = cls()
        rows.add_targets(set(targets))
        rows.add_goals(set(goals))
        rows.add_tags(set(tags))
        return rows

    def add_targets(self, codes: set[str]) -> None:
        missing = codes - self.targets.keys()
        if missing:
            found = db.session.scalars(select(SdgTarget).where(SdgTarget.code.in_(missing)))
            self.targets.update((t.code, t) for t in found)
        self.add_goals({self.targets[c].goal_number for c in codes if c in self.targets})

    def add_goals(self, numbers: set[int]) -> None:
        missing = numbers - self.goals.keys()
        if missing:
            found = db.session.scalars(select(SdgGoal).where(SdgGoal.number.in_(missing)))
            self.goals.update((g.number, g) for g in found)

    def add_tags(self, names: set[str]) -> None:
        missing = names - self.tags.keys()
        if missing:
            found = db.session.scalars(select(Tag).where(Tag.name.in_(missing)))
            self.tags.update((t.name, t) for t in found)


def set_goals_and_targets(
    doc: Document, goals: list[int], targets: list[str], rows: ReferenceRows | None = None
) -> None:
    """Set SDG links. A target implies its goal, so goal pages list documents tagged by target.
    ``rows`` holds rows already looked up (a bulk load); the result is the same without it.

    Raises NotFound naming the first unknown goal or target.
    """
    rows = rows or ReferenceRows()
    rows.add_targets(set(targets))
    target_rows = {c: rows.targets[c] for c in targets if c in rows.targets}
    for code in targets:
        if code not in target_rows:
            raise NotFound(f"SDG target {code} does not exist")
    numbers = set(goals) | {t.goal_number for t in target_rows.values()}
    rows.add_goals(numbers)
    goal_rows = {n: rows.goals[n] for n in numbers if n in rows.goals}
    for number in sorted(numbers):
        if number not in goal_rows:
            raise NotFound(f"SDG {number} is not loaded; run 'flask hub load-reference' first")
    doc.goals = [goal_rows[n] for n in sorted(numbers)]
    # Same order as the relationship loads them, so snapshots compare equal after a reload.
    doc.targets = sorted(
        (target_rows[c] for c in dict.fromkeys(targets)), key=lambda t: (t.goal_number, t.position)
    )


def set_areas(doc: Document, areas: list[Area]) -> None:
    wanted = sorted(set(areas), key=lambda a: a.value)
    if [link.area for link in doc.area_links] != wanted:
        doc.area_links = [DocumentArea(area=a) for a in wanted]


def set_tags(doc: Document, names: list[str], rows: ReferenceRows | None = None) -> None:
    """Link the tags named, making the ones that do not exist yet. ``rows`` as for
    set_goals_and_targets; a tag made here is added to it."""
    rows = rows or ReferenceRows()
    wanted = sorted(set(names))
    rows.add_tags(set(wanted))
    doc.tags = [
        rows.tags.get(name) or rows.tags.setdefault(name, Tag(name=name)) for name in wanted
    ]


def publish_date_for(status: Status, published_on: date | None) -> date | None:
    """Published documents always carry a date; the loader's default is today."""
    if status is Status.PUBLISHED and published_on is None:
        return date.today()
    return published_on
