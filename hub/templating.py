"""What templates may call: labels, URLs, dates and the one Markdown renderer."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from hub import navigation, permissions
from hub.accounts.forms import ROLE_CHOICES
from hub.documents.labels import STATUS_NAMES, STEP_LABELS
from hub.documents.models import Area, Document, Kind
from hub.documents.service import KIND_PATHS
from hub.markup import render_markdown

KIND_LABELS = {
    Kind.GUIDEBOOK_SECTION: _l("Guidebook section"),
    Kind.POLICY_BRIEF: _l("Policy brief"),
    Kind.COUNTRY_EXPERIENCE: _l("Country experience"),
}
KIND_PLURALS = {
    Kind.GUIDEBOOK_SECTION: _l("Guidebook"),
    Kind.POLICY_BRIEF: _l("Policy briefs"),
    Kind.COUNTRY_EXPERIENCE: _l("Country experiences"),
}
AREA_LABELS = {
    Area.CAPABILITIES: _l("National STI capabilities"),
    Area.KNOWLEDGE_FLOWS: _l("International knowledge and technology flows"),
    Area.COLLABORATION: _l("Brokering international STI collaboration"),
}
STATUS_LABELS = {
    "pilot": _l("Pilot country"),
    "member": _l("Member"),
    "applicant": _l("Applicant"),
    "none": _l("Not a member"),
}
ROLE_LABELS = {
    "focal_point": _l("Focal point"),
    "editor": _l("Secretariat editor"),
    "admin": _l("Administrator"),
}
LANGUAGE_NAMES = {
    "en": "English", "fr": "Français", "es": "Español", "ru": "Русский", "ar": "العربية",
    "zh": "中文", "uk": "Українська", "sw": "Kiswahili",
}  # fmt: skip


def document_url(doc: Document | None = None, *, kind: str | None = None, slug: str = "") -> str:
    """The one canonical URL of a document: /guidebook/, /briefs/ or /experiences/ + slug."""
    kind_value = Kind(kind) if kind else doc.kind
    slug = slug or doc.slug
    if kind_value is Kind.GUIDEBOOK_SECTION:
        return url_for("guidebook.section", slug=slug)
    return url_for("documents.show", kind_path=KIND_PATHS[kind_value], slug=slug)


def kind_label(kind: Kind | str) -> str:
    return str(KIND_LABELS[Kind(kind)])


def show_date(value: date | datetime | None) -> str:
    return format_date(value, "medium") if value else ""


def machine_date(value: date | datetime) -> str:
    """The value of a ``<time datetime>`` attribute: HTML allows at most three digits of a
    second, and a reader needs none, so datetimes stop at whole seconds."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def page_url(page: int) -> str:
    """The current URL with another page number; keeps the other query parameters."""
    args = request.args.to_dict()
    args["page"] = str(page)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        render_markdown=render_markdown,
        document_url=document_url,
        kind_label=kind_label,
        kind_plurals=KIND_PLURALS,
        area_labels=AREA_LABELS,
        status_labels=STATUS_LABELS,
        status_names=STATUS_NAMES,
        step_labels=STEP_LABELS,
        field_names={"title": _l("Title"), "summary": _l("Summary"), "body": _l("Text")},
        role_labels=ROLE_LABELS,
        role_choices=ROLE_CHOICES,
        language_names=LANGUAGE_NAMES,
        show_date=show_date,
        machine_date=machine_date,
        page_url=page_url,
        can=permissions.can,
        main_links=navigation.main_links,
        account_links=navigation.account_links,
        Action=permissions.Action,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
