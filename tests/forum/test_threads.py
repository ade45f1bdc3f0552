"""Starting threads from document and guidebook pages, replying, and the recent discussions."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.forum import service
from hub.forum.models import Thread
from tests.forum.conftest import client_for, fresh, posts_of, started
from tests.web import post


def test_a_member_starts_a_discussion_from_a_brief_page(app, brief, gha):
    ghana = client_for(app, gha)
    page = f"/briefs/{brief.slug}"
    assert "Start a discussion" in ghana.get(page).get_data(as_text=True)
    response = post(ghana, f"/discussions/documents/{brief.id}/new",
                    {"title": "Which indicators?", "body": "We track *R&D* spending."},
                    form_url=page)  # fmt: skip
    assert response.status_code == 303
    thread = db.session.scalar(select(Thread).where(Thread.title == "Which indicators?"))
    assert thread.document_id == brief.id
    assert [p.body for p in thread.posts] == ["We track *R&D* spending."]
    listed = ghana.get(page).get_data(as_text=True)
    assert "Which indicators?" in listed and "0 replies" in listed


def test_a_guidebook_section_shows_its_discussions(app, section, srb):
    thread = started(section, srb, title="Mission-oriented policy")
    service.reply(thread, "Useful section.", by=srb)
    page = client_for(app, srb).get(f"/guidebook/{section.slug}").get_data(as_text=True)
    assert "Mission-oriented policy" in page and "1 reply" in page
    assert page.count('id="discussions-heading"') == 1


def test_a_missing_title_shows_the_form_again_with_the_text_kept(app, brief, gha):
    ghana = client_for(app, gha)
    response = post(ghana, f"/discussions/documents/{brief.id}/new",
                    {"title": "  ", "body": "A long careful message."},
                    form_url=f"/briefs/{brief.slug}")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A long careful message." in page
    assert "This field is required." in page
    assert db.session.scalar(select(Thread)) is None


def test_a_title_on_several_lines_becomes_one_line(app, brief, gha):
    thread = started(brief, gha, title="First line\r\nBcc: someone@example.org")
    assert thread.title == "First line Bcc: someone@example.org"


def test_an_empty_reply_is_refused_and_nothing_is_posted(app, brief, gha, srb):
    thread = started(brief, gha)
    response = post(client_for(app, srb), f"/discussions/{thread.id}/reply", {"body": " "},
                    form_url=f"/discussions/{thread.id}")  # fmt: skip
    assert response.status_code == 400
    assert "write a message first" in response.get_data(as_text=True)
    assert len(posts_of(thread.id)) == 1


def test_a_reply_moves_the_thread_to_the_top_of_recent_discussions(app, brief, section, gha, srb):
    older = started(brief, gha, title="Older thread")
    started(section, gha, title="Newer thread")
    service.reply(fresh(Thread, older.id), "Bump", by=srb)
    page = client_for(app, srb).get("/discussions/").get_data(as_text=True)
    assert page.index("Older thread") < page.index("Newer thread")
    assert service.recent_threads(viewer=srb).items[0].replies == 1


def test_recent_discussions_page_through(app, brief, gha):
    for n in range(3):
        started(brief, gha, title=f"Thread {n}")
    first = service.recent_threads(viewer=gha, page=1, per_page=2)
    second = service.recent_threads(viewer=gha, page=2, per_page=2)
    assert first.has_next and not second.has_next
    assert [s.thread.title for s in first.items + second.items] == [
        "Thread 2",
        "Thread 1",
        "Thread 0",
    ]


def test_a_draft_page_offers_no_discussion_form(app, gha):
    from hub.documents.models import Status
    from tests import factories

    draft = factories.document(status=Status.DRAFT, country_code="GHA")
    page = client_for(app, gha).get(f"/briefs/{draft.slug}").get_data(as_text=True)
    assert "Start a discussion" not in page


def _duplicate_ids(html: str) -> list[str]:
    import re
    from collections import Counter

    counts = Counter(re.findall(r'\sid="([^"]+)"', html))
    return sorted(name for name, n in counts.items() if n > 1)


def test_pages_with_discussion_forms_keep_element_ids_unique(app, gha):
    from tests import factories

    doc = factories.document(body="# Title\n\nText.\n\n# Body\n\nMore text.\n\n## Reply body")
    thread = started(doc, gha, body="# Body\n\n## Title\n\nA post with headings.")
    ghana = client_for(app, gha)
    for url in (f"/briefs/{doc.slug}", f"/discussions/{thread.id}",
                f"/discussions/posts/{thread.posts[0].id}/edit"):  # fmt: skip
        page = ghana.get(url).get_data(as_text=True)
        assert _duplicate_ids(page) == [], url
