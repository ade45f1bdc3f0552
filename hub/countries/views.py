"""Country pages: the Partnership's countries by region; each country's profile and documents."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from hub import permissions
from hub.countries import profiles
from hub.countries import service as countries
from hub.countries.models import Country, Engagement, PartnershipStatus
from hub.documents import service
from hub.errors import Conflict, NotFound
from hub.extensions import db
from hub.http import int_arg
from hub.markup import render_markdown
from hub.outcomes import attempt
from hub.permissions import Action

bp = Blueprint("countries", __name__, url_prefix="/countries")

ENGAGEMENT_LABELS = {
    Engagement.ALIGN: _l("Aligns with the principles"),
    Engagement.SHOWCASE: _l("Showcases its experience and supports other countries"),
    Engagement.CAPACITY_BUILDING: _l("Joins capacity building (Global Pilot Programme)"),
}


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    """Shape checks only; ``countries.update_profile`` holds the rules."""

    priorities = TextAreaField(
        _l("Priorities (Markdown)"), validators=[Length(max=countries.PRIORITIES_MAX)]
    )
    goals = _Checkboxes(_l("SDGs of focus"), choices=[(str(n), str(n)) for n in range(1, 18)])
    token = HiddenField()


def _country(iso3: str) -> Country:
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3.upper()))
    if country is None:
        raise NotFound(_("We have no country with that code. See the list of countries."))
    return country


@bp.get("/")
def index():  # noqa: ANN201
    counts = service.related_counts_by_country(viewer=current_user)
    listed = db.session.scalars(
        select(Country)
        .where(
            (Country.partnership_status != PartnershipStatus.NONE)
            | Country.iso3.in_(list(counts) or [""])
        )
        .order_by(Country.region, Country.name)
    ).all()
    return render_template(
        "countries/index.html",
        overview=countries.overview(listed),
        counts=counts,
        engagement_labels=ENGAGEMENT_LABELS,
    )


@bp.get("/<iso3>")
def show(iso3: str):  # noqa: ANN201
    country = _country(iso3)
    filters = service.ListFilter(country=country.iso3)
    page = service.list_for_viewer(
        filters,
        viewer=current_user,
        page=int_arg("page", 1),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "countries/show.html",
        country=country,
        page=page,
        profile=profiles.profile_for(country, current_user, today=date.today()),
        engagement_labels=ENGAGEMENT_LABELS,
    )


@bp.route("/<iso3>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(iso3: str):  # noqa: ANN201
    country = _country(iso3)
    permissions.require(current_user, Action.PROFILE_EDIT, country)
    form = ProfileForm()
    if request.method == "GET":
        form.priorities.data = country.priorities
        form.goals.data = [str(g.number) for g in country.focus_goals]
        form.token.data = countries.profile_token(country)
    preview, conflict, status = None, False, 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.priorities.data or "")
        else:
            with attempt() as outcome:
                changed = countries.update_profile(
                    country,
                    priorities=form.priorities.data or "",
                    goals=[int(n) for n in form.goals.data or []],
                    expected_token=form.token.data or "",
                    by=current_user,
                )
            if outcome.ok:
                flash(_("Profile saved.") if changed else _("Nothing had changed."))
                return redirect(url_for("countries.show", iso3=country.slug))
            status = outcome.status
            if isinstance(outcome.error, Conflict):
                conflict = True
                country = _country(iso3)
                form.token.data = countries.profile_token(country)
    elif request.method == "POST":
        status = 400
    return render_template(
        "countries/edit.html", country=country, form=form, preview=preview, conflict=conflict
    ), status
