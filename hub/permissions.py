"""The one access rule: every view, listing, search and download asks this module.

Until accounts exist every visitor is anonymous, and anonymous readers see only published public
documents. The labels below are what the search index stores, so search filters by the same rule.
"""

from __future__ import annotations

import enum
from typing import Any

from hub.documents.models import Document, Status, Visibility
from hub.errors import NotFound


class Action(enum.StrEnum):
    DOCUMENT_READ = "document:read"
    ATTACHMENT_DOWNLOAD = "attachment:download"


PUBLIC_LABEL = "public"
MEMBERS_LABEL = "members"


def _is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can(user: Any, action: Action, obj: Any) -> bool:
    """Whether ``user`` (None or anonymous for the public) may do ``action`` to ``obj``."""
    if action in (Action.DOCUMENT_READ, Action.ATTACHMENT_DOWNLOAD):
        doc: Document = obj if isinstance(obj, Document) else obj.document
        return doc.status is Status.PUBLISHED and bool(
            labels_for_document(doc) & labels_for_user(user)
        )
    return False


def require(user: Any, action: Action, obj: Any) -> None:
    """Raise when not allowed. Unreadable documents answer 404, so their existence stays hidden."""
    if not can(user, action, obj):
        raise NotFound()


def labels_for_document(doc: Document) -> set[str]:
    """Who may find a published document: stored with its index entry."""
    if doc.visibility is Visibility.PUBLIC:
        return {PUBLIC_LABEL}
    return {MEMBERS_LABEL}


def labels_for_user(user: Any) -> set[str]:
    """The labels a viewer may read; search keeps only entries carrying one of them."""
    labels = {PUBLIC_LABEL}
    if _is_authenticated(user):
        labels.add(MEMBERS_LABEL)
    return labels


def readable_statuses(user: Any) -> tuple[Status, ...]:
    return (Status.PUBLISHED,)


def readable_visibilities(user: Any) -> tuple[Visibility, ...]:
    if _is_authenticated(user):
        return (Visibility.PUBLIC, Visibility.MEMBERS)
    return (Visibility.PUBLIC,)
