"""T-11 Mass assignment and privilege escalation: fields a form does not have are never applied.

Every form POST (workspace new, edit, steps, upload, restore; login, password, reset, invitation;
the admin forms) is sent with its real fields plus extra ones naming columns of the rows it writes:
role, country, status, author, slug, kind, version, ids, flags. Afterwards each extra field is
checked against the database; and users' roles and countries must not move through anything a
non-admin sends. The editor form's ``country`` field is real but for the Secretariat only: a focal
point who sends country=SRB still writes for Ghana.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from hub.accounts import tokens
from hub.accounts.models import Role, User
from hub.documents.models import Attachment, Document, Kind, Status, WorkflowEvent
from hub.extensions import db
from tests import factories
from tests.security.route_matrix import (
    NEW_PASSWORD,
    PASSWORD,
    PDF,
    Actor,
    account,
    current,
    document_form,
    document_with_two_revisions,
    new_doc,
)

FORGED_HASH = "scrypt:1024:8:1$forged$0000"


@dataclass
class Submission:
    label: str
    actor: Actor
    url: str
    fields: dict  # the form's own fields
    extras: dict[str, str]  # fields the form does not have
    applied: dict[str, Callable[[], bool]]  # extra field -> did its value reach the database?
    status: tuple[int, ...] = (302, 303)
    accepted: Callable[[], bool] = lambda: True  # the form's own change happened (the control)
    admin: bool = False
    files: Callable[[], dict] = field(default=dict)


def _roles_and_countries() -> dict[int, tuple]:
    return {u.id: (u.role, u.country_id) for u in db.session.scalars(select(User))}


def _doc_by_title(title: str) -> Document:
    db.session.expire_all()
    found = db.session.scalar(select(Document).where(Document.title == title))
    assert found is not None, f"{title!r} was not saved"
    return found


def _document_extras(srb_id: int, other_user: int, parent: int) -> dict[str, str]:
    return {
        "role": "admin", "is_admin": "1", "country_id": str(srb_id), "status": "published",
        "author_id": str(other_user), "slug": "mass-assigned-slug", "kind": "guidebook_section",
        "id": "99999", "published_on": "2001-01-01", "is_example": "y", "version_id": "999",
        "created_at": "2001-01-01T00:00:00", "parent_id": str(parent),
    }  # fmt: skip


def _document_checks(
    get: Callable[[], Document], *, kind: Kind, status: Status, author: int, country: str | None,
    version: int, slug: str | None = None, actor: int | None = None,
) -> dict[str, Callable[[], bool]]:  # fmt: skip
    def iso3() -> str | None:
        doc = get()
        return doc.country.iso3 if doc.country else None

    checks = {
        "country_id": lambda: iso3() != country,
        "status": lambda: get().status is not status,
        "author_id": lambda: get().author_id != author,
        "slug": lambda: get().slug == "mass-assigned-slug" or (slug and get().slug != slug),
        "kind": lambda: get().kind is not kind,
        "id": lambda: get().id == 99999,
        "published_on": lambda: get().published_on == date(2001, 1, 1),
        "is_example": lambda: get().is_example,
        "version_id": lambda: get().version != version,
        "created_at": lambda: get().created_at.year == 2001,
        "parent_id": lambda: get().parent_id is not None,
        "country": lambda: iso3() != country,
    }
    if actor is not None:
        checks["role"] = checks["is_admin"] = lambda: (
            current(User, actor).role is not Role.FOCAL_POINT
        )
    return checks


def _account_extras(srb_id: int) -> dict[str, str]:
    return {
        "role": "admin", "is_admin": "1", "country": "SRB", "country_id": str(srb_id),
        "email": "mallory@example.org", "name": "Mallory", "is_active": "0",
        "session_version": "1", "password_hash": FORGED_HASH, "id": "99999",
    }  # fmt: skip


def _account_checks(uid: int, *, role: Role, country: int | None) -> dict[str, Callable[[], bool]]:
    before = current(User, uid)
    email, name, version = before.email, before.name, before.session_version

    def now() -> User:
        return current(User, uid)

    return {
        "role": lambda: now().role is not role,
        "is_admin": lambda: now().role is not role,
        "country": lambda: now().country_id != country,
        "country_id": lambda: now().country_id != country,
        "email": lambda: now().email != email,
        "name": lambda: now().name != name,
        "is_active": lambda: not now().is_active,
        # A password change legitimately ends other sessions (version + 1); "1" would roll back.
        "session_version": lambda: now().session_version not in (version, version + 1),
        "password_hash": lambda: now().password_hash == FORGED_HASH,
        "id": lambda: current(User, 99999) is not None,
    }


def test_t11_extra_form_fields_are_never_applied(app, tmp_path, smtp_server):
    smtp_server.configure(app)
    srb_id = factories.country("SRB").id
    gha_id = factories.country("GHA").id
    focal_user = account(Role.FOCAL_POINT, "GHA")
    editor_user = account(Role.EDITOR, None)
    admin_user = account(Role.ADMIN, None)
    focal, editor, admin = (
        Actor(app, "focal_gha", focal_user),
        Actor(app, "editor", editor_user),
        Actor(app, "admin", admin_user),
    )
    fid, eid = focal_user.id, editor_user.id
    section = new_doc("guide_published")
    srb_draft = new_doc("srb_draft")
    doc_extras = _document_extras(srb_id, eid, section.id)
    subs: list[Submission] = []

    # --- workspace: a focal point creates and edits; country=SRB must still write for Ghana ---
    title = "Mass assignment: new brief"
    subs.append(Submission(
        "workspace new brief (focal point)", focal, "/workspace/new/briefs",
        document_form(title), {**doc_extras, "country": "SRB"},
        _document_checks(lambda: _doc_by_title(title), kind=Kind.POLICY_BRIEF, status=Status.DRAFT,
                         author=fid, country="GHA", version=1, actor=fid),
        accepted=lambda: _doc_by_title(title) is not None,
    ))  # fmt: skip
    draft = new_doc("gha_draft")
    subs.append(Submission(
        "workspace edit draft (focal point)", focal, f"/workspace/documents/{draft.id}/edit",
        document_form("Mass assignment: edited", draft.version), {**doc_extras, "country": "SRB"},
        _document_checks(lambda: current(Document, draft.id), kind=Kind.POLICY_BRIEF,
                         status=Status.DRAFT, author=None, country="GHA",
                         version=draft.version + 1, slug=draft.slug, actor=fid),
        accepted=lambda: current(Document, draft.id).title == "Mass assignment: edited",
    ))  # fmt: skip
    forged = new_doc("gha_draft")
    subs.append(Submission(
        "workspace edit with a forged version (focal point)", focal,
        f"/workspace/documents/{forged.id}/edit", document_form("Forged version"),
        {"version": str(forged.version + 7)},
        {"version": lambda: current(Document, forged.id).title == "Forged version"},
        status=(409,),
    ))  # fmt: skip
    submitted = new_doc("gha_submitted")
    staff_extras = {k: v for k, v in doc_extras.items() if k not in ("role", "is_admin")}
    subs.append(Submission(
        "workspace edit submission (editor)", editor, f"/workspace/documents/{submitted.id}/edit",
        document_form("Mass assignment: reviewed", submitted.version), staff_extras,
        _document_checks(lambda: current(Document, submitted.id), kind=Kind.POLICY_BRIEF,
                         status=Status.SUBMITTED, author=None, country="GHA",
                         version=submitted.version + 1, slug=submitted.slug),
        accepted=lambda: current(Document, submitted.id).title == "Mass assignment: reviewed",
    ))  # fmt: skip
    section_title = "Mass assignment: new section"
    subs.append(Submission(
        "workspace new guidebook section (editor)", editor, "/workspace/new/guidebook",
        document_form(section_title, country="SRB"), {**staff_extras, "kind": "policy_brief"},
        _document_checks(lambda: _doc_by_title(section_title), kind=Kind.GUIDEBOOK_SECTION,
                         status=Status.DRAFT, author=eid, country=None, version=1),
        accepted=lambda: _doc_by_title(section_title) is not None,
    ))  # fmt: skip

    to_submit = new_doc("gha_draft")

    def last_event() -> WorkflowEvent:
        return current(Document, to_submit.id).events[-1]

    subs.append(Submission(
        "workflow step submit (focal point)", focal,
        f"/workspace/documents/{to_submit.id}/steps/submit", {"comment": "Ready."},
        {"status": "published", "to_status": "published", "from_status": "archived",
         "actor_id": str(eid), "document_id": str(srb_draft.id), "name": "publish"},
        {"status": lambda: current(Document, to_submit.id).status is not Status.SUBMITTED,
         "to_status": lambda: last_event().to_status is not Status.SUBMITTED,
         "from_status": lambda: last_event().from_status is not Status.DRAFT,
         "actor_id": lambda: last_event().actor_id != fid,
         "document_id": lambda: current(Document, srb_draft.id).status is not Status.DRAFT,
         "name": lambda: current(Document, to_submit.id).status is Status.PUBLISHED},
        accepted=lambda: current(Document, to_submit.id).status is Status.SUBMITTED,
    ))  # fmt: skip

    upload_to = new_doc("gha_draft")

    def uploaded() -> Attachment | None:
        doc = current(Document, upload_to.id)
        return doc.attachments[0] if doc.attachments else None

    subs.append(Submission(
        "attachment upload (focal point)", focal,
        f"/workspace/documents/{upload_to.id}/attachments", {},
        {"document_id": str(srb_draft.id), "stored_name": "../../../planted.pdf",
         "sha256": "0" * 64, "size": "1", "content_type": "text/html",
         "extraction_status": "ok", "text": "planted text", "position": "99",
         "filename": "../planted.html", "id": "99999"},
        {"document_id": lambda: len(current(Document, srb_draft.id).attachments) > 0,
         "stored_name": lambda: not re.fullmatch(r"[0-9a-f]{32}\.pdf", uploaded().stored_name),
         "sha256": lambda: uploaded().sha256 == "0" * 64,
         "size": lambda: uploaded().size != len(PDF),
         "content_type": lambda: uploaded().content_type != "application/pdf",
         "extraction_status": lambda: "planted" in uploaded().text,
         "text": lambda: "planted" in uploaded().text,
         "position": lambda: uploaded().position != 0,
         "filename": lambda: uploaded().filename != "report.pdf",
         "id": lambda: current(Attachment, 99999) is not None},
        accepted=lambda: uploaded() is not None,
        files=lambda: {"file": (io.BytesIO(PDF), "report.pdf")},
    ))  # fmt: skip

    revised, first_title = document_with_two_revisions()
    subs.append(Submission(
        "revision restore (editor)", editor,
        f"/workspace/documents/{revised.id}/revisions/1/restore", {"version": str(revised.version)},
        {"status": "published", "country": "SRB", "country_id": str(srb_id),
         "slug": "mass-assigned-slug", "author_id": str(eid)},
        {"status": lambda: current(Document, revised.id).status is not Status.DRAFT,
         "country": lambda: current(Document, revised.id).country_id != gha_id,
         "country_id": lambda: current(Document, revised.id).country_id != gha_id,
         "slug": lambda: current(Document, revised.id).slug != revised.slug,
         "author_id": lambda: current(Document, revised.id).author_id is not None},
        accepted=lambda: current(Document, revised.id).title == first_title,
    ))  # fmt: skip

    # --- one's own account: login, password change, reset and invitation links ---
    account_extras = _account_extras(srb_id)
    changer = account(Role.FOCAL_POINT, "GHA")
    changer_hash = changer.password_hash
    subs.append(Submission(
        "change password (focal point)", Actor(app, "focal_gha", changer), "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, account_extras,
        _account_checks(changer.id, role=Role.FOCAL_POINT, country=gha_id),
        accepted=lambda: current(User, changer.id).password_hash != changer_hash,
    ))  # fmt: skip
    for label, purpose, url, password in (
        ("reset password link", tokens.RESET, "/account/reset", PASSWORD),
        ("invitation link", tokens.INVITE, "/invitation", None),
    ):
        person = account(Role.FOCAL_POINT, "GHA", password=password)
        token = tokens.make_token(person, purpose)
        subs.append(Submission(
            f"{label} (anonymous)", Actor(app, "anonymous"), f"{url}/{token}",
            {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, account_extras,
            _account_checks(person.id, role=Role.FOCAL_POINT, country=gha_id),
            accepted=lambda uid=person.id, old=person.password_hash:
                current(User, uid).password_hash != old,
        ))  # fmt: skip
    person = account(Role.FOCAL_POINT, "GHA")
    without_email = {k: v for k, v in account_extras.items() if k != "email"}  # a real field there
    subs.append(Submission(
        "login (anonymous)", Actor(app, "anonymous"), "/login",
        {"email": person.email, "password": PASSWORD}, without_email,
        _account_checks(person.id, role=Role.FOCAL_POINT, country=gha_id),
        accepted=lambda uid=person.id: current(User, uid).last_login_at is not None,
    ))  # fmt: skip
    subs.append(Submission(
        "request a reset (anonymous)", Actor(app, "anonymous"), "/account/reset",
        {"email": person.email}, without_email,
        _account_checks(person.id, role=Role.FOCAL_POINT, country=gha_id),
    ))  # fmt: skip

    # --- administration: the admin's own fields apply, nothing else ---
    invited_email = "mass-invited@example.org"

    def invited() -> User:
        db.session.expire_all()
        return db.session.scalar(select(User).where(User.email == invited_email))

    subs.append(Submission(
        "invite (admin)", admin, "/admin/users",
        {"email": invited_email, "name": "Invited", "role": "focal_point", "country": "GHA"},
        {"password_hash": FORGED_HASH, "is_active": "0", "session_version": "99", "id": "99999",
         "country_id": str(srb_id), "last_login_at": "2001-01-01T00:00:00",
         "created_at": "2001-01-01T00:00:00"},
        {"password_hash": lambda: invited().password_hash is not None,
         "is_active": lambda: not invited().is_active,
         "session_version": lambda: invited().session_version != 1,
         "id": lambda: invited().id == 99999,
         "country_id": lambda: invited().country_id != gha_id,
         "last_login_at": lambda: invited().last_login_at is not None,
         "created_at": lambda: invited().created_at.year == 2001},
        accepted=lambda: invited() is not None, admin=True,
    ))  # fmt: skip
    target = account(Role.FOCAL_POINT, "GHA")
    role_checks = _account_checks(target.id, role=Role.EDITOR, country=None)
    real = ("role", "country", "session_version")  # the form's fields; a role change ends sessions
    subs.append(Submission(
        "change role (admin)", admin, f"/admin/users/{target.id}/role",
        {"role": "editor", "country": ""},
        {k: v for k, v in account_extras.items() if k not in real},
        {k: v for k, v in role_checks.items() if k not in real},
        accepted=lambda: current(User, target.id).role is Role.EDITOR, admin=True,
    ))  # fmt: skip
    target2 = account(Role.FOCAL_POINT, "GHA")
    active_checks = _account_checks(target2.id, role=Role.FOCAL_POINT, country=gha_id)
    active_checks["is_active"] = lambda: current(User, target2.id).is_active  # it was set to 0
    subs.append(Submission(
        "disable (admin)", admin, f"/admin/users/{target2.id}/active", {"active": "0"},
        {k: v for k, v in account_extras.items() if k not in ("is_active", "session_version")},
        {k: v for k, v in active_checks.items() if k not in ("is_active", "session_version")},
        accepted=lambda: not current(User, target2.id).is_active, admin=True,
    ))  # fmt: skip
    target3 = account(Role.FOCAL_POINT, "GHA", password=None)
    subs.append(Submission(
        "resend invitation (admin)", admin, f"/admin/users/{target3.id}/invite", {},
        account_extras, _account_checks(target3.id, role=Role.FOCAL_POINT, country=gha_id),
        admin=True,
    ))  # fmt: skip

    # --- non-admins using the admin forms: role and country must not move ---
    def moved(uid: int) -> Callable[[], bool]:
        was = current(User, uid)
        role, country = was.role, was.country_id
        return lambda: (current(User, uid).role, current(User, uid).country_id) != (role, country)

    for label, who, uid, fields in (
        ("focal point makes itself admin", focal, fid, {"role": "admin", "country": ""}),
        ("focal point moves itself to Serbia", focal, fid,
         {"role": "focal_point", "country": "SRB"}),
        ("editor makes itself admin", editor, eid, {"role": "admin", "country": ""}),
        ("editor moves a focal point to Serbia", editor, fid,
         {"role": "focal_point", "country": "SRB"}),
    ):  # fmt: skip
        subs.append(Submission(
            label, who, f"/admin/users/{uid}/role", {}, fields,
            {"role": moved(uid), "country": moved(uid)}, status=(403,),
        ))  # fmt: skip
    subs.append(Submission(
        "editor invites an admin", editor, "/admin/users", {},
        {"email": "second-admin@example.org", "name": "Second", "role": "admin", "country": ""},
        {"role": lambda: db.session.scalar(
            select(User).where(User.email == "second-admin@example.org")) is not None,
         "email": lambda: False, "name": lambda: False, "country": lambda: False},
        status=(403,),
    ))  # fmt: skip

    applied, not_accepted, escalations = [], [], []
    for sub in subs:
        before = _roles_and_countries()
        data = {**sub.fields, **sub.extras, **sub.files(), "csrf_token": sub.actor.token()}
        response = sub.actor.client.post(sub.url, data=data)
        if response.status_code not in sub.status or not sub.accepted():
            not_accepted.append(f"{sub.label}: {response.status_code}")
        assert set(sub.extras) <= set(sub.applied), f"{sub.label}: a check for each extra field"
        applied += [f"{sub.label}: {name}" for name in sub.extras if sub.applied[name]()]
        if not sub.admin and _roles_and_countries() != before:
            escalations.append(sub.label)

    sent = sum(len(sub.extras) for sub in subs)
    by_others = sum(not sub.admin for sub in subs)
    print(
        f"\nT-11: forms {len(subs)}, extra fields sent {sent}, fields applied {len(applied)}, "
        f"role or country changes by non-admins {len(escalations)} "
        f"(of {by_others} submissions by non-admins)"
    )
    for line in applied:
        print("  applied:", line)
    assert not not_accepted, f"the forms' own fields must still work: {not_accepted}"
    assert not applied, f"extra fields applied: {applied}"
    assert not escalations, f"roles or countries changed by non-admins: {escalations}"
