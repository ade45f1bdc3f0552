"""The JSON search API: the same parameters and the same search function as the page."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hub.search import analytics
from hub.search.present import api_payload
from hub.search.query import request_from_args, search

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/search")
def search_json() -> ResponseReturnValue:
    """Errors (a malformed query, a bad parameter) come back as JSON 400s from hub.errors."""
    found = search(request_from_args(request.args), viewer=current_user)
    if found.request.q:
        analytics.record(found.request.q, found.total, page=found.request.page)
    return jsonify(api_payload(found))
