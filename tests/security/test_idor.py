"""T-10 IDOR across countries: objects are reached by guessing ids and slugs, never by permission.

Ghana's focal point owns one draft in the middle of a hundred documents it may not read (Serbian
documents in every unpublished status, unpublished guidebook sections) and walks the ids around
its own, ±1…±50, through every object-bearing route, then the attachments by id and the documents
by slug under every path. An editor walks the account ids around its own through the admin routes.
Every attempt must be refused without a read or a write, and the database must end as it began.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

from hub.accounts.models import Role
from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.security.route_matrix import (
    PDF,
    Actor,
    account,
    attach,
    document_form,
    fingerprint,
    write_watch,
)

REACH = 50
# What Ghana's focal point may not read: Serbian documents before publication (and after
# archiving), and guidebook sections before publication.
HIDDEN = [
    (Kind.POLICY_BRIEF, "SRB", Status.DRAFT),
    (Kind.COUNTRY_EXPERIENCE, "SRB", Status.SUBMITTED),
    (Kind.POLICY_BRIEF, "SRB", Status.CHANGES_REQUESTED),
    (Kind.COUNTRY_EXPERIENCE, "SRB", Status.ARCHIVED),
    (Kind.GUIDEBOOK_SECTION, None, Status.DRAFT),
    (Kind.GUIDEBOOK_SECTION, None, Status.ARCHIVED),
]
PATHS = {Kind.POLICY_BRIEF: "briefs", Kind.COUNTRY_EXPERIENCE: "experiences",
         Kind.GUIDEBOOK_SECTION: "guidebook"}  # fmt: skip


def _hidden_document(n: int) -> Document:
    kind, country, status = HIDDEN[n % len(HIDDEN)]
    return factories.document(
        kind=kind, country_code=country, status=status, visibility=Visibility.PUBLIC, commit=False
    )


def _neighbourhood(app, tmp_path, *, with_files: bool):
    """REACH hidden documents, Ghana's own draft, REACH more: the draft's id is in the middle."""
    hidden = [_hidden_document(n) for n in range(REACH)]
    own = factories.document(country_code="GHA", status=Status.DRAFT, commit=False)
    hidden += [_hidden_document(n) for n in range(REACH, 2 * REACH)]
    files = {}
    if with_files:
        for doc in [*hidden[:REACH], own, *hidden[REACH:]]:
            files[doc] = attach(doc, f"file-{len(files)}.pdf", tmp_path)
    db.session.commit()
    around = [*range(own.id - REACH, own.id), *range(own.id + 1, own.id + REACH + 1)]
    assert [d.id for d in hidden] == around, "the draft's id must sit among the hidden ones"
    focal = Actor(app, "focal_gha", account(Role.FOCAL_POINT, "GHA"))
    return focal, own, hidden, files


class Tally:
    """Attempts, and those that read (answered below 400) or wrote (committed anything)."""

    def __init__(self, expected_status: int):
        self.expected_status = expected_status
        self.attempts = self.reads = self.writes = 0
        self.other: list[str] = []

    def record(self, label: str, response, wrote: bool) -> None:
        self.attempts += 1
        self.reads += response.status_code < 400
        self.writes += wrote
        if response.status_code != self.expected_status or wrote:
            self.other.append(f"{label}: {response.status_code}{' and wrote' if wrote else ''}")

    def report(self, what: str, same: bool) -> str:
        return (
            f"\nT-10 ({what}): attempts {self.attempts}, reads {self.reads}, writes {self.writes}, "
            f"answers other than {self.expected_status}: {len(self.other)}, "
            f"DB hash before = after: {'yes' if same else 'NO'}"
        )


def _attempt(tally: Tally, focal: Actor, method: str, url: str, data: Callable[[], dict] | None,
             watch) -> None:  # fmt: skip
    watch.mark()
    if method == "GET":
        response = focal.client.get(url)
    else:
        response = focal.client.post(url, data={**data(), "csrf_token": focal.token()})
    tally.record(f"{method} {url}", response, watch.changed())


def test_t10_focal_point_reaches_no_hidden_document_by_id_in_any_workspace_route(app, tmp_path):
    focal, own, hidden, _ = _neighbourhood(app, tmp_path, with_files=False)
    versions = {doc.id: doc.version for doc in hidden}
    routes: list[tuple[str, str, Callable[[int], Callable[[], dict]] | None]] = [
        ("GET", "/workspace/documents/{}", None),
        ("GET", "/workspace/documents/{}/edit", None),
        ("POST", "/workspace/documents/{}/edit",
         lambda i: lambda: document_form("Taken over", versions[i], country="SRB")),
        *[("POST", f"/workspace/documents/{{}}/steps/{step}", lambda i: lambda: {"comment": "ok"})
          for step in ("submit", "request_changes", "publish", "archive")],
        ("POST", "/workspace/documents/{}/attachments",
         lambda i: lambda: {"file": (io.BytesIO(PDF), "planted.pdf")}),
        ("POST", "/workspace/documents/{}/revisions/1/restore",
         lambda i: lambda: {"version": str(versions[i])}),
    ]  # fmt: skip
    assert focal.client.get(f"/workspace/documents/{own.id}").status_code == 200  # the control
    tally = Tally(expected_status=404)
    before = fingerprint()
    with write_watch() as watch:
        for (method, url, data), doc in itertools.product(routes, hidden):
            _attempt(tally, focal, method, url.format(doc.id), data and data(doc.id), watch)
    same = fingerprint() == before
    print(tally.report(f"Ghana's focal point, ids ±1…±{REACH}, {len(routes)} routes", same))
    assert tally.reads == 0 and tally.writes == 0 and same, "\n".join(tally.other)
    assert not tally.other, "\n".join(tally.other)


def test_t10_focal_point_reaches_no_hidden_attachment_by_id_or_document_by_slug(app, tmp_path):
    focal, own, hidden, files = _neighbourhood(app, tmp_path, with_files=True)
    own_file = files[own]
    assert focal.client.get(f"/attachments/{own_file.id}/{own_file.filename}").status_code == 200
    urls = []
    for doc in hidden:
        found = files[doc]
        assert abs(found.id - own_file.id) <= REACH
        urls.append(f"/attachments/{found.id}/{found.filename}")  # the right name, guessed
        urls.append(f"/attachments/{found.id}/{own_file.filename}")  # swapped: own name
        urls += [f"/{path}/{doc.slug}" for path in PATHS.values()]  # own and swapped paths
    tally = Tally(expected_status=404)
    before = fingerprint()
    with write_watch() as watch:
        for url in urls:
            _attempt(tally, focal, "GET", url, None, watch)
    same = fingerprint() == before
    print(tally.report("Ghana's focal point, attachments by id ±1…±50 with guessed and "
                       "swapped names, documents by slug under every path", same))  # fmt: skip
    assert tally.reads == 0 and tally.writes == 0 and same, "\n".join(tally.other)
    assert not tally.other, "\n".join(tally.other)


def test_t10_editor_reaches_no_admin_only_account_route(app):
    people = [account(Role.FOCAL_POINT, "GHA", commit=False) for _ in range(10)]
    me = account(Role.EDITOR, None, commit=False)
    people += [account(Role.ADMIN, None, commit=False) for _ in range(5)]
    db.session.commit()
    editor = Actor(app, "editor", me)
    ids = range(max(1, me.id - REACH), me.id + REACH + 1)  # includes the editor's own account
    attempts = [("GET", "/admin/users", lambda: {}), (
        "POST", "/admin/users",
        lambda: {"email": "new-admin@example.org", "name": "New", "role": "admin", "country": ""},
    )]  # fmt: skip
    for i in ids:
        attempts += [
            ("POST", f"/admin/users/{i}/role", lambda: {"role": "admin", "country": ""}),
            ("POST", f"/admin/users/{i}/active", lambda: {"active": "0"}),
            ("POST", f"/admin/users/{i}/invite", lambda: {}),
        ]
    tally = Tally(expected_status=403)
    before = fingerprint()
    with write_watch() as watch:
        for method, url, data in attempts:
            _attempt(tally, editor, method, url, data, watch)
    same = fingerprint() == before
    what = f"an editor, account ids {ids.start}…{ids.stop - 1} (its own: {me.id}), admin routes"
    print(tally.report(what, same))
    assert tally.reads == 0 and tally.writes == 0 and same, "\n".join(tally.other)
    assert not tally.other, "\n".join(tally.other)
