"""Posting, editing, closing, withdrawing and reopening offers and needs.

The one permission rule decides who may act (``Action.OFFER_NEED_CREATE`` on the country,
``Action.OFFER_NEED_EDIT`` on the item: a focal point for their own country, the Secretariat for
any). A save carries the version the editor started from; if someone else saved in between the
save is refused with ``Conflict`` and the caller shows the editor's text again, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from hub import audit, permissions
from hub.accounts.models import User
from hub.countries.models import Country
from hub.dbtypes import utcnow
from hub.documents.models import Area, Document, Kind
from hub.errors import Conflict, Invalid, InvalidTransition
from hub.extensions import db
from hub.peers.models import ItemKind, ItemStatus, OfferNeed
from hub.permissions import Action
from hub.sdg.models import SdgGoal

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000

# Which status changes a focal point or the Secretariat may make, by the name of the step.
STEPS: dict[str, tuple[tuple[ItemStatus, ...], ItemStatus]] = {
    "close": ((ItemStatus.OPEN,), ItemStatus.CLOSED),
    "withdraw": ((ItemStatus.OPEN, ItemStatus.CLOSED), ItemStatus.WITHDRAWN),
    "reopen": ((ItemStatus.CLOSED, ItemStatus.WITHDRAWN), ItemStatus.OPEN),
}


@dataclass
class ItemInput:
    title: str
    description: str = ""
    goals: list[int] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)  # ids of guidebook sections


def _apply(item: OfferNeed, data: ItemInput) -> None:
    title = " ".join(data.title.split())
    if not title or len(title) > MAX_TITLE:
        raise Invalid(_("Give a title of at most %(n)d characters.", n=MAX_TITLE))
    if len(data.description) > MAX_DESCRIPTION:
        raise Invalid(
            _("The description is too long (at most %(n)d characters).", n=MAX_DESCRIPTION)
        )
    item.title = title
    item.description = data.description.replace("\r\n", "\n").strip()
    goals = sorted(set(data.goals))
    rows = list(db.session.scalars(select(SdgGoal).where(SdgGoal.number.in_(goals))))
    if len(rows) != len(goals):
        raise Invalid(_("Choose Sustainable Development Goals between 1 and 17."))
    item.goals = sorted(rows, key=lambda g: g.number)
    item.areas = sorted({Area(a).value for a in data.areas})
    topic_ids = sorted(set(data.topics))
    sections = list(
        db.session.scalars(
            select(Document).where(
                Document.id.in_(topic_ids), Document.kind == Kind.GUIDEBOOK_SECTION
            )
        )
    )
    if len(sections) != len(topic_ids):
        raise Invalid(_("A chosen guidebook topic does not exist."))
    item.topics = sorted(sections, key=lambda d: d.title)


def _facts(item: OfferNeed) -> tuple:
    """What an edit can change, to tell an edit from a save of the same text."""
    return (
        item.title,
        item.description,
        [g.number for g in item.goals],
        list(item.areas),
        [t.id for t in item.topics],
    )


def create(kind: ItemKind, country: Country, data: ItemInput, *, by: User) -> OfferNeed:
    """A new open offer or need of ``country``."""
    permissions.require(by, Action.OFFER_NEED_CREATE, country)
    item = OfferNeed(
        kind=kind, country=country, status=ItemStatus.OPEN, author_id=by.id, updated_by_id=by.id
    )
    db.session.add(item)
    with db.session.no_autoflush:
        _apply(item, data)
    db.session.commit()
    audit.log(f"{kind.value}_create", "success", user=by, obj=item)
    return item


def update(item: OfferNeed, data: ItemInput, *, expected_version: int, by: User) -> bool:
    """Save an edit; False when nothing changed. Raises Conflict when someone saved meanwhile."""
    permissions.require(by, Action.OFFER_NEED_EDIT, item)
    if item.version != expected_version:
        raise Conflict(conflict_message())
    before = _facts(item)
    with db.session.no_autoflush:
        _apply(item, data)
        if _facts(item) == before:
            db.session.rollback()
            return False
    item.updated_by_id = by.id
    _commit()
    audit.log(f"{item.kind.value}_edit", "success", user=by, obj=item)
    return True


def change_status(item: OfferNeed, step: str, *, expected_version: int, by: User) -> None:
    """Close, withdraw or reopen an item (``STEPS``)."""
    permissions.require(by, Action.OFFER_NEED_EDIT, item)
    if step not in STEPS:
        raise Invalid(_("Unknown step."))
    sources, target = STEPS[step]
    if item.version != expected_version:
        raise Conflict(conflict_message())
    if item.status not in sources:
        raise InvalidTransition(
            _("This is %(status)s: it cannot be changed that way.", status=item.status.value)
        )
    item.status = target
    item.closed_at = None if target is ItemStatus.OPEN else utcnow()
    item.updated_by_id = by.id
    _commit()
    audit.log(f"{item.kind.value}_{step}", "success", user=by, obj=item)


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(conflict_message()) from None


def conflict_message() -> str:
    return _(
        "Someone else saved this while you were editing. Your text is kept below: compare it "
        "with the version saved meanwhile (shown above the form), then save again."
    )
