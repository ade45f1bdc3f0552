"""HTTP views of applications: thin, the rules live in the service modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/applications")
