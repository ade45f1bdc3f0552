"""Turning listing query parameters into a checked filter (shared by every listing page)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from hub.documents.models import Area, Kind
from hub.documents.service import ListFilter
from hub.errors import Invalid
from hub.http import choice_arg, int_arg


def filter_from_args(kind: Kind | None = None) -> ListFilter:
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and (len(country) != 3 or not country.isalpha()):
        raise Invalid(_("'country' must be a three-letter ISO code such as GHA."))
    goal = int_arg("sdg", 0, low=1, high=17) or None
    area = choice_arg("area", {a.value for a in Area})
    return ListFilter(kind=kind, country=country, goal=goal, area=Area(area) if area else None)
