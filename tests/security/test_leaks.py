"""T-12 Leak through search, listings and pages: hidden text reaches only those who may read it.

Unique canary words are planted in drafts, submissions, documents sent back for changes, archived
and members-only documents, old wording replaced before publication, an attachment's name and
text, and workflow comments. Then every public listing, the search (once per canary), every
document page, its history, the workspace pages and the attachment download are fetched as
anonymous and as each country's focal point; a canary that viewer may not read must occur 0 times.

Search echoes the query, so each canary is searched in upper case and counted in lower case: only
text taken from the index or the database can contain it. An editor, who reads everything, must
find each canary through the same pages (the control that the canaries are really there).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from hub.accounts.models import Role, User
from hub.documents import revisions, workflow
from hub.documents.models import Area, Document, ExtractionStatus, Kind, Status, Visibility
from hub.extensions import db
from hub.search import indexing
from tests import factories
from tests.security.route_matrix import Actor, account, attach

VIEWERS = ("anonymous", "focal_gha", "focal_srb")
LISTINGS = [
    "/", "/about", "/briefs/", "/experiences/", "/briefs/?country=GHA", "/briefs/?country=SRB",
    "/experiences/?country=GHA", "/experiences/?country=SRB", "/briefs/?sdg=9", "/countries/",
    "/countries/gha", "/countries/srb", "/sdgs/", "/sdgs/9", "/areas/capabilities",
    "/areas/knowledge_flows", "/areas/collaboration", "/guidebook/",
]  # fmt: skip
COUNT_RE = re.compile(r'<p class="count"[^>]*>(\d+) results?</p>')


def canary(label: str) -> str:
    """A word found nowhere else; letters then digits, so stemming leaves it alone."""
    return f"cnry{label}{secrets.randbelow(10**8):08d}"


SHARED = canary("shared")  # in every planted document, to check result counts


@dataclass
class Garden:
    """Planted documents, and which viewers may not see each canary."""

    hidden_from: dict[str, set[str]] = field(default_factory=dict)  # canary -> viewers
    docs: list[Document] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # public pages of the planted documents
    not_on_any_page: set[str] = field(default_factory=set)  # kept only in the database

    def word(self, label: str, *hidden_from: str) -> str:
        word = canary(label)
        self.hidden_from[word] = set(hidden_from)
        return word

    def plant(self, label: str, hidden_from: tuple[str, ...], **kwargs) -> tuple[Document, str]:
        word = self.word(label, *hidden_from) if hidden_from else ""
        kwargs.setdefault("title", f"Planted {label} {word}")
        doc = factories.document(
            summary=f"Summary {word}", body=f"Text {word} {SHARED}.", tags=[word] if word else [],
            goals=[9], areas=[Area.CAPABILITIES, Area.KNOWLEDGE_FLOWS, Area.COLLABORATION],
            **kwargs,
        )  # fmt: skip
        self.docs.append(doc)
        return doc, word


ALL = VIEWERS
NOT_GHA = ("anonymous", "focal_srb")  # Ghana's unpublished work
NOT_SRB = ("anonymous", "focal_gha")


def _garden(tmp: Path, focal_gha: User, focal_srb: User, editor: User) -> Garden:
    g = Garden()
    brief, experience, section = Kind.POLICY_BRIEF, Kind.COUNTRY_EXPERIENCE, Kind.GUIDEBOOK_SECTION

    draft, _ = g.plant("draftgha", NOT_GHA, country_code="GHA", status=Status.DRAFT)
    pdf = attach(draft, f"{g.word('filename', *NOT_GHA)}.pdf", tmp)
    pdf.text = f"Extracted text {g.word('pdftext', *NOT_GHA)}"  # as extraction would leave it
    pdf.extraction_status = ExtractionStatus.OK
    g.not_on_any_page.add(pdf.text.split()[-1])
    g.plant("draftsrb", NOT_SRB, kind=experience, country_code="SRB", status=Status.DRAFT)
    g.plant("submitted", NOT_GHA, country_code="GHA", status=Status.SUBMITTED)
    changes, _ = g.plant("changes", NOT_SRB, country_code="SRB", status=Status.SUBMITTED)
    workflow.apply(changes, "request_changes", by=editor, comment=g.word("askscomment", *NOT_SRB))
    archived, _ = g.plant("archgha", NOT_GHA, kind=experience, country_code="GHA")
    workflow.apply(archived, "archive", by=editor, comment=g.word("archcomment", *NOT_GHA))
    archived, _ = g.plant("archsrb", NOT_SRB, country_code="SRB")
    workflow.apply(archived, "archive", by=editor, comment=g.word("archcomment", *NOT_SRB))
    g.plant("members", ("anonymous",), country_code="SRB", visibility=Visibility.MEMBERS)

    # Published, but its review comments are between Ghana and the Secretariat.
    reviewed, _ = g.plant("reviewed", (), country_code="GHA", status=Status.SUBMITTED)
    workflow.apply(reviewed, "request_changes", by=editor, comment=g.word("review", *NOT_GHA))
    workflow.apply(reviewed, "submit", by=focal_gha, comment=g.word("reply", *NOT_GHA))
    workflow.apply(reviewed, "publish", by=editor, comment=g.word("pubcomment", *NOT_GHA))

    # Published after its first wording was replaced: the old wording stays in the revisions.
    rewritten, old = g.plant("oldwording", NOT_SRB, country_code="SRB", status=Status.DRAFT,
                             title="Planted rewritten brief")  # fmt: skip
    rewritten.summary, rewritten.body, rewritten.tags = "Summary.", f"New text {SHARED}.", []
    revisions.record(rewritten, by=focal_srb, note="rewritten")
    db.session.commit()
    workflow.apply(rewritten, "submit", by=focal_srb)
    workflow.apply(rewritten, "publish", by=editor)
    g.not_on_any_page.add(old)

    # The guidebook: an unpublished section; a section published with a comment for its
    # (Secretariat) author; a section whose draft wording changed before publication.
    g.plant("guidedraft", ALL, kind=section, country_code=None, status=Status.DRAFT)
    commented, _ = g.plant("guidecomment", (), kind=section, country_code=None,
                           status=Status.DRAFT, title="Planted commented section")  # fmt: skip
    workflow.apply(commented, "publish", by=editor, comment=g.word("guidepubcomment", *ALL))
    reworded, _ = g.plant("guidewording", ALL, kind=section, country_code=None,
                          status=Status.DRAFT, title="Planted reworded section")  # fmt: skip
    reworded.summary, reworded.body, reworded.tags = "Summary.", f"Final text {SHARED}.", []
    revisions.record(reworded, by=editor, note="reworded")
    db.session.commit()
    workflow.apply(reworded, "publish", by=editor)

    g.plant("public", (), country_code="GHA")  # a plain published brief: the visible control
    indexing.catch_up()
    for doc in g.docs:
        path = {brief: "briefs", experience: "experiences", section: "guidebook"}[doc.kind]
        g.urls.append(f"/{path}/{doc.slug}")
        if doc.kind is section:
            g.urls += [f"/guidebook/{doc.slug}/history"] + [
                f"/guidebook/{doc.slug}/diff?from={a}&to={b}" for a, b in ((1, 2), (1, 3), (2, 3))
            ]
        g.urls += [f"/workspace/documents/{doc.id}", f"/workspace/documents/{doc.id}/edit"]
    g.urls += [f"/attachments/{pdf.id}/{pdf.filename}", "/workspace/"]
    return g


def _text(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + response.get_data().decode("utf-8", "replace")


def _visible_counts(actor: Actor) -> tuple[int, dict[str, str]]:
    """The search result count for the shared word, and each country's count on /countries/."""
    page = actor.client.get(f"/search?q={SHARED.upper()}").get_data(as_text=True)
    found = COUNT_RE.search(page)
    countries = actor.client.get("/countries/").get_data(as_text=True)
    rows = {
        name: re.search(rf">{name}</a>.*?<td>(\d+)</td></tr>", countries, re.S)
        for name in ("Ghana", "Serbia")
    }
    return int(found.group(1)) if found else 0, {k: m and m.group(1) for k, m in rows.items()}


def test_t12_no_canary_reaches_anyone_who_may_not_read_it(app, tmp_path, smtp_server):
    smtp_server.configure(app)
    users = {
        "focal_gha": account(Role.FOCAL_POINT, "GHA"),
        "focal_srb": account(Role.FOCAL_POINT, "SRB"),
        "editor": account(Role.EDITOR, None),
    }
    g = _garden(tmp_path, users["focal_gha"], users["focal_srb"], users["editor"])
    actors = {"anonymous": Actor(app, "anonymous")}
    actors.update({name: Actor(app, name, user) for name, user in users.items()})
    endpoints = (LISTINGS + [f"/search?q={word.upper()}" for word in g.hidden_from]
                 + [f"/search?q={SHARED.upper()}"] + g.urls)  # fmt: skip

    leaks, requests = [], 0
    for viewer in VIEWERS:
        hidden = [word for word, who in g.hidden_from.items() if viewer in who]
        for url in endpoints:
            text = _text(actors[viewer].client.get(url))
            requests += 1
            leaks += [
                f"{viewer} {url}: {word} x{text.count(word)}" for word in hidden if word in text
            ]
    seen_by_editor = "".join(_text(actors["editor"].client.get(url)) for url in endpoints)
    unseen = [w for w in g.hidden_from if w not in seen_by_editor and w not in g.not_on_any_page]
    occurrences = sum(int(line.rsplit("x", 1)[1]) for line in leaks)
    counts = {viewer: _visible_counts(actors[viewer]) for viewer in VIEWERS}

    print(
        f"\nT-12: canary occurrences {occurrences} across {len(endpoints)} endpoints "
        f"({requests} requests as {', '.join(VIEWERS)}; {len(g.hidden_from)} canaries in drafts, "
        "submissions, changes requested, archived and members-only documents, replaced wording, "
        "an attachment's name and text, workflow comments)"
    )
    for line in leaks:
        print("  leak:", line)
    assert not unseen, f"canaries the editor cannot find, so the planting failed: {unseen}"
    # Published public: reviewed, rewritten, public, two guidebook sections; members-only: one.
    assert counts["anonymous"] == (5, {"Ghana": "2", "Serbia": "1"}), counts
    assert counts["focal_gha"] == counts["focal_srb"] == (6, {"Ghana": "2", "Serbia": "2"}), counts
    assert not leaks, "\n".join(leaks)


def test_t12_an_archived_document_leaves_public_search_within_the_archiving_request(app):
    word = canary("archivenow")
    doc = factories.document(country_code="GHA", title=f"About to be archived {word}")
    indexing.catch_up()
    editor = Actor(app, "editor", account(Role.EDITOR, None))
    public = Actor(app, "anonymous")
    before = COUNT_RE.search(public.client.get(f"/search?q={word.upper()}").get_data(as_text=True))
    assert before and before.group(1) == "1", "the published document must be found first"

    response = editor.client.post(
        f"/workspace/documents/{doc.id}/steps/archive",
        data={"comment": "", "csrf_token": editor.token()},
    )
    assert response.status_code == 303
    after = public.client.get(f"/search?q={word.upper()}").get_data(as_text=True)
    hits = COUNT_RE.search(after)
    page = public.client.get(f"/briefs/{doc.slug}")
    print(
        f"\nT-12 (archive): search hits before 1, right after the archiving POST returned "
        f"{hits.group(1) if hits else 0} (canary occurrences {after.count(word)}), "
        f"document page {page.status_code}"
    )
    assert hits is None and word not in after
    assert page.status_code == 404


def test_t12_members_only_documents_reach_members_and_not_the_public(app):
    word = canary("membersonly")
    doc = factories.document(country_code="SRB", visibility=Visibility.MEMBERS,
                             title=f"For members {word}")  # fmt: skip
    indexing.catch_up()
    found = {}
    for name, actor in (
        ("anonymous", Actor(app, "anonymous")),
        ("focal_gha", Actor(app, "focal_gha", account(Role.FOCAL_POINT, "GHA"))),
        ("focal_srb", Actor(app, "focal_srb", account(Role.FOCAL_POINT, "SRB"))),
    ):
        search = actor.client.get(f"/search?q={word.upper()}").get_data(as_text=True)
        page = actor.client.get(f"/briefs/{doc.slug}")
        listing = actor.client.get("/briefs/?country=SRB").get_data(as_text=True)
        found[name] = (search.count(word) > 0, page.status_code, word in listing)
    print(f"\nT-12 (members-only): found by search, page status, in listing: {found}")
    assert found["anonymous"] == (False, 404, False)
    assert found["focal_gha"] == found["focal_srb"] == (True, 200, True)
