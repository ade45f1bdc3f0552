"""Who reads, posts, edits and moderates discussions (hub.permissions, through the service and
the routes)."""

from __future__ import annotations

import pytest

from hub.documents import workflow
from hub.documents.models import Status
from hub.errors import Conflict, NotAllowed, NotFound
from hub.forum import moderation, service
from hub.forum.models import Post, Thread
from tests import factories
from tests.forum.conftest import client_for, fresh, started
from tests.web import post


def test_public_sees_only_that_discussions_are_for_members(app, client, brief, gha):
    thread = started(brief, gha, title="Secret-ish priorities", body="Members-only wording")
    page = client.get(f"/briefs/{brief.slug}").get_data(as_text=True)
    assert "Discussions are for members of the Partnership." in page
    assert "/login?next=" in page
    assert "Secret-ish priorities" not in page
    assert "Members-only wording" not in page
    assert f"/discussions/{thread.id}" not in page


def test_public_is_sent_to_log_in_for_every_discussion_page(app, client, brief, gha):
    thread = started(brief, gha, title="Secret-ish priorities")
    for url in ("/discussions/", f"/discussions/{thread.id}",
                f"/discussions/posts/{thread.posts[0].id}/history"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")
        assert b"Secret-ish" not in response.data


def test_member_of_another_country_reads_and_joins_a_published_discussion(app, brief, gha, srb):
    thread = started(brief, gha)
    serbia = client_for(app, srb)
    assert "How did you set priorities?" in serbia.get(f"/briefs/{brief.slug}").get_data(
        as_text=True
    )
    response = post(serbia, f"/discussions/{thread.id}/reply", {"body": "We did the same."},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 303
    assert [p.body for p in fresh(Thread, thread.id).posts][-1] == "We did the same."


def test_thread_on_a_document_the_member_may_no_longer_read_is_hidden(app, brief, gha, srb, editor):
    thread = started(brief, gha, title="Archived talk")
    workflow.apply(brief, "archive", by=editor)
    with pytest.raises(NotFound):
        service.get_thread(thread.id, viewer=srb)
    serbia = client_for(app, srb)
    assert serbia.get(f"/discussions/{thread.id}").status_code == 404
    assert "Archived talk" not in serbia.get("/discussions/").get_data(as_text=True)
    # Ghana still reads its own archived brief, and so its discussion.
    ghana = client_for(app, gha)
    assert "Archived talk" in ghana.get("/discussions/").get_data(as_text=True)


def test_discussions_start_only_on_published_documents(app, gha):
    draft = factories.document(status=Status.DRAFT, country_code="GHA")
    with pytest.raises(Conflict):
        started(draft, gha)


def test_a_post_keeps_its_authors_country(app, brief, gha, srb):
    thread = started(brief, gha)
    reply = service.reply(thread, "From Belgrade.", by=srb)
    assert thread.posts[0].country_id == gha.country_id
    assert reply.country_id == srb.country_id


def test_focal_point_of_serbia_cannot_edit_a_ghana_post(app, brief, gha, srb):
    thread = started(brief, gha)
    original = thread.posts[0]
    with pytest.raises(NotAllowed):
        service.edit_post(
            original, "Rewritten by Serbia", expected_version=original.version, by=srb
        )
    serbia = client_for(app, srb)
    url = f"/discussions/posts/{original.id}/edit"
    assert serbia.get(url).status_code == 403
    response = post(serbia, url, {"body": "Rewritten by Serbia", "version": "1"},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 403
    assert fresh(Post, original.id).body == "We ranked *missions* first."


def test_ghana_focal_point_edits_a_post_by_another_ghana_user(app, brief, gha, gha_colleague):
    thread = started(brief, gha_colleague)
    colleague_post = thread.posts[0]
    ghana = client_for(app, gha)
    url = f"/discussions/posts/{colleague_post.id}/edit"
    assert "Edit" in ghana.get(f"/discussions/{thread.id}").get_data(as_text=True)
    response = post(ghana, url, {"body": "Corrected figures.", "version": "1"})
    assert response.status_code == 303
    assert fresh(Post, colleague_post.id).body == "Corrected figures."


def test_staff_moderate_and_members_cannot(app, brief, gha, gha_colleague, editor):
    thread = started(brief, gha)
    target = thread.posts[0]
    ghana = client_for(app, gha_colleague)
    for url, data in ((f"/discussions/posts/{target.id}/hide", {"reason": "spam"}),
                      (f"/discussions/{thread.id}/lock", {})):  # fmt: skip
        assert post(ghana, url, data, form_url=f"/discussions/{thread.id}").status_code == 403
    with pytest.raises(NotAllowed):
        moderation.hide_post(target, "spam", by=gha_colleague)
    assert fresh(Post, target.id).hidden_at is None
    assert fresh(Thread, thread.id).is_locked is False

    staff = client_for(app, editor)
    url = f"/discussions/posts/{target.id}/hide"
    assert (
        post(staff, url, {"reason": "Off topic"}, form_url=f"/discussions/{thread.id}").status_code
        == 303
    )
    assert fresh(Post, target.id).hidden_reason == "Off topic"
    assert (
        post(
            staff, f"/discussions/{thread.id}/lock", {}, form_url=f"/discussions/{thread.id}"
        ).status_code
        == 303
    )
    assert fresh(Thread, thread.id).is_locked is True


def test_an_author_edits_their_own_post_in_another_countrys_discussion(app, brief, gha, srb):
    thread = started(brief, gha)
    mine = service.reply(thread, "From Serbia.", by=srb)
    assert service.edit_post(mine, "Better wording.", expected_version=mine.version, by=srb)
    assert fresh(Post, mine.id).body == "Better wording."
