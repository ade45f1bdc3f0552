"""Discussion test set-up: accounts of the roles the issue names and a published brief."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.accounts.models import Role, User
from hub.documents.models import Document, Kind
from hub.extensions import db
from hub.forum import service
from hub.forum.models import Post, Thread
from tests import factories
from tests.web import login


@pytest.fixture
def brief(app) -> Document:
    return factories.document(kind=Kind.POLICY_BRIEF, title="Ghana's roadmap brief")


@pytest.fixture
def section(app) -> Document:
    return factories.document(kind=Kind.GUIDEBOOK_SECTION, title="Setting priorities")


@pytest.fixture
def gha(app) -> User:
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA")


@pytest.fixture
def gha_colleague(app) -> User:
    return factories.user(role=Role.FOCAL_POINT, country_code="GHA")


@pytest.fixture
def srb(app) -> User:
    return factories.user(role=Role.FOCAL_POINT, country_code="SRB")


@pytest.fixture
def editor(app) -> User:
    return factories.user(role=Role.EDITOR, country_code=None)


def client_for(app, user: User) -> FlaskClient:
    client = app.test_client()
    response = login(client, user)
    assert response.status_code == 302
    return client


def started(doc: Document, by: User, title: str = "How did you set priorities?",
            body: str = "We ranked *missions* first.") -> Thread:  # fmt: skip
    return service.start_thread(doc, title, body, by=by)


def fresh(model: type, ident: int):
    """The row as the database has it after requests made in their own sessions."""
    db.session.expire_all()
    return db.session.get(model, ident)


def posts_of(thread_id: int) -> list[Post]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id))
    )


def link_in(body: str, path_prefix: str) -> str:
    """The path of the first link in a mail body that starts with ``path_prefix``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S*)", body)
    assert match, f"no {path_prefix} link in: {body}"
    return match.group(1)
