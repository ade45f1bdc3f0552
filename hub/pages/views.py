"""Home, about and health pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, text

from hub.countries.models import Country, PartnershipStatus
from hub.documents import service
from hub.documents.models import Kind
from hub.extensions import db
from hub.sdg.models import SdgGoal

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():  # noqa: ANN201
    latest = service.latest_for_viewer(
        (Kind.POLICY_BRIEF, Kind.COUNTRY_EXPERIENCE), viewer=current_user, limit=6
    )
    pilots = db.session.scalars(
        select(Country)
        .where(Country.partnership_status.in_([PartnershipStatus.PILOT, PartnershipStatus.MEMBER]))
        .order_by(Country.name)
    ).all()
    goals = db.session.scalars(select(SdgGoal).order_by(SdgGoal.number)).all()
    return render_template("pages/home.html", latest=latest, partners=pilots, goals=goals)


@bp.get("/about")
def about():  # noqa: ANN201
    return render_template("pages/about.html")


@bp.get("/favicon.ico")
def favicon():  # noqa: ANN201
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/health")
def health():  # noqa: ANN201
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
