"""Every page type of the Hub, in its states, for the accessibility and validity checks.

``PAGES`` names concrete URLs per endpoint and the roles that look at each; ``FORM_ERRORS`` names
forms sent back empty or wrong, so their error state is checked too; ``EXCLUDED`` names the GET
endpoints that serve no HTML page, with the reason. ``test_accessibility`` fails when an endpoint
of the URL map is in none of them, so a new page type cannot be forgotten.

The data behind the URLs comes from ``seed``: the Partnership seed (people of every role, an
application, a discussion with a reply, an offer, a need, a match) plus a GHA draft, a submitted
GHA brief waiting for review, a guidebook section with two revisions, an edited forum post and
the tokens of the e-mail links. Run as ``python -m tests.browser.a11y_pages seed OUT.json`` with
the Hub's environment (the fixture does so before gunicorn starts).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser import test_partnership as partnership

pytestmark = pytest.mark.browser  # helpers only; marked like every module of this folder

PASSWORD = partnership.PASSWORD
ACCOUNTS = {
    "focal_point": partnership.GHANA_FP,
    "editor": partnership.EDITOR,
    "admin": partnership.ADMIN,
}
ROLES = ("anonymous", "focal_point", "editor", "admin")
A, F, E, D = ROLES
EVERYONE = (A, F, E, D)
BRIEF = "gha-roadmap-progress-2025"
SECTION = "preparing-the-roadmap"


def seed(out: str) -> None:
    """The Partnership seed, then what the remaining page types need to show a filled state."""
    partnership.seed(out)
    seeded = json.loads(Path(out).read_text(encoding="utf-8"))

    from sqlalchemy import select

    from hub import create_app
    from hub.accounts import service as accounts
    from hub.accounts import tokens
    from hub.accounts.models import Role
    from hub.documents import editing, workflow
    from hub.documents.models import Area, Document, Kind
    from hub.extensions import db
    from hub.forum import service as forum
    from hub.forum import subscriptions
    from hub.forum.models import Thread
    from hub.search import indexing

    app = create_app()
    with app.app_context(), app.test_request_context():
        fp = accounts.find_by_email(partnership.GHANA_FP)
        editor = accounts.find_by_email(partnership.EDITOR)
        draft = editing.create(
            Kind.POLICY_BRIEF,
            editing.DocumentInput(
                title="Example draft: scaling up the innovation fund",
                summary="A draft brief that the focal point is still writing.",
                body="## Why\n\nExample text with a [link](https://example.org).\n",
                goals=[9, 2, 15],
                areas=[Area.CAPABILITIES],
                tags=["funding"],
            ),
            by=fp,
        )
        submitted = editing.create(
            Kind.POLICY_BRIEF,
            editing.DocumentInput(
                title="Example submission: regional innovation hubs",
                summary="A brief waiting for the Secretariat's review.",
                body="Example body.\n\n| Year | Hubs |\n|---|---|\n| 2024 | 3 |\n| 2025 | 5 |\n",
                goals=[9, 17],
            ),
            by=fp,
        )
        workflow.apply(submitted, "submit", by=fp, comment="Ready for review.")
        section = editing.create(
            Kind.GUIDEBOOK_SECTION,
            editing.DocumentInput(title="Example section: reading the evidence", body="First."),
            by=editor,
        )
        editing.update(
            section,
            editing.DocumentInput(
                title="Example section: reading the evidence", body="First, then second."
            ),
            expected_version=section.version,
            by=editor,
        )
        workflow.apply(section, "publish", by=editor)
        thread = db.session.get(Thread, seeded["thread_id"])
        first = thread.posts[0]
        forum.edit_post(
            first,
            first.body + "\n\nEdited: example of a corrected figure.",
            expected_version=first.version,
            by=fp,
        )
        invited = accounts.create_user(
            email="invited@a11y.test",
            name="Invited Person",
            role=Role.EDITOR,
            country_iso3=None,
            by=None,
        )
        brief = db.session.scalar(select(Document).where(Document.slug == BRIEF))
        indexing.catch_up()
        seeded.update(
            {
                "draft_id": draft.id,
                "submitted_id": submitted.id,
                "section_slug": section.slug,
                "section_id": section.id,
                "invited_id": invited.id,
                "post_id": first.id,
                "brief_id": brief.id,
                "invite_token": tokens.make_token(invited, tokens.INVITE),
                "reset_token": tokens.make_token(fp, tokens.RESET),
                "unsubscribe_token": subscriptions.make_token(fp, thread),
            }
        )
    Path(out).write_text(json.dumps(seeded), encoding="utf-8")


@dataclass(frozen=True)
class Page:
    """One concrete URL (a template over the seeded ids) and the roles that look at it."""

    endpoint: str
    path: str
    roles: tuple[str, ...]
    state: str = "filled"
    status: int = 200


def P(endpoint: str, path: str, *roles: str, state: str = "filled", status: int = 200) -> Page:
    return Page(endpoint, path, roles or (A,), state, status)


# Public pages are looked at logged out and as a focal point; where staff get more (edit links,
# workflow buttons, history) the editor and the administrator look too. The home page, which
# carries every role's navigation, is looked at by everyone.
PAGES: list[Page] = [
    P("pages.home", "/", *EVERYONE),
    P("pages.about", "/about", A, F),
    P("pages.contact", "/contact", A),
    P("pages.privacy", "/privacy", A),
    P("pages.accessibility", "/accessibility", A),
    P("pages.api", "/search-api", A),
    P("guidebook.print_view", "/guidebook/print", A, E),
    P("guidebook.index", "/guidebook/", A, E),
    P("guidebook.section", f"/guidebook/{SECTION}", A, F, E),
    P("guidebook.history", "/guidebook/{section_slug}/history", A, E),
    P("guidebook.diff", "/guidebook/{section_slug}/diff?from=1&to=2", E),
    P("documents.index", "/briefs/", A, F),
    P("documents.index", "/experiences/", A),
    P("documents.show", f"/briefs/{BRIEF}", *EVERYONE),
    P("documents.show", "/experiences/srb-regional-science-parks", A),
    P("documents.show", "/experiences/ken-county-innovation-challenges", E, state="draft"),
    P("documents.brief_changes", f"/briefs/{BRIEF}/changes", A),
    P("documents.area", "/areas/capabilities", A),
    P("countries.index", "/countries/", A, F),
    P("countries.show", "/countries/gha", A, F, E),
    P("countries.show", "/countries/chl", A, state="empty"),
    P("countries.edit_profile", "/countries/gha/profile", F, E),
    P("sdg.index", "/sdgs/", A),
    P("sdg.show", "/sdgs/2", A),
    P("search.results", "/search?q=innovation", A, F),
    P("search.results", "/search", A, state="empty"),
    P("search.results", "/search?q=zzqxnothingmatches", A, state="no results"),
    P("accounts.login", "/login", A, state="empty"),
    P("accounts.request_reset", "/account/reset", A, state="empty"),
    P("accounts.reset_password", "/account/reset/{reset_token}", A, state="empty"),
    P("accounts.reset_password", "/account/reset/bad-token", A, state="invalid link", status=400),
    P("accounts.accept_invitation", "/invitation/{invite_token}", A, state="empty"),
    P("accounts.change_password", "/account/password", F, state="empty"),
    P("accounts.users", "/admin/users", D),
    P("accounts.role_page", "/admin/users/{invited_id}/role", D),
    P("accounts.disable_page", "/admin/users/{invited_id}/disable", D),
    P("search_analytics.report", "/admin/search-analytics", D),
    P("jobs.failed", "/admin/jobs", D),
    P("applications.apply", "/applications/apply", A, state="empty"),
    P("applications.submitted", "/applications/submitted", A),
    P("applications.review_queue", "/applications/review", E),
    P("applications.review_queue", "/applications/review?status=rejected", E, state="empty"),
    P("applications.review_detail", "/applications/review/{application_id}", E),
    P("applications.priority", "/applications/review/priority", E),
    P("forum.index", "/discussions/", F),
    P("forum.show", "/discussions/{thread_id}", F, E),
    P("forum.new", "/discussions/documents/{brief_id}/new", F, state="empty"),
    P("forum.edit", "/discussions/posts/{post_id}/edit", F),
    P("forum.history", "/discussions/posts/{post_id}/history", F),
    P("forum.unsubscribe_link", "/discussions/unsubscribe/{unsubscribe_token}", A),
    P("notifications.index", "/notifications/", F),
    P("notifications.index", "/notifications/?unread=1&category=submission", E, state="empty"),
    P("peers.index", "/peer-learning/", A, F),
    P("peers.item", "/peer-learning/items/{offer_id}", A, F),
    P("peers.edit", "/peer-learning/items/{offer_id}/edit", F),
    P("peers.matches", "/peer-learning/matches", E),
    P("peers.match", "/peer-learning/matches/{match_id}", E),
    P("peers.new_match", "/peer-learning/matches/new", E, state="empty"),
    P("peers.new", "/peer-learning/new/offers", F, state="empty"),
    P("peers.suggested", "/peer-learning/suggestions", F),
    P("reporting.index", "/reporting/", A, E),
    P("reporting.settings", "/reporting/settings", E),
    P("workspace.dashboard", "/workspace/", F, E, D),
    P("workspace.document", "/workspace/documents/{draft_id}", F),
    P("workspace.document", "/workspace/documents/{submitted_id}", E, state="review"),
    P("workspace.edit", "/workspace/documents/{draft_id}/edit", F),
    P("workspace.document", "/workspace/documents/{brief_id}", F, state="published"),
    P("workspace.edit", "/workspace/documents/{brief_id}/edit", F, state="published", status=403),
    P("workspace_guidebook.tree", "/workspace/guidebook", E),
    P("workspace_guidebook.document_diff", "/workspace/documents/{section_id}/diff?from=1&to=2", E),
    P("workspace.new", "/workspace/new/briefs", F, state="empty"),
    P("workspace.new", "/workspace/new/guidebook", E, state="empty"),
    P("(error page)", "/no-such-page", A, F, state="not found", status=404),
]


@dataclass(frozen=True)
class FormError:
    """A form sent back with ``fill`` applied (field selector -> value; the rest left empty)."""

    endpoint: str
    path: str
    role: str
    field: str  # any field of the form; its form is the one submitted, without browser checks
    fill: tuple[tuple[str, str], ...] = ()


FORM_ERRORS: list[FormError] = [
    FormError("accounts.login", "/login", A, "#email",
              (("#email", "nobody@a11y.test"), ("#password", "wrong password"))),
    FormError("accounts.request_reset", "/account/reset", A, "#email"),
    FormError("accounts.change_password", "/account/password", F, "#current"),
    FormError("accounts.users", "/admin/users", D, "#email", (("#email", "not an address"),)),
    FormError("applications.apply", "/applications/apply", A, "#official_name"),
    FormError("forum.new", "/discussions/documents/{brief_id}/new", F, "#discussion-title"),
    FormError("peers.new", "/peer-learning/new/offers", F, "#title"),
    FormError("workspace.new", "/workspace/new/briefs", F, "#title"),
]  # fmt: skip

# GET endpoints that serve no HTML page of their own (POST-only endpoints are left out by method).
EXCLUDED = {
    "static": "CSS, scripts and images, not pages",
    "pages.favicon": "an image",
    "pages.health": "a plain-text health answer for the load balancer",
    "api.search_json": "JSON for programs",
    "documents.download": "attachment files (PDF)",
    "applications.review_pdf": "a PDF of an application",
}


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "seed":
    seed(sys.argv[2])
