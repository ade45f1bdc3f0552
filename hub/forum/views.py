"""HTTP views of forum: thin, the rules live in the service modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("forum", __name__, url_prefix="/discussions")
