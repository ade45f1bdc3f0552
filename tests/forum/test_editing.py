"""Edit history and optimistic concurrency: no edit loses earlier text or someone else's save."""

from __future__ import annotations

import pytest

from hub.errors import Conflict
from hub.forum import moderation, service
from hub.forum.models import Post
from tests.forum.conftest import client_for, fresh, started
from tests.web import post


def test_an_edit_keeps_the_previous_text_and_shows_edited_with_a_history_link(app, brief, gha, srb):
    thread = started(brief, gha, body="First wording.")
    first = thread.posts[0]
    ghana = client_for(app, gha)
    response = post(ghana, f"/discussions/posts/{first.id}/edit",
                    {"body": "Second wording.", "version": str(first.version)})  # fmt: skip
    assert response.status_code == 303
    saved = fresh(Post, first.id)
    assert saved.body == "Second wording."
    assert [r.body for r in saved.revisions] == ["First wording."]
    assert saved.edited_at is not None

    serbia = client_for(app, srb)
    page = serbia.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert f'href="/discussions/posts/{first.id}/history">edited</a>' in page
    history = serbia.get(f"/discussions/posts/{first.id}/history").get_data(as_text=True)
    assert "First wording." in history and "Second wording." in history


def test_every_edit_adds_one_revision_in_order(app, brief, gha):
    thread = started(brief, gha, body="one")
    target = thread.posts[0]
    for text in ("two", "three"):
        assert service.edit_post(target, text, expected_version=target.version, by=gha)
    assert [(r.number, r.body) for r in fresh(Post, target.id).revisions] == [
        (1, "one"),
        (2, "two"),
    ]


def test_saving_the_same_text_records_nothing(app, brief, gha):
    thread = started(brief, gha, body="Same.")
    target = thread.posts[0]
    assert service.edit_post(target, "Same.", expected_version=target.version, by=gha) is False
    assert fresh(Post, target.id).revisions == []


def test_a_lost_race_is_refused_with_a_message_and_keeps_the_users_text(
    app, brief, gha, gha_colleague
):
    thread = started(brief, gha, body="Original.")
    target = thread.posts[0]
    url = f"/discussions/posts/{target.id}/edit"
    first, second = client_for(app, gha), client_for(app, gha_colleague)
    version = str(target.version)
    assert post(first, url, {"body": "First editor's text.", "version": version}).status_code == 303
    response = post(second, url, {"body": "Second editor's careful text.", "version": version})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this post while you were editing it" in page
    assert "Second editor&#39;s careful text." in page  # kept in the form
    assert "<p>First editor" in page  # the current text, rendered, to compare
    assert fresh(Post, target.id).body == "First editor's text."
    # Saving again from the conflict page (which carries the new version) works.
    new_version = str(fresh(Post, target.id).version)
    again = post(second, url, {"body": "Second editor's careful text.", "version": new_version})
    assert again.status_code == 303
    assert [r.body for r in fresh(Post, target.id).revisions] == [
        "Original.",
        "First editor's text.",
    ]


def test_service_refuses_an_edit_based_on_an_old_version(app, brief, gha):
    thread = started(brief, gha)
    target = thread.posts[0]
    old = target.version
    service.edit_post(target, "Newer.", expected_version=old, by=gha)
    with pytest.raises(Conflict):
        service.edit_post(target, "Stale.", expected_version=old, by=gha)
    assert fresh(Post, target.id).body == "Newer."


def test_an_empty_edit_is_refused_and_the_form_shown_again(app, brief, gha):
    thread = started(brief, gha, body="Keep me.")
    target = thread.posts[0]
    ghana = client_for(app, gha)
    response = post(ghana, f"/discussions/posts/{target.id}/edit", {"body": "", "version": "1"})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert fresh(Post, target.id).body == "Keep me."


def test_members_do_not_see_the_history_of_a_removed_post(app, brief, gha, srb, editor):
    thread = started(brief, gha, body="Old rude text.")
    target = thread.posts[0]
    service.edit_post(target, "New rude text.", expected_version=target.version, by=gha)
    moderation.hide_post(target, "Insulting", by=editor)
    serbia = client_for(app, srb)
    page = serbia.get(f"/discussions/posts/{target.id}/history").get_data(as_text=True)
    assert "rude text" not in page
    assert "removed by the Secretariat" in page
    staff = client_for(app, editor)
    assert "Old rude text." in staff.get(f"/discussions/posts/{target.id}/history").get_data(
        as_text=True
    )
