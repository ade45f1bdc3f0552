"""HTTP views of peers: thin, the rules live in the service modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("peers", __name__, url_prefix="/peer-learning")
