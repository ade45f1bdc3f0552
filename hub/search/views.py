"""The search page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from hub.countries.service import country_names
from hub.errors import Invalid
from hub.http import int_arg
from hub.search.query import SearchRequest, search

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():  # noqa: ANN201
    q = request.args.get("q", "")
    search_request = SearchRequest(
        q=q, page=int_arg("page", 1, high=500), per_page=current_app.config["PER_PAGE"]
    )
    try:
        found = search(search_request, viewer=current_user) if q.strip() else None
    except Invalid as exc:
        page = render_template(
            "search/results.html", q=q, found=None, error=exc.message, country_names={}
        )
        return page, 400
    names = country_names({hit.country for hit in found.hits}) if found else {}
    return render_template("search/results.html", q=q, found=found, error=None, country_names=names)
