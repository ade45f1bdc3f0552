"""The editorial workflow: draft -> submitted -> (changes requested -> submitted) -> published ->
archived. Each step is checked, recorded with who, when and the comment, and e-mailed to the
people concerned; the change-log hook keeps search in step within the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from hub import audit, permissions
from hub.accounts.models import Role, User
from hub.documents import corrections, revisions
from hub.documents.labels import STATUS_NAMES
from hub.documents.models import Document, Kind, Status, WorkflowEvent
from hub.errors import Invalid, InvalidTransition
from hub.extensions import db
from hub.mail import send_mail
from hub.notifications import submissions as submission_notices
from hub.permissions import Action


@dataclass(frozen=True)
class Transition:
    name: str
    action: Action
    sources: tuple[Status, ...]
    target: Status
    needs_comment: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit", Action.DOCUMENT_SUBMIT, (Status.DRAFT, Status.CHANGES_REQUESTED),
            Status.SUBMITTED,
        ),
        Transition(
            "request_changes", Action.DOCUMENT_REVIEW, (Status.SUBMITTED,),
            Status.CHANGES_REQUESTED, needs_comment=True,
        ),
        Transition(
            "publish", Action.DOCUMENT_PUBLISH, (Status.SUBMITTED, Status.ARCHIVED),
            Status.PUBLISHED,
        ),
        Transition("archive", Action.DOCUMENT_ARCHIVE, (Status.PUBLISHED,), Status.ARCHIVED),
    )
}  # fmt: skip
# The Secretariat writes the guidebook itself, so its sections publish straight from a draft.
GUIDEBOOK_PUBLISH_SOURCES = (Status.DRAFT, Status.SUBMITTED, Status.ARCHIVED)


def available(doc: Document, user: Any) -> list[Transition]:
    """Transitions ``user`` may apply to ``doc`` now (for buttons on the page)."""
    return [
        t for t in TRANSITIONS.values() if _allowed(t, doc) and permissions.can(user, t.action, doc)
    ]


def _allowed(transition: Transition, doc: Document) -> bool:
    sources = transition.sources
    if transition.name == "publish" and doc.kind is Kind.GUIDEBOOK_SECTION:
        sources = GUIDEBOOK_PUBLISH_SOURCES
    return doc.status in sources


def apply(doc: Document, name: str, *, by: User, comment: str = "") -> WorkflowEvent:
    """Move ``doc`` along the workflow. Raises NotAllowed, InvalidTransition or Invalid."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Invalid(_("Unknown workflow step."))
    permissions.require(by, transition.action, doc)
    if not _allowed(transition, doc):
        raise InvalidTransition(
            _(
                "This document is %(status)s; it cannot go there from here.",
                status=STATUS_NAMES[doc.status.value],
            )
        )
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise Invalid(_("Say what should change: the author sees your comment."))
    event = WorkflowEvent(
        from_status=doc.status, to_status=transition.target, actor_id=by.id, comment=comment[:5000]
    )
    doc.events.append(event)
    if transition.target is Status.PUBLISHED and doc.is_correction:
        # A correction is never published itself: the published original takes its content.
        doc = corrections.publish(doc, event, by=by)
    else:
        doc.status = transition.target
        if transition.target is Status.PUBLISHED and doc.published_on is None:
            doc.published_on = date.today()
        # The comment is for the author and stays on the workflow event; the revision, which
        # readers may see in a section's public history, is named by the step only.
        revisions.record(doc, by=by, note=transition.name)
    # In the same transaction as the step: no one is told of a step that did not happen.
    submission_notices.document_moved(doc, event, by=by)
    db.session.commit()
    audit.log(f"document_{name}", "success", user=by, obj=doc)
    _notify(doc, event, by)
    return event


def _recipients(doc: Document, actor: User) -> list[str]:
    """Authors and the country's focal points hear of reviews; the Secretariat of submissions."""
    if doc.status is Status.SUBMITTED:
        stmt = select(User).where(User.role.in_([Role.EDITOR, Role.ADMIN]))
    else:
        stmt = select(User).where(
            (User.id == doc.author_id)
            | ((User.role == Role.FOCAL_POINT) & (User.country_id == doc.country_id))
        )
    people = db.session.scalars(stmt.where(User.is_active.is_(True))).all()
    return sorted({p.email for p in people if p.id != actor.id})


def _notify(doc: Document, event: WorkflowEvent, actor: User) -> None:
    recipients = _recipients(doc, actor)
    if not recipients:
        return
    subject = _(
        "“%(title)s” is now %(status)s",
        title=doc.title[:80],
        status=STATUS_NAMES[doc.status.value],
    )
    body = render_template(
        "mail/document_moved.txt",
        who=actor.name,
        title=doc.title,
        old=STATUS_NAMES[event.from_status.value],
        new=STATUS_NAMES[event.to_status.value],
        comment=event.comment,
    )
    send_mail(recipients, subject, body)
