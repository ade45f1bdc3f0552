"""Country pages: the Partnership's countries by region; each country's profile and documents."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hub.countries.models import Country, PartnershipStatus
from hub.documents import service
from hub.errors import NotFound
from hub.extensions import db
from hub.http import int_arg

bp = Blueprint("countries", __name__, url_prefix="/countries")


@bp.get("/")
def index():  # noqa: ANN201
    counts = service.related_counts_by_country(viewer=current_user)
    countries = db.session.scalars(
        select(Country)
        .where(
            (Country.partnership_status != PartnershipStatus.NONE)
            | Country.iso3.in_(list(counts) or [""])
        )
        .order_by(Country.region, Country.name)
    ).all()
    regions: dict[str, list[Country]] = {}
    for country in countries:
        regions.setdefault(country.region or "—", []).append(country)
    return render_template("countries/index.html", regions=regions, counts=counts)


@bp.get("/<iso3>")
def show(iso3: str):  # noqa: ANN201
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3.upper()))
    if country is None:
        raise NotFound(_("We have no country with that code. See the list of countries."))
    filters = service.ListFilter(country=country.iso3)
    page = service.list_for_viewer(
        filters,
        viewer=current_user,
        page=int_arg("page", 1),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template("countries/show.html", country=country, page=page)
