"""HTTP views of notifications: thin, the rules live in the service modules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from hub.errors import Invalid
from hub.http import int_arg
from hub.notifications import inbox
from hub.notifications.forms import DigestForm, MarkForm
from hub.notifications.models import Category, Digest
from hub.outcomes import attempt

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

DIGEST_SAVED = {
    Digest.OFF: lambda: _("Saved: you will get no e-mail digest."),
    Digest.DAILY: lambda: _("Saved: you will get a daily e-mail digest of unread notifications."),
    Digest.WEEKLY: lambda: _("Saved: you will get a weekly e-mail digest of unread notifications."),
}


def _args(category: Category | None, unread_only: bool, page: int = 1) -> dict[str, Any]:
    """Query arguments of a view of the page (only those that differ from the default)."""
    args: dict[str, Any] = {}
    if category is not None:
        args["category"] = category.value
    if unread_only:
        args["unread"] = "1"
    if page > 1:
        args["page"] = page
    return args


def _filters(category: Category | None, unread_only: bool) -> list[dict[str, Any]]:
    """The filter links: all, then each category, each with its unread count."""
    counts = inbox.unread_by_category(current_user)
    links = [
        {
            "label": _("All"),
            "url": url_for("notifications.index", **_args(None, unread_only)),
            "unread": sum(counts.values()),
            "current": category is None,
        }
    ]
    for value, label in inbox.CATEGORY_LABELS.items():
        links.append(
            {
                "label": label,
                "url": url_for("notifications.index", **_args(value, unread_only)),
                "unread": counts[value],
                "current": category is value,
            }
        )
    return links


def _render(
    category: Category | None,
    unread_only: bool,
    page: int,
    digest_form: DigestForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    pref = inbox.preference(current_user)
    if digest_form is None:
        digest_form = DigestForm(digest=pref.digest.value)
    filters = _filters(category, unread_only)
    listing = inbox.list_page(current_user, category=category, unread_only=unread_only, page=page)
    return render_template(
        "notifications/index.html",
        page=listing,
        filters=filters,
        total_unread=filters[0]["unread"],
        scope_unread=next(f["unread"] for f in filters if f["current"]),
        category=category,
        category_labels=inbox.CATEGORY_LABELS,
        unread_only=unread_only,
        back={
            "category": category.value if category else "",
            "unread": "1" if unread_only else "",
            "page": str(page),
        },
        unread_toggle_url=url_for("notifications.index", **_args(category, not unread_only)),
        digest_form=digest_form,
        preference=pref,
    ), status


def _page_number(value: str | None) -> int:
    """The page a mark-as-read form came from: a garbled or out-of-range hidden field just means
    the first page."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= 10_000 else 1


@bp.get("/")
@login_required
def index():  # noqa: ANN201
    with attempt() as outcome:
        category = inbox.parse_category(request.args.get("category"))
    if outcome.failed:
        return redirect(url_for("notifications.index"), 303)
    unread_only = request.args.get("unread") == "1"
    return _render(category, unread_only, int_arg("page", 1))


def _back(form: MarkForm, *, same_page: bool = True) -> Any:
    """Back to the view the form was sent from; a garbled hidden field just means "all"."""
    with attempt(shown_in_page=(Invalid,)) as outcome:
        category = inbox.parse_category(form.category.data)
    if outcome.failed:
        category = None
    page = _page_number(form.page.data) if same_page else 1
    args = _args(category, form.unread.data == "1", page)
    return redirect(url_for("notifications.index", **args), 303)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):  # noqa: ANN201
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    inbox.mark_read(current_user, notification_id)
    flash(_("Marked as read."))
    return _back(form)


@bp.post("/read")
@login_required
def mark_all_read():  # noqa: ANN201
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as outcome:
        category = inbox.parse_category(form.category.data)
    if outcome.failed:
        return redirect(url_for("notifications.index"), 303)
    count = inbox.mark_all_read(current_user, category)
    if count:
        flash(ngettext("%(num)d notification marked as read.",
                       "%(num)d notifications marked as read.", count))  # fmt: skip
    else:
        flash(_("There was nothing unread."))
    # Page 1: in the unread view, the later pages have just emptied.
    return _back(form, same_page=False)


@bp.post("/preferences")
@login_required
def preferences():  # noqa: ANN201
    form = DigestForm()
    if not form.validate_on_submit():
        flash(_("Your digest choice was not saved; see the message below."), "error")
        return _render(None, False, 1, digest_form=form, status=400)
    digest = Digest(form.digest.data)
    inbox.set_digest(current_user, digest)
    flash(DIGEST_SAVED[digest]())
    return redirect(url_for("notifications.index", _anchor="digest"), 303)
