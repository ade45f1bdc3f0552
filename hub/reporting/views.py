"""HTTP views of reporting: thin, the rules live in the service modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reporting", __name__, url_prefix="/reporting")
