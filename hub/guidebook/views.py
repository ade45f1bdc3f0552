"""The guidebook: its table of contents and each section with previous and next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from hub.documents import service
from hub.documents.models import Kind

bp = Blueprint("guidebook", __name__, url_prefix="/guidebook")


@bp.get("/")
def index():  # noqa: ANN201
    return render_template("guidebook/index.html", tree=service.guidebook_tree(viewer=current_user))


@bp.get("/<slug>")
def section(slug: str):  # noqa: ANN201
    doc = service.get_for_viewer(Kind.GUIDEBOOK_SECTION, slug, viewer=current_user)
    tree = service.guidebook_tree(viewer=current_user)
    ids = [s.id for s in tree]
    at = ids.index(doc.id) if doc.id in ids else -1
    previous = tree[at - 1] if at > 0 else None
    following = tree[at + 1] if 0 <= at < len(tree) - 1 else None
    return render_template(
        "guidebook/section.html", doc=doc, tree=tree, previous=previous, following=following
    )
