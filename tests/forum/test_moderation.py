"""Moderation by the Secretariat: removed posts, restored posts, locked threads."""

from __future__ import annotations

import pytest

from hub.errors import Conflict
from hub.forum import moderation, service
from hub.forum.models import Post, Thread
from tests.forum.conftest import client_for, fresh, posts_of, started
from tests.web import post


def test_a_removed_post_shows_removed_to_members_and_full_text_to_staff(
    app, brief, gha, srb, editor
):
    thread = started(brief, gha)
    bad = service.reply(thread, "Buy cheap watches here", by=srb)
    moderation.hide_post(bad, "Advertising", by=editor)
    member_page = client_for(app, gha).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "Removed by the Secretariat." in member_page
    assert "cheap watches" not in member_page
    assert "Advertising" not in member_page
    staff_page = client_for(app, editor).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "cheap watches" in staff_page
    assert "Reason: Advertising" in staff_page
    assert "Show again" in staff_page


def test_restoring_a_post_shows_it_to_members_again(app, brief, gha, srb, editor):
    thread = started(brief, gha)
    reply = service.reply(thread, "A fair point after all", by=srb)
    moderation.hide_post(reply, "Checking", by=editor)
    staff = client_for(app, editor)
    response = post(staff, f"/discussions/posts/{reply.id}/restore", {},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 303
    restored = fresh(Post, reply.id)
    assert restored.hidden_at is None and restored.hidden_reason == ""
    assert "A fair point after all" in client_for(app, gha).get(
        f"/discussions/{thread.id}"
    ).get_data(as_text=True)


def test_removing_needs_a_reason(app, brief, gha, editor):
    thread = started(brief, gha)
    target = thread.posts[0]
    with pytest.raises(Exception, match="reason"):
        moderation.hide_post(target, "   ", by=editor)
    staff = client_for(app, editor)
    response = post(staff, f"/discussions/posts/{target.id}/hide", {"reason": ""},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 400
    assert "give a reason" in response.get_data(as_text=True)
    assert fresh(Post, target.id).hidden_at is None


def test_a_removed_post_cannot_be_edited_by_its_author(app, brief, gha, editor):
    thread = started(brief, gha)
    target = thread.posts[0]
    moderation.hide_post(target, "Personal data", by=editor)
    with pytest.raises(Conflict):
        service.edit_post(target, "Sneaky fix", expected_version=target.version, by=gha)


def test_a_locked_thread_takes_no_replies_and_says_so_keeping_the_text(
    app, brief, gha, srb, editor
):
    thread = started(brief, gha)
    moderation.lock(thread, by=editor)
    serbia = client_for(app, srb)
    page = serbia.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "This discussion is locked by the Secretariat" in page
    assert f'action="/discussions/{thread.id}/reply"' not in page
    response = post(serbia, f"/discussions/{thread.id}/reply", {"body": "Late thought"},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 409
    assert "This discussion is locked by the Secretariat" in response.get_data(as_text=True)
    assert "Late thought" in response.get_data(as_text=True)  # kept in the form
    assert len(posts_of(thread.id)) == 1
    with pytest.raises(Conflict):
        service.reply(thread, "Late thought", by=srb)


def test_a_locked_thread_refuses_members_edits(app, brief, gha, editor):
    thread = started(brief, gha)
    moderation.lock(thread, by=editor)
    target = thread.posts[0]
    with pytest.raises(Conflict):
        service.edit_post(target, "Changed", expected_version=target.version, by=gha)
    ghana = client_for(app, gha)
    page = ghana.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert f"/discussions/posts/{target.id}/edit" not in page
    response = ghana.get(f"/discussions/posts/{target.id}/edit", follow_redirects=True)
    assert "This discussion is locked by the Secretariat" in response.get_data(as_text=True)
    assert 'name="version"' not in response.get_data(as_text=True)


def test_unlocking_opens_the_thread_again(app, brief, gha, srb, editor):
    thread = started(brief, gha)
    moderation.lock(thread, by=editor)
    staff = client_for(app, editor)
    response = post(staff, f"/discussions/{thread.id}/unlock", {},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 303
    assert fresh(Thread, thread.id).is_locked is False
    service.reply(fresh(Thread, thread.id), "Now I can answer", by=srb)
    assert len(posts_of(thread.id)) == 2


def test_locking_twice_says_it_is_already_locked(app, brief, gha, editor):
    thread = started(brief, gha)
    moderation.lock(thread, by=editor)
    staff = client_for(app, editor)
    response = post(staff, f"/discussions/{thread.id}/lock", {},
                    form_url=f"/discussions/{thread.id}", follow_redirects=True)  # fmt: skip
    assert "This discussion is already locked." in response.get_data(as_text=True)
