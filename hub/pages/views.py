"""Home, about and health pages, and the footer's pages: contact, privacy, accessibility and
the search API."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, text

from hub import health as disk_health
from hub import navigation
from hub.countries.models import Country, PartnershipStatus
from hub.documents import service
from hub.documents.models import Kind
from hub.extensions import db
from hub.sdg.models import SdgGoal
from hub.search import analytics
from hub.search.query import MAX_PAGE, MAX_PER_PAGE
from hub.search.syntax import MAX_FILTER_VALUES, PUBLIC_LIMITS, REGIONS

bp = Blueprint("pages", __name__)
# The header's account menu is on every page; base.html calls it like the other links.
bp.add_app_template_global(navigation.user_menu, "user_menu")


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


def _days(duration: int | timedelta) -> int:
    """Flask-Login takes the remember-me duration in seconds or as a timedelta."""
    return duration.days if isinstance(duration, timedelta) else int(duration) // 86400


@bp.get("/contact")
def contact():  # noqa: ANN201
    return render_template("pages/contact.html", email=current_app.config.get("CONTACT_EMAIL"))


@bp.get("/privacy")
def privacy():  # noqa: ANN201
    return render_template(
        "pages/privacy.html",
        keep_days=analytics.keep_days(current_app),
        idle_minutes=current_app.config["IDLE_TIMEOUT_MINUTES"],
        absolute_hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"],
        remember_days=_days(current_app.config["REMEMBER_COOKIE_DURATION"]),
    )


@bp.get("/accessibility")
def accessibility():  # noqa: ANN201
    return render_template("pages/accessibility.html")


@bp.get("/search-api")
def api():  # noqa: ANN201
    return render_template(
        "pages/api.html",
        limits=PUBLIC_LIMITS,
        max_per_page=MAX_PER_PAGE,
        max_page=MAX_PAGE,
        max_filter_values=MAX_FILTER_VALUES,
        regions=REGIONS,
        per_page=current_app.config["PER_PAGE"],
    )


@bp.get("/favicon.ico")
def favicon():  # noqa: ANN201
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/health")
def health():  # noqa: ANN201
    """ "ok", or "degraded" naming the stores short of space (reads still work, saves answer
    507); the folders' paths stay private."""
    db.session.execute(text("SELECT 1"))
    low = [space.name for space in disk_health.disk_space(current_app) if space.is_low]
    if low:
        return {"status": "degraded", "low_disk_space": low}
    return {"status": "ok"}
