"""The search page."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hub.errors import Invalid
from hub.outcomes import attempt
from hub.search import analytics
from hub.search.present import FACET_TITLES, page_links
from hub.search.query import request_from_args, search

bp = Blueprint("search", __name__)


def _search_url(params: dict[str, list[str]]) -> str:
    return url_for("search.results", **{k: v for k, v in params.items() if v and v != [""]})


@bp.get("/search")
def results() -> ResponseReturnValue:
    q = request.args.get("q", "")
    with attempt(shown_in_page=(Invalid,)) as outcome:
        wanted = request_from_args(request.args)
        if not wanted.q.strip() and not request.args.get("sort"):
            # Without words there is nothing to rank by relevance: newest first. With no
            # filters either, the page is a way in: the latest the reader may see, and facets.
            wanted = replace(wanted, sort="date")
        found = search(wanted, viewer=current_user)
    if outcome.failed:
        page = render_template("search/results.html", q=q, found=None, error=outcome.message)
        return page, 400
    if found.request.q:
        analytics.record(found.request.q, found.total, page=found.request.page)
    links = page_links(found, request.args.to_dict(flat=False), _search_url)
    return render_template(
        "search/results.html",
        q=q,
        found=found,
        browsing=not (found.request.q.strip() or found.filters),
        error=None,
        links=links,
        country_label=links.label,
        facet_titles={k: v() for k, v in FACET_TITLES.items()},
    )
