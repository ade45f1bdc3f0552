"""Every list of documents answers what ``can`` answers for each document in it.

The lists filter in SQL (hub.permissions.readable_documents and its siblings); the pages guard
each document with ``can``. Here both are asked about the same documents, one of each kind,
status and visibility, for each actor, and must agree: nothing listed that ``can`` refuses,
nothing ``can`` allows left out.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from hub import permissions
from hub.accounts.models import Role
from hub.documents import listing
from hub.documents import service as documents
from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from hub.forum import service as forum
from hub.forum.models import Thread
from hub.guidebook import topics
from hub.permissions import Action, can
from hub.workspace import service as workspace
from tests import factories

ACTORS = ["anonymous", "focal_point_gha", "focal_point_srb", "editor", "admin", "disabled_editor"]
MEMBERS = [a for a in ACTORS if a not in ("anonymous", "disabled_editor")]
# A brief of each country, and a guidebook section (which belongs to no country).
KINDS = [
    (Kind.POLICY_BRIEF, "GHA"),
    (Kind.COUNTRY_EXPERIENCE, "SRB"),
    (Kind.GUIDEBOOK_SECTION, None),
]


@pytest.fixture
def actors(app) -> dict:
    return {
        "anonymous": AnonymousUserMixin(),
        "focal_point_gha": factories.user(country_code="GHA"),
        "focal_point_srb": factories.user(country_code="SRB"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
        "admin": factories.user(role=Role.ADMIN, country_code=None),
        "disabled_editor": factories.user(role=Role.EDITOR, country_code=None, is_active=False),
    }


@pytest.fixture
def documents_in_every_status(app) -> list[Document]:
    made = []
    for (kind, country), status, visibility in itertools.product(KINDS, Status, Visibility):
        made.append(
            factories.document(
                kind=kind, country_code=country, status=status, visibility=visibility
            )
        )
    return made


def _ids(docs) -> set[int]:
    return {d.id for d in docs}


def _allowed(user, docs, action=Action.DOCUMENT_READ) -> set[int]:
    return {d.id for d in docs if can(user, action, d)}


def _published(docs) -> list[Document]:
    return [d for d in docs if d.status is Status.PUBLISHED]


@pytest.mark.parametrize("actor", ACTORS)
def test_readable_documents_condition_selects_what_can_allows(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    found = db.session.scalars(select(Document).where(permissions.readable_documents(user)))
    assert _ids(found) == _allowed(user, documents_in_every_status)


@pytest.mark.parametrize("actor", ACTORS)
def test_public_document_list_shows_the_published_documents_can_allows(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    page = documents.list_for_viewer(documents.ListFilter(), viewer=user, page=1, per_page=100)
    assert _ids(page.items) == _allowed(user, _published(documents_in_every_status))


@pytest.mark.parametrize("kind", [Kind.POLICY_BRIEF, Kind.COUNTRY_EXPERIENCE])
@pytest.mark.parametrize("actor", ACTORS)
def test_briefs_and_experiences_listing_shows_the_published_ones_can_allows(
    actors, documents_in_every_status, actor, kind
):
    user = actors[actor]
    page = listing.list_documents(listing.Listing(kind=kind), viewer=user, page=1, per_page=100)
    of_kind = [d for d in _published(documents_in_every_status) if d.kind is kind]
    assert _ids(page.items) == _allowed(user, of_kind)


@pytest.mark.parametrize("actor", ACTORS)
def test_guidebook_tree_and_topic_choices_show_the_published_sections_can_allows(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    sections = [
        d for d in _published(documents_in_every_status) if d.kind is Kind.GUIDEBOOK_SECTION
    ]
    expected = _allowed(user, sections)
    assert _ids(documents.guidebook_tree(viewer=user)) == expected
    assert _ids(topics.choosable_sections(user)) == expected


@pytest.mark.parametrize("actor", MEMBERS)
def test_discussion_list_shows_threads_on_exactly_the_documents_can_allows(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    for doc in documents_in_every_status:
        db.session.add(Thread(document=doc, title=f"About {doc.title}"))
    db.session.commit()
    page = forum.recent_threads(viewer=user, per_page=100)
    listed = {s.thread.document_id for s in page.items}
    assert listed == _allowed(user, documents_in_every_status)


@pytest.mark.parametrize("actor", ["focal_point_gha", "focal_point_srb"])
def test_focal_point_workspace_lists_every_document_whose_working_history_they_may_read(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    expected = _allowed(user, documents_in_every_status, Action.DOCUMENT_HISTORY)
    assert _ids(workspace.own_documents(user)) == expected


@pytest.mark.parametrize("actor", ["editor", "admin"])
def test_secretariat_workspace_lists_every_readable_document_not_yet_published(
    actors, documents_in_every_status, actor
):
    user = actors[actor]
    unpublished = [d for d in documents_in_every_status if d.status is not Status.PUBLISHED]
    assert _ids(workspace.own_documents(user)) == _allowed(user, unpublished)


@pytest.mark.parametrize("actor", ["anonymous", "disabled_editor"])
def test_workspace_lists_nothing_for_the_public_or_a_disabled_account(
    actors, documents_in_every_status, actor
):
    assert workspace.own_documents(actors[actor]) == []


def test_templates_ask_can_instead_of_checking_the_viewers_role():
    """Templates may call ``can()`` to hide a link; the viewer's role is the rule's to read."""
    hub_dir = Path(permissions.__file__).parent
    role_check = re.compile(r"current_user\.(is_staff|role)\b")
    found = [
        f"{path.relative_to(hub_dir)}:{number}"
        for path in sorted(hub_dir.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if role_check.search(line)
    ]
    assert found == []
