"""The one access rule: every view, listing, search, feed and download asks this module.

Roles: the public (anonymous), focal points (one country each), Secretariat editors and admins.
- The public reads published public documents.
- Anyone logged in also reads published members-only documents.
- A focal point reads and writes the briefs and experiences of their own country while they are
  drafts or sent back for changes, and submits them for review; they never publish. To correct
  a published one they start a correction, a draft reviewed like any other.
- Editors read everything, review, publish, archive and curate the guidebook.
- Admins do what editors do and manage accounts.
Lists use the same rule as SQL conditions (``readable_documents``, ``listed_documents``,
``workspace_documents``); search uses it through labels stored on each index entry (see
``labels_for_*``).
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from hub.accounts.models import Role, User
from hub.countries.models import Country
from hub.documents.models import Attachment, Document, Kind, Status, Visibility
from hub.errors import NotAllowed, NotFound


class Action(enum.StrEnum):
    DOCUMENT_READ = "document:read"
    DOCUMENT_CREATE = "document:create"
    DOCUMENT_EDIT = "document:edit"
    DOCUMENT_SUBMIT = "document:submit"
    DOCUMENT_REVIEW = "document:review"
    DOCUMENT_PUBLISH = "document:publish"
    DOCUMENT_ARCHIVE = "document:archive"
    DOCUMENT_HISTORY = "document:history"
    # Start (or reopen) the correction of a published brief or experience.
    DOCUMENT_CORRECT = "document:correct"
    REVISION_RESTORE = "revision:restore"
    GUIDEBOOK_CURATE = "guidebook:curate"
    ATTACHMENT_DOWNLOAD = "attachment:download"
    ATTACHMENT_UPLOAD = "attachment:upload"
    WORKSPACE_VIEW = "workspace:view"
    REVIEW_QUEUE_VIEW = "review:view"
    USER_MANAGE = "user:manage"
    SEARCH_ANALYTICS_VIEW = "search_analytics:view"
    # The Partnership at work: expressions of interest, reporting, discussions, peer learning.
    APPLICATION_REVIEW = "application:review"  # the queue, notes, status, priority weights
    CONTACT_DETAILS_VIEW = "contact:details"  # focal points, e-mail addresses, phone numbers
    PROFILE_EDIT = "profile:edit"  # obj: Country
    OFFER_NEED_CREATE = "offer_need:create"  # obj: Country
    OFFER_NEED_EDIT = "offer_need:edit"  # obj: an offer or need (has country_id)
    MATCH_VIEW = "match:view"  # suggested pairs of countries
    MATCH_RECORD = "match:record"  # a brokered match and its outcome
    DISCUSSION_READ = "discussion:read"
    DISCUSSION_POST = "discussion:post"
    POST_EDIT = "post:edit"  # obj: a post (has author_id and country_id)
    DISCUSSION_MODERATE = "discussion:moderate"
    REPORTING_MANAGE = "reporting:manage"
    NOTIFICATIONS_VIEW = "notifications:view"
    JOBS_MANAGE = "jobs:manage"  # the failed background jobs, and sending them back
    # Write a document or post an offer or need for any country (the Secretariat); a focal
    # point's are always their own country's.
    COUNTRY_CHOOSE = "country:choose"


PUBLIC_LABEL = "public"
MEMBERS_LABEL = "members"
EDITABLE_BY_COUNTRY = (Status.DRAFT, Status.CHANGES_REQUESTED)


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def _is_staff(user: User | None) -> bool:
    return user is not None and user.role in (Role.EDITOR, Role.ADMIN)


def _own_country(user: User | None, doc: Document) -> bool:
    return (
        user is not None
        and user.role is Role.FOCAL_POINT
        and doc.kind is not Kind.GUIDEBOOK_SECTION
        and doc.country_id is not None
        and doc.country_id == user.country_id
    )


def _for_own_country(user: User | None, obj: Any) -> bool:
    """A focal point acting on their own country, or on something that belongs to it."""
    if user is None or user.role is not Role.FOCAL_POINT or user.country_id is None:
        return False
    if isinstance(obj, Country):
        return obj.id == user.country_id
    return getattr(obj, "country_id", None) == user.country_id


def _can_read(user: User | None, doc: Document) -> bool:
    if _is_staff(user) or _own_country(user, doc):
        return True
    if doc.status is not Status.PUBLISHED:
        return False
    return doc.visibility is Visibility.PUBLIC or user is not None


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """Whether ``user`` (None or anonymous for the public) may do ``action`` to ``obj``."""
    u = _user(user)
    if isinstance(obj, Attachment):
        obj = obj.document
    if action in (Action.DOCUMENT_READ, Action.ATTACHMENT_DOWNLOAD):
        return _can_read(u, obj)
    if action is Action.DOCUMENT_HISTORY:
        # Review comments and working notes stay between the country and the Secretariat.
        return _is_staff(u) or _own_country(u, obj)
    if action is Action.DOCUMENT_CREATE:
        # obj: the Kind to create (and, for focal points, it is always their own country)
        if _is_staff(u):
            return True
        return u is not None and u.role is Role.FOCAL_POINT and obj is not Kind.GUIDEBOOK_SECTION
    if action in (Action.DOCUMENT_EDIT, Action.ATTACHMENT_UPLOAD):
        if _is_staff(u):
            return obj.status is not Status.ARCHIVED
        return _own_country(u, obj) and obj.status in EDITABLE_BY_COUNTRY
    if action is Action.DOCUMENT_CORRECT:
        # The Secretariat edits published documents directly; a country proposes a correction.
        return (
            _own_country(u, obj) and obj.status is Status.PUBLISHED and obj.revision_of_id is None
        )
    if action is Action.DOCUMENT_SUBMIT:
        allowed_by = _is_staff(u) or _own_country(u, obj)
        return allowed_by and obj.status in EDITABLE_BY_COUNTRY
    if action in (Action.DOCUMENT_REVIEW, Action.DOCUMENT_PUBLISH, Action.DOCUMENT_ARCHIVE):
        return _is_staff(u)
    if action in (Action.GUIDEBOOK_CURATE, Action.REVISION_RESTORE, Action.REVIEW_QUEUE_VIEW):
        return _is_staff(u)
    if action is Action.SEARCH_ANALYTICS_VIEW:
        # What the public searches for is the Secretariat's to read (no one's identity is kept).
        return _is_staff(u)
    if action is Action.WORKSPACE_VIEW:
        return u is not None
    if action in (
        Action.APPLICATION_REVIEW,
        Action.COUNTRY_CHOOSE,
        Action.MATCH_RECORD,
        Action.DISCUSSION_MODERATE,
        Action.REPORTING_MANAGE,
    ):
        return _is_staff(u)
    if action in (
        Action.CONTACT_DETAILS_VIEW,
        Action.MATCH_VIEW,
        Action.DISCUSSION_READ,
        Action.DISCUSSION_POST,
        Action.NOTIFICATIONS_VIEW,
    ):
        # Every account belongs to a member country or to the Secretariat.
        return u is not None
    if action in (Action.PROFILE_EDIT, Action.OFFER_NEED_CREATE, Action.OFFER_NEED_EDIT):
        return _is_staff(u) or _for_own_country(u, obj)
    if action is Action.POST_EDIT:
        # Authors edit their posts; a focal point also edits their own country's posts.
        if _is_staff(u):
            return True
        is_author = u is not None and getattr(obj, "author_id", None) == u.id
        return is_author or _for_own_country(u, obj)
    if action in (Action.USER_MANAGE, Action.JOBS_MANAGE):
        return u is not None and u.role is Role.ADMIN
    return False


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Raise when not allowed. A document the user may not read answers 404, so its existence
    stays hidden; one they may read but not change answers 403."""
    if can(user, action, obj):
        return
    doc = obj.document if isinstance(obj, Attachment) else obj
    if isinstance(doc, Document) and not _can_read(_user(user), doc):
        raise NotFound()
    raise NotAllowed()


def labels_for_document(doc: Document) -> set[str]:
    """Who may find a published document: stored with its index entry."""
    if doc.visibility is Visibility.PUBLIC:
        return {PUBLIC_LABEL}
    return {MEMBERS_LABEL}


def labels_for_user(user: Any) -> set[str]:
    """The labels a viewer may read; search keeps only entries carrying one of them."""
    labels = {PUBLIC_LABEL}
    if _user(user) is not None:
        labels.add(MEMBERS_LABEL)
    return labels


# --- the same rule as SQL conditions, for lists ---
# Each answers, for every Document row, what ``can`` answers for that document, so a list is
# filtered in the database (its pages are full, its counts right) by the rule that guards each
# page. tests/test_permission_lists.py compares them with ``can`` for every actor and status.


def _own_country_rows(user: User | None) -> ColumnElement[bool] | None:
    """``_own_country`` as a condition: a focal point's country's briefs and experiences."""
    if user is None or user.role is not Role.FOCAL_POINT or user.country_id is None:
        return None
    return and_(Document.country_id == user.country_id, Document.kind != Kind.GUIDEBOOK_SECTION)


def readable_documents(user: Any) -> ColumnElement[bool]:
    """Documents ``user`` may read: ``can(user, Action.DOCUMENT_READ, doc)`` as a WHERE clause.
    The Secretariat reads everything; a focal point also their country's work in progress."""
    u = _user(user)
    if _is_staff(u):
        return true()
    published = Document.status == Status.PUBLISHED
    if u is None:
        published = and_(published, Document.visibility == Visibility.PUBLIC)
    own = _own_country_rows(u)
    return published if own is None else or_(published, own)


def listed_documents(user: Any) -> ColumnElement[bool]:
    """Documents the public lists, pages of a goal or a country and the guidebook show to
    ``user``: the published ones they may read. Work in progress lives in the workspace (see
    ``workspace_documents``), never in these lists, even for those who may read it."""
    return and_(readable_documents(user), Document.status == Status.PUBLISHED)


def workspace_documents(user: Any) -> ColumnElement[bool]:
    """Documents on ``user``'s workspace dashboard. A focal point sees every brief and
    experience of their country, whatever its status, to follow what they sent
    (``Action.DOCUMENT_HISTORY``); the Secretariat sees everything not published, which is
    its work; anyone else, nothing."""
    u = _user(user)
    if _is_staff(u):
        return Document.status != Status.PUBLISHED
    own = _own_country_rows(u)
    return false() if own is None else own
