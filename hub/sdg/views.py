"""SDG pages: the 17 goals, and per goal its targets and the documents tagged with it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.documents import service
from hub.errors import NotFound
from hub.extensions import db
from hub.http import int_arg
from hub.sdg.models import SdgGoal, SdgTarget

bp = Blueprint("sdg", __name__, url_prefix="/sdgs")


@bp.get("/")
def index():  # noqa: ANN201
    goals = db.session.scalars(select(SdgGoal).order_by(SdgGoal.number)).all()
    return render_template("sdg/index.html", goals=goals)


@bp.get("/<int:number>")
def show(number: int):  # noqa: ANN201
    goal = db.session.scalar(
        select(SdgGoal)
        .where(SdgGoal.number == number)
        .options(selectinload(SdgGoal.targets).selectinload(SdgTarget.indicators))
    )
    if goal is None:
        raise NotFound(_("There are 17 SDGs; this number is not one of them."))
    page = service.list_for_viewer(
        service.ListFilter(goal=number),
        viewer=current_user,
        page=int_arg("page", 1),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template("sdg/show.html", goal=goal, page=page)
