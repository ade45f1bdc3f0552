"""HTTP views of peer learning: thin, the rules live in the service modules.

Offers and needs are public once posted (hub.peers.service explains why); suggested matches and
brokered matches are for members (``Action.MATCH_VIEW``), recording them for the Secretariat.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hub import permissions
from hub.countries.models import Country
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.http import form_int, int_arg
from hub.outcomes import attempt
from hub.peers import brokering, editing, service, suggestions
from hub.peers.forms import (
    AREA_LABELS,
    MATCH_STATUS_LABELS,
    ItemForm,
    MatchForm,
    MatchUpdateForm,
    VersionForm,
)
from hub.peers.models import BrokeredMatch, ItemKind, MatchStatus, OfferNeed
from hub.peers.present import reasons
from hub.permissions import Action

bp = Blueprint("peers", __name__, url_prefix="/peer-learning")
KINDS = {"offers": ItemKind.OFFER, "needs": ItemKind.NEED}
SHOWN_PAIRS = 50


@bp.context_processor
def _labels() -> dict:
    return {
        "peer_area_labels": {a.value: label for a, label in AREA_LABELS.items()},
        "match_status_labels": {s.value: label for s, label in MATCH_STATUS_LABELS.items()},
    }


def _item(item_id: int) -> OfferNeed:
    item = db.session.get(OfferNeed, item_id)
    if item is None or not service.can_see(current_user, item):
        raise NotFound()
    return item


@bp.get("/")
def index():  # noqa: ANN201
    kind = KINDS.get(request.args.get("kind", ""))
    country = service.country_by_code(request.args.get("country", ""))
    goal = int_arg("sdg", 0, low=0, high=17) or None
    items = service.open_listing(kind=kind, country=country, goal=goal)
    return render_template(
        "peers/index.html",
        offers=[i for i in items if i.kind is ItemKind.OFFER],
        needs=[i for i in items if i.kind is ItemKind.NEED],
        kind=kind,
        country=country,
        goal=goal,
    )


@bp.get("/items/<int:item_id>")
def item(item_id: int):  # noqa: ANN201
    found = _item(item_id)
    members = permissions.can(current_user, Action.MATCH_VIEW)
    suggested, topics = [], {}
    if members and found.kind is ItemKind.NEED and found.is_open:
        suggested = suggestions.offers_for_need(found, current_user)
        offers = {o.id: o for o in db.session.scalars(
            select(OfferNeed).where(OfferNeed.id.in_([p.offer_id for p in suggested]))
        )}  # fmt: skip
        topics = {t.id: t.title for o in [found, *offers.values()] for t in o.topics}
        suggested = [(p, offers[p.offer_id], reasons(p, topics, offers[p.offer_id].country.name))
                     for p in suggested]  # fmt: skip
    return render_template(
        "peers/item.html",
        item=found,
        suggested=suggested,
        matches=service.matches_of(found) if members else [],
        version_form=VersionForm(),
        steps=[s for s, (sources, _t) in editing.STEPS.items() if found.status in sources],
    )


def _topic_choices() -> list[tuple[str, str]]:
    return [(str(d.id), d.title) for d in service.topic_choices()]


def _country_for_new(form: ItemForm) -> Country:
    if not permissions.can(current_user, Action.COUNTRY_CHOOSE):
        return current_user.country
    country = service.country_by_code(form.country.data or request.args.get("country", ""))
    if country is None:
        raise Invalid(_("Give the country this is posted for (ISO alpha-3 code, e.g. GHA)."))
    return country


@bp.route("/new/<any(offers, needs):kind_path>", methods=["GET", "POST"])
@login_required
def new(kind_path: str):  # noqa: ANN201
    kind = KINDS[kind_path]
    permissions.require(current_user, Action.OFFER_NEED_CREATE, current_user.country)
    form = ItemForm()
    form.topics.choices = _topic_choices()
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            created = editing.create(kind, _country_for_new(form), form.to_input(), by=current_user)
        if outcome.ok:
            flash(_("Posted: everyone can now see it."))
            return redirect(url_for("peers.item", item_id=created.id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template("peers/edit.html", form=form, kind=kind, item=None), status


class _FormData:
    def __init__(self, item: OfferNeed):
        self.title, self.description = item.title, item.description
        self.country = item.country.iso3
        self.goals = [str(g.number) for g in item.goals]
        self.areas = list(item.areas)
        self.topics = [str(t.id) for t in item.topics]
        self.version = str(item.version)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):  # noqa: ANN201
    found = _item(item_id)
    permissions.require(current_user, Action.OFFER_NEED_EDIT, found)
    form = ItemForm(obj=None if request.method == "POST" else _FormData(found))
    form.topics.choices = _topic_choices()
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            changed = editing.update(
                found,
                form.to_input(),
                expected_version=form_int(form.version.data),
                by=current_user,
            )
        if isinstance(outcome.error, Conflict):
            current = db.session.get(OfferNeed, item_id)
            return render_template(
                "peers/edit.html", form=form, kind=found.kind, item=current, conflict=current
            ), 409
        if outcome.ok:
            flash(_("Saved.") if changed else _("Nothing had changed."))
            return redirect(url_for("peers.item", item_id=item_id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template("peers/edit.html", form=form, kind=found.kind, item=found), status


@bp.post("/items/<int:item_id>/<any(close, withdraw, reopen):step>")
@login_required
def step(item_id: int, step: str):  # noqa: ANN201
    found = _item(item_id)
    permissions.require(current_user, Action.OFFER_NEED_EDIT, found)
    form = VersionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("peers.item", item_id=item_id)), 303
    with attempt() as outcome:
        editing.change_status(
            found, step, expected_version=form_int(form.version.data), by=current_user
        )
    if outcome.failed:
        return redirect(url_for("peers.item", item_id=item_id)), 303
    messages = {
        "close": _("Closed: it stays visible, marked as closed."),
        "withdraw": _("Withdrawn: only your country's focal points and the Secretariat see it."),
        "reopen": _("Open again."),
    }
    flash(messages[step])
    return redirect(url_for("peers.item", item_id=item_id)), 303


@bp.get("/suggestions")
@login_required
def suggested():  # noqa: ANN201
    permissions.require(current_user, Action.MATCH_VIEW)
    country = service.country_by_code(request.args.get("country", ""))
    found = suggestions.suggestions(current_user, country=country)
    rows = []
    for pair in found.pairs[:SHOWN_PAIRS]:
        offering = found.countries[pair.offer_country_id].name
        rows.append({
            "pair": pair,
            "needing": found.countries[pair.need_country_id],
            "offering": found.countries[pair.offer_country_id],
            "items": [(p, found.items[p.need_id], found.items[p.offer_id],
                       reasons(p, found.topics, offering)) for p in pair.pairs],
        })  # fmt: skip
    return render_template(
        "peers/suggestions.html", rows=rows, country=country, total=len(found.pairs)
    )


@bp.get("/matches")
@login_required
def matches():  # noqa: ANN201
    permissions.require(current_user, Action.MATCH_VIEW)
    return render_template("peers/matches.html", matches=service.all_matches())


def _item_choices(kind: ItemKind) -> list[tuple[str, str]]:
    items = suggestions.open_items(kind)
    return [(str(i.id), f"{i.country.name}: {i.title}") for i in items]


@bp.route("/matches/new", methods=["GET", "POST"])
@login_required
def new_match():  # noqa: ANN201
    permissions.require(current_user, Action.MATCH_RECORD)
    form = MatchForm()
    if request.method == "GET":
        form.need.data = request.args.get("need", "")
        form.offer.data = request.args.get("offer", "")
    form.need.choices = [("", "—"), *_item_choices(ItemKind.NEED)]
    form.offer.choices = [("", "—"), *_item_choices(ItemKind.OFFER)]
    status = 200
    if form.validate_on_submit():
        need = db.session.get(OfferNeed, form_int(form.need.data))
        offer = db.session.get(OfferNeed, form_int(form.offer.data))
        with attempt() as outcome:
            if need is None or offer is None:
                raise Invalid(_("Choose an open need and an open offer."))
            match = brokering.record(
                need, offer, matched_on=form.matched_on.data,
                status=MatchStatus(form.status.data), outcome=form.outcome.data or "",
                note=form.note.data or "", by=current_user,
            )  # fmt: skip
        if outcome.ok:
            flash(_("Match recorded; both countries' focal points were told."))
            return redirect(url_for("peers.match", match_id=match.id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template("peers/new_match.html", form=form), status


def _match(match_id: int) -> BrokeredMatch:
    permissions.require(current_user, Action.MATCH_VIEW)
    found = db.session.get(BrokeredMatch, match_id)
    if found is None:
        raise NotFound()
    return found


@bp.get("/matches/<int:match_id>")
@login_required
def match(match_id: int):  # noqa: ANN201
    found = _match(match_id)
    form = MatchUpdateForm(status=found.status.value, outcome=found.outcome, version=found.version)
    return render_template("peers/match.html", match=found, form=form, next_statuses=_next(found))


def _next(found: BrokeredMatch) -> list[str]:
    return [found.status.value, *(s.value for s in brokering.NEXT[found.status])]


@bp.post("/matches/<int:match_id>")
@login_required
def update_match(match_id: int):  # noqa: ANN201
    found = _match(match_id)
    permissions.require(current_user, Action.MATCH_RECORD)
    form = MatchUpdateForm()
    status = 400
    if form.validate_on_submit():
        with attempt() as outcome:
            changed = brokering.update(
                found, status=MatchStatus(form.status.data), outcome=form.outcome.data or "",
                note=form.note.data or "", expected_version=form_int(form.version.data),
                by=current_user,
            )  # fmt: skip
        if isinstance(outcome.error, Conflict):
            current = db.session.get(BrokeredMatch, match_id)
            return render_template(
                "peers/match.html", match=current, form=form, conflict=current,
                next_statuses=_next(current),
            ), 409  # fmt: skip
        if outcome.ok:
            flash(_("Match updated; both countries' focal points were told.") if changed
                  else _("Nothing had changed."))  # fmt: skip
            return redirect(url_for("peers.match", match_id=match_id)), 303
        status = outcome.status
    found = db.session.get(BrokeredMatch, match_id)
    return render_template(
        "peers/match.html", match=found, form=form, next_statuses=_next(found)
    ), status
