"""HTTP views of notifications: thin, the rules live in the service modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
