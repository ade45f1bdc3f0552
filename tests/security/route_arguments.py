"""Sample URL arguments for every endpoint, shared by the crawls that must reach every route.

A new route needs one entry here; the crawls fail and name it until it has one.
"""

from __future__ import annotations

from hub.documents.models import Attachment, Document


def route_arguments(
    *,
    brief: Document,
    experience: Document,
    section: Document,
    attachment: Attachment,
    draft: Document,
    user_id: int | None,
) -> dict[str, list[dict]]:
    """Sample arguments for every endpoint (a list: one URL each)."""
    doc = {"doc_id": draft.id}
    return {
        "api.search_json": [{"q": "roadmap"}],
        "accounts.accept_invitation": [{"token": "not-a-real-token"}],
        "accounts.change_password": [{}],
        "accounts.change_role": [{"user_id": user_id}],
        "accounts.login": [{}],
        "accounts.logout": [{}],
        "accounts.request_reset": [{}],
        "accounts.resend_invitation": [{"user_id": user_id}],
        "accounts.reset_password": [{"token": "not-a-real-token"}],
        "accounts.set_active": [{"user_id": user_id}],
        "accounts.users": [{}],
        "countries.index": [{}],
        "countries.show": [{"iso3": "GHA"}],
        "countries.edit_profile": [{"iso3": "GHA"}],
        "documents.area": [{"area": "capabilities"}],
        "documents.brief_changes": [{"slug": brief.slug}],
        "documents.download": [{"attachment_id": attachment.id, "filename": attachment.filename}],
        "documents.index": [{"kind_path": "briefs"}, {"kind_path": "experiences"}],
        "documents.show": [
            {"kind_path": "briefs", "slug": brief.slug},
            {"kind_path": "experiences", "slug": experience.slug},
        ],
        "forum.edit": [{"post_id": 1}],
        "forum.hide": [{"post_id": 1}],
        "forum.history": [{"post_id": 1}],
        "forum.index": [{}],
        "forum.lock": [{"thread_id": 1}],
        "forum.new": [{"doc_id": brief.id}, {"doc_id": section.id}],
        "forum.reply": [{"thread_id": 1}],
        "forum.restore": [{"post_id": 1}],
        "forum.show": [{"thread_id": 1}],
        "forum.subscribe": [{"thread_id": 1}],
        "forum.unlock": [{"thread_id": 1}],
        "forum.unsubscribe": [{"thread_id": 1}],
        "forum.unsubscribe_link": [{"token": "not-a-real-token"}],
        "guidebook.index": [{}],
        "guidebook.section": [{"slug": section.slug}],
        "guidebook.history": [{"slug": section.slug}],
        "guidebook.diff": [{"slug": section.slug, "from": 1, "to": 1}],
        "pages.about": [{}],
        "pages.favicon": [{}],
        "pages.health": [{}],
        "pages.home": [{}],
        "reporting.index": [{}],
        "reporting.settings": [{}],
        "sdg.index": [{}],
        "sdg.show": [{"number": 9}],
        "search.results": [{"q": "roadmap"}],
        "search_analytics.report": [{}],
        "static": [{"filename": "hub.css"}],
        "workspace.dashboard": [{}],
        "workspace.document": [doc],
        "workspace.edit": [doc],
        "workspace.new": [{"kind_path": k} for k in ("briefs", "experiences", "guidebook")],
        "workspace.restore": [{**doc, "number": 1}],
        "workspace.step": [{**doc, "name": "submit"}],
        "workspace.upload": [doc],
    }
