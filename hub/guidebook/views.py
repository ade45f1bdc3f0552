"""The guidebook: its table of contents and each section with previous and next."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from hub.documents import service
from hub.documents.models import Document, Kind
from hub.guidebook import history as history_rules
from hub.guidebook import topics
from hub.http import int_arg

bp = Blueprint("guidebook", __name__, url_prefix="/guidebook")


@bp.get("/")
def index():  # noqa: ANN201
    return render_template("guidebook/index.html", tree=service.guidebook_tree(viewer=current_user))


@bp.get("/<slug>/history")
def history(slug: str):  # noqa: ANN201
    doc = service.get_for_viewer(Kind.GUIDEBOOK_SECTION, slug, viewer=current_user)
    entries = history_rules.entries(doc, current_user)
    return render_template("guidebook/history.html", doc=doc, entries=entries)


@bp.get("/<slug>/diff")
def diff(slug: str):  # noqa: ANN201
    doc = service.get_for_viewer(Kind.GUIDEBOOK_SECTION, slug, viewer=current_user)
    return diff_page(doc, url_for("guidebook.history", slug=doc.slug))


def diff_page(doc: Document, history_url: str) -> str:
    """The comparison of two revisions chosen in the query (``from``, ``to``), for the public
    guidebook and the workspace alike; ``history_url`` is where the page leads back to."""
    result = history_rules.revision_diff(
        doc, int_arg("from", 0, low=0) or None, int_arg("to", 0, low=0) or None, current_user
    )
    return render_template(
        "guidebook/diff.html",
        doc=doc,
        result=result,
        entries=history_rules.entries(doc, current_user),
        history_url=history_url,
    )


@bp.get("/<slug>")
def section(slug: str):  # noqa: ANN201
    doc = service.get_for_viewer(Kind.GUIDEBOOK_SECTION, slug, viewer=current_user)
    tree = service.guidebook_tree(viewer=current_user)
    ids = [s.id for s in tree]
    at = ids.index(doc.id) if doc.id in ids else -1
    previous = tree[at - 1] if at > 0 else None
    following = tree[at + 1] if 0 <= at < len(tree) - 1 else None
    reading = topics.section_reading(doc, viewer=current_user)
    return render_template(
        "guidebook/section.html",
        doc=doc,
        tree=tree,
        previous=previous,
        following=following,
        tagged=reading.tagged,
        related=reading.related,
    )


@bp.get("/print")
def print_view():  # noqa: ANN201
    """The whole guidebook on one page, for printing or saving as PDF: every section the reader
    may see, in reading order, after a table of contents."""
    tree = service.guidebook_tree(viewer=current_user)
    return render_template("guidebook/print.html", tree=tree)
