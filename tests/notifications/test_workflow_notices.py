"""Each step of the editorial workflow notifies the people concerned, in the step's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from hub.accounts.models import Role
from hub.documents import workflow
from hub.documents.models import Kind, Status
from hub.errors import InvalidTransition, NotAllowed
from hub.extensions import db
from hub.notifications.models import Category, Notification
from tests import factories
from tests.web import login, post


@pytest.fixture
def people(app):
    # Only two of them log in; the others skip the (deliberately slow) password hash.
    quiet = {"password": None}
    return {
        "gha": factories.user(role=Role.FOCAL_POINT, country_code="GHA"),
        "gha2": factories.user(role=Role.FOCAL_POINT, country_code="GHA", **quiet),
        "gha_inactive": factories.user(
            role=Role.FOCAL_POINT, country_code="GHA", is_active=False, **quiet
        ),
        "srb": factories.user(role=Role.FOCAL_POINT, country_code="SRB", **quiet),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
        "admin": factories.user(role=Role.ADMIN, country_code=None, **quiet),
        "editor_inactive": factories.user(
            role=Role.EDITOR, country_code=None, is_active=False, **quiet
        ),
    }


def _told(people) -> dict[str, list[str]]:
    """Who got which messages: person key -> messages."""
    db.session.expire_all()
    by_id = {p.id: key for key, p in people.items()}
    told: dict[str, list[str]] = {}
    for row in db.session.scalars(select(Notification).order_by(Notification.id)):
        told.setdefault(by_id[row.user_id], []).append(row.message)
    return told


def _brief(status, people, kind=Kind.POLICY_BRIEF, title="Cassava clusters", **extra):
    return factories.document(
        kind=kind, title=title, status=status, country_code="GHA", author_id=people["gha"].id,
        **extra,
    )  # fmt: skip


def test_submission_tells_the_active_secretariat_only(people):
    doc = _brief(Status.DRAFT, people)
    workflow.apply(doc, "submit", by=people["gha"])
    told = _told(people)
    assert set(told) == {"editor", "admin"}
    assert told["editor"] == [
        f"A policy brief from Ghana waits for review: “Cassava clusters” (submitted by "
        f"{people['gha'].name})."
    ]


def test_submission_links_the_secretariat_to_the_workspace_page(people):
    doc = _brief(Status.DRAFT, people)
    workflow.apply(doc, "submit", by=people["gha"])
    row = db.session.scalar(select(Notification).where(Notification.user_id == people["editor"].id))
    assert row.category is Category.SUBMISSION
    assert row.url == f"/workspace/documents/{doc.id}"


def test_staff_who_submit_on_a_countrys_behalf_are_not_told_of_their_own_step(people):
    doc = _brief(Status.DRAFT, people)
    workflow.apply(doc, "submit", by=people["editor"])
    assert set(_told(people)) == {"admin"}


def test_changes_requested_tells_the_countrys_focal_points_with_the_comment(people):
    doc = _brief(Status.SUBMITTED, people)
    workflow.apply(doc, "request_changes", by=people["editor"], comment="Add the 2024 baseline.")
    told = _told(people)
    assert set(told) == {"gha", "gha2"}
    assert told["gha2"] == [
        "Changes were requested to your policy brief “Cassava clusters”. Comment from the "
        "Secretariat: “Add the 2024 baseline.”"
    ]


def test_changes_requested_links_to_the_workspace_page_where_the_brief_is_edited(people):
    doc = _brief(Status.SUBMITTED, people)
    workflow.apply(doc, "request_changes", by=people["editor"], comment="More data.")
    urls = set(db.session.scalars(select(Notification.url)))
    assert urls == {f"/workspace/documents/{doc.id}"}


def test_publication_tells_the_country_and_links_to_the_public_page(people):
    doc = _brief(Status.SUBMITTED, people, kind=Kind.COUNTRY_EXPERIENCE, title="Tech parks")
    workflow.apply(doc, "publish", by=people["editor"])
    told = _told(people)
    assert set(told) == {"gha", "gha2"}
    assert told["gha"] == ["Your country experience “Tech parks” was published."]
    assert set(db.session.scalars(select(Notification.url))) == {f"/experiences/{doc.slug}"}


def test_publication_with_a_comment_carries_it(people):
    doc = _brief(Status.SUBMITTED, people)
    workflow.apply(doc, "publish", by=people["editor"], comment="  Well   done. ")
    assert _told(people)["gha"] == [
        "Your policy brief “Cassava clusters” was published. Comment from the Secretariat: "
        "“Well done.”"
    ]


def test_archiving_tells_the_country(people):
    doc = _brief(Status.PUBLISHED, people)
    workflow.apply(doc, "archive", by=people["admin"], comment="Superseded by the 2026 brief.")
    told = _told(people)
    assert set(told) == {"gha", "gha2"}
    assert told["gha"][0].startswith("Your policy brief “Cassava clusters” was archived.")
    assert "Superseded by the 2026 brief." in told["gha"][0]


def test_publishing_an_archived_brief_again_says_again(people):
    doc = _brief(Status.ARCHIVED, people)
    workflow.apply(doc, "publish", by=people["editor"])
    assert _told(people)["gha"] == ["Your policy brief “Cassava clusters” was published again."]


def test_a_staff_author_hears_of_the_review_of_their_brief(people):
    doc = _brief(Status.SUBMITTED, people)
    doc.author_id = people["admin"].id
    db.session.commit()
    workflow.apply(doc, "publish", by=people["editor"])
    assert set(_told(people)) == {"gha", "gha2", "admin"}


def test_an_author_who_moved_to_another_country_is_not_told(people):
    """The message carries the title and the review comment, which only the country and the
    Secretariat may read."""
    doc = _brief(Status.SUBMITTED, people)
    doc.author_id = people["srb"].id
    db.session.commit()
    workflow.apply(doc, "request_changes", by=people["editor"], comment="Private remark.")
    assert "srb" not in _told(people)


def test_a_long_comment_is_shortened_to_fit_and_says_so(people):
    doc = _brief(Status.SUBMITTED, people, title="T" * 300)
    workflow.apply(doc, "request_changes", by=people["editor"], comment="word " * 400)
    (message,) = _told(people)["gha"]
    assert len(message) <= 500 and message.endswith("…”")


def test_guidebook_steps_notify_no_one(people):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, status=Status.DRAFT)
    workflow.apply(section, "publish", by=people["editor"], comment="Live.")
    assert _told(people) == {}


def test_a_refused_step_notifies_no_one(people):
    doc = _brief(Status.SUBMITTED, people)
    with pytest.raises(NotAllowed):
        workflow.apply(doc, "publish", by=people["gha"])
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        workflow.apply(doc, "archive", by=people["editor"])
    db.session.rollback()
    assert _told(people) == {}


def test_a_step_that_fails_to_commit_leaves_no_notification(people):
    """Someone else saved the brief meanwhile: the step rolls back, and its notices with it."""
    doc = _brief(Status.SUBMITTED, people)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE documents SET version = version + 1 WHERE id = :id"), {"id": doc.id}
        )
    with pytest.raises(StaleDataError):
        workflow.apply(doc, "publish", by=people["editor"])
    db.session.rollback()
    assert _told(people) == {}
    assert db.session.get(type(doc), doc.id).status is Status.SUBMITTED


def test_the_notification_is_committed_with_the_step(app, people):
    doc = _brief(Status.SUBMITTED, people)
    workflow.apply(doc, "publish", by=people["editor"])
    with db.engine.connect() as conn:  # a connection of its own sees only committed rows
        count = conn.execute(text("SELECT count(*) FROM notifications")).scalar()
    assert count == 2


def test_the_focal_point_finds_the_publication_on_their_notifications_page(app, people):
    doc = _brief(Status.DRAFT, people)
    focal, editor = app.test_client(), app.test_client()
    login(focal, people["gha"])
    login(editor, people["editor"])
    post(focal, f"/workspace/documents/{doc.id}/steps/submit", {},
         form_url=f"/workspace/documents/{doc.id}")  # fmt: skip
    editor_page = editor.get("/notifications/").get_data(as_text=True)
    assert "waits for review: “Cassava clusters”" in editor_page
    post(editor, f"/workspace/documents/{doc.id}/steps/publish",
         {"comment": "Thank you.", "confirm": "y"},
         form_url=f"/workspace/documents/{doc.id}")  # fmt: skip
    page = focal.get("/notifications/").get_data(as_text=True)
    assert (
        f'<a href="/briefs/{doc.slug}">Your policy brief “Cassava clusters” was published.' in page
    )
    assert "“Thank you.”" in page
