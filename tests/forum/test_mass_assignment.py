"""Fields the discussion forms do not have are never applied (author, country, moderation)."""

from __future__ import annotations

from hub.forum.models import Post, Thread
from tests.forum.conftest import client_for, fresh, posts_of, started
from tests.web import post


def test_a_reply_cannot_choose_its_author_country_or_moderation(app, brief, gha, srb, editor):
    thread = started(brief, gha)
    extras = {"author_id": str(editor.id), "country_id": str(gha.country_id),
              "hidden_at": "2025-01-01", "hidden_reason": "x", "is_locked": "1",
              "thread_id": "999", "version": "7"}  # fmt: skip
    url = f"/discussions/{thread.id}"
    response = post(client_for(app, srb), f"{url}/reply", {"body": "Plain reply", **extras},
                    form_url=url)  # fmt: skip
    assert response.status_code == 303
    reply = posts_of(thread.id)[-1]
    assert (reply.author_id, reply.country_id) == (srb.id, srb.country_id)
    assert reply.hidden_at is None and reply.hidden_reason == "" and reply.version == 1
    assert fresh(Thread, thread.id).is_locked is False


def test_an_edit_cannot_move_the_post_or_change_its_author(app, brief, section, gha, srb):
    thread = started(brief, gha)
    other = started(section, srb)
    target = thread.posts[0]
    extras = {"author_id": str(srb.id), "thread_id": str(other.id),
              "country_id": str(srb.country_id), "edited_at": "2020-01-01"}  # fmt: skip
    response = post(client_for(app, gha), f"/discussions/posts/{target.id}/edit",
                    {"body": "Edited", "version": str(target.version), **extras})  # fmt: skip
    assert response.status_code == 303
    saved = fresh(Post, target.id)
    assert saved.body == "Edited"
    assert (saved.author_id, saved.thread_id, saved.country_id) == (
        gha.id, thread.id, gha.country_id,
    )  # fmt: skip
    assert saved.edited_at.year > 2020


def test_starting_a_thread_cannot_pick_another_document_or_lock_state(app, brief, section, gha):
    response = post(client_for(app, gha), f"/discussions/documents/{brief.id}/new",
                    {"title": "Picked", "body": "Text", "document_id": str(section.id),
                     "is_locked": "1", "author_id": "1"},
                    form_url=f"/briefs/{brief.slug}")  # fmt: skip
    assert response.status_code == 303
    thread = fresh(Thread, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (thread.document_id, thread.is_locked, thread.author_id) == (brief.id, False, gha.id)
