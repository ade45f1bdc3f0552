"""Briefs and experiences: listings, canonical document pages and attachment downloads."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub import permissions
from hub.documents import files, service
from hub.documents.listing import (
    FILTERS,
    SORTS,
    chips_for,
    filter_choices,
    filter_from_args,
    list_documents,
    listing_from_args,
)
from hub.documents.models import Area, Attachment, Kind
from hub.errors import NotFound
from hub.extensions import db
from hub.guidebook import topics
from hub.http import int_arg
from hub.reporting.changes import changes_since_previous, previous_brief
from hub.search.related import related_documents

bp = Blueprint("documents", __name__)
KIND_PATH_RULE = "<any(briefs, experiences):kind_path>"


@bp.get(f"/{KIND_PATH_RULE}/")
def index(kind_path: str):  # noqa: ANN201
    kind = service.KIND_BY_PATH[kind_path]
    listing = listing_from_args(kind)
    page = list_documents(
        listing,
        viewer=current_user,
        page=int_arg("page", 1),
        per_page=current_app.config["PER_PAGE"],
    )
    choices = filter_choices(kind, viewer=current_user)

    def listing_url(**args: str) -> str:
        return url_for("documents.index", kind_path=kind_path, **args)

    return render_template(
        "documents/list.html",
        kind=kind,
        listing=listing,
        page=page,
        choices=choices,
        chips=chips_for(listing, choices, listing_url),
        sorts=SORTS,
        base_url=listing_url(),
        clear_url=listing_url(**listing.args(**dict.fromkeys(FILTERS))),
    )


@bp.get("/areas/<any(capabilities, knowledge_flows, collaboration):area>")
def area(area: str):  # noqa: ANN201
    filters = filter_from_args()
    filters = service.ListFilter(country=filters.country, goal=filters.goal, area=Area(area))
    page = service.list_for_viewer(
        filters,
        viewer=current_user,
        page=int_arg("page", 1),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template("documents/area.html", area=Area(area), filters=filters, page=page)


@bp.get(f"/{KIND_PATH_RULE}/<slug>")
def show(kind_path: str, slug: str):  # noqa: ANN201
    doc = service.get_for_viewer(service.KIND_BY_PATH[kind_path], slug, viewer=current_user)
    return render_template(
        "documents/show.html",
        doc=doc,
        sections=topics.sections_of(doc, viewer=current_user),
        related=related_documents(doc, current_user),
        # A pending correction is the published brief, reworded: its predecessor is the brief's.
        previous_brief=previous_brief(doc.revision_of or doc, current_user),
    )


@bp.get("/briefs/<slug>/changes")
def brief_changes(slug: str):  # noqa: ANN201
    """What changed since the country's previous brief (a report compared with the last one)."""
    doc = service.get_for_viewer(Kind.POLICY_BRIEF, slug, viewer=current_user)
    previous, changes = changes_since_previous(doc, current_user)
    return render_template(
        "documents/brief_changes.html", doc=doc, previous=previous, changes=changes
    )


@bp.get("/attachments/<int:attachment_id>/<path:filename>")
def download(attachment_id: int, filename: str):  # noqa: ANN201
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.filename != filename:
        raise NotFound()
    permissions.require(current_user, permissions.Action.ATTACHMENT_DOWNLOAD, attachment)
    return files.send_pdf(
        attachment.stored_name,
        attachment.filename,
        missing=_("The file is missing from storage. Please tell the Secretariat."),
    )
