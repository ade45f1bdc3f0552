"""Notifications of the editorial workflow: a country hears what happened to its briefs and
experiences, the Secretariat hears what waits for review.

``hub.documents.workflow.apply`` calls ``document_moved`` before it commits, so a notification
exists exactly when the step does: a step that fails to commit tells no one.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hub import permissions
from hub.accounts.models import Role, User
from hub.documents.models import Document, Kind, Status, WorkflowEvent
from hub.documents.service import KIND_PATHS
from hub.extensions import db
from hub.notifications.links import path_for
from hub.notifications.models import Category, Notification
from hub.notifications.service import MESSAGE_MAX, notify_many
from hub.permissions import Action

KIND_NAMES = {
    Kind.POLICY_BRIEF: _l("policy brief"),
    Kind.COUNTRY_EXPERIENCE: _l("country experience"),
}


def document_moved(doc: Document, event: WorkflowEvent, *, by: User) -> list[Notification]:
    """Queue the notifications for one workflow step in the caller's transaction.

    Submitted: the active Secretariat (editors, admins) is told it waits for review. Sent back,
    published, archived: the country's active focal points and the author are told, with the
    reviewer's comment. Whoever took the step is not told of it. Only people who may read the
    document's review history (``Action.DOCUMENT_HISTORY``) are told, since the message carries
    its title and the comment. Guidebook sections are the Secretariat's own work: no notice.
    """
    if doc.kind not in KIND_NAMES:
        return []
    if event.to_status is Status.SUBMITTED:
        people = _staff()
        message = _submitted_message(doc, by)
    elif event.to_status in (Status.CHANGES_REQUESTED, Status.PUBLISHED, Status.ARCHIVED):
        people = _country_people(doc)
        message = _review_message(doc, event)
    else:
        return []
    recipients = [
        p for p in people if p.id != by.id and permissions.can(p, Action.DOCUMENT_HISTORY, doc)
    ]
    return notify_many(recipients, Category.SUBMISSION, message, _url(doc, event.to_status))


def _staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.EDITOR, Role.ADMIN]), User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _country_people(doc: Document) -> list[User]:
    """The country's focal points, and the author (who may be Secretariat staff)."""
    country_focal_points = (User.role == Role.FOCAL_POINT) & (User.country_id == doc.country_id)
    return list(
        db.session.scalars(
            select(User)
            .where(country_focal_points | (User.id == doc.author_id), User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _url(doc: Document, status: Status) -> str:
    """Published: the public page. Otherwise the workspace page, where the comment and the
    next step are."""
    if status is Status.PUBLISHED:
        return path_for("documents.show", kind_path=KIND_PATHS[doc.kind], slug=doc.slug)
    return path_for("workspace.document", doc_id=doc.id)


def _submitted_message(doc: Document, by: User) -> str:
    country = doc.country.name if doc.country else ""
    return _(
        "A %(kind)s from %(country)s waits for review: “%(title)s” (submitted by %(who)s).",
        kind=KIND_NAMES[doc.kind],
        country=country,
        title=doc.title,
        who=by.name,
    )


def _review_message(doc: Document, event: WorkflowEvent) -> str:
    kind, title = KIND_NAMES[doc.kind], doc.title
    if event.to_status is Status.CHANGES_REQUESTED:
        text = _("Changes were requested to your %(kind)s “%(title)s”.", kind=kind, title=title)
    elif event.from_status is Status.ARCHIVED:
        text = _("Your %(kind)s “%(title)s” was published again.", kind=kind, title=title)
    elif event.to_status is Status.PUBLISHED:
        text = _("Your %(kind)s “%(title)s” was published.", kind=kind, title=title)
    else:
        text = _("Your %(kind)s “%(title)s” was archived.", kind=kind, title=title)
    comment = " ".join((event.comment or "").split())
    if not comment:
        return text
    label = _("Comment from the Secretariat:")
    room = MESSAGE_MAX - len(text) - len(label) - 4  # spaces and quotes
    if len(comment) > room:
        comment = comment[: max(room - 1, 0)].rstrip() + "…"
    return f"{text} {label} “{comment}”"
