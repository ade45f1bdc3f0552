"""Requests for the reporting, profile-editing and brief-changes routes of the route matrix
(policy in route_policy.d/reporting.yml)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from hub.countries import service as countries
from hub.countries.models import Country
from hub.extensions import db
from hub.reporting.models import ReportingSchedule
from tests import factories
from tests.security.route_matrix import Call, World, case, current

_days = itertools.count(1)

for _name, _spec in [
    ("published public brief", "gha_published"),
    ("published members-only brief", "gha_members"),
    ("GHA draft", "gha_draft"),
    ("archived GHA brief", "gha_archived"),
]:
    case("documents.brief_changes", "GET", _name)(
        lambda w, actor, spec=_spec: Call(w.docs[spec].public_url + "/changes")
    )

case("reporting.index", "GET")(lambda w, actor: Call("/reporting/"))
case("reporting.settings", "GET")(lambda w, actor: Call("/reporting/settings"))
case("countries.edit_profile", "GET", "GHA profile")(
    lambda w, actor: Call("/countries/gha/profile")
)


@case("reporting.settings", "POST")
def _set_period(w: World, actor: str) -> Call:
    # A start date no other call uses, so each accepted call is a real change of the setting.
    starts_on = date(2030, 1, 1) + timedelta(days=next(_days))
    return Call(
        "/reporting/settings",
        lambda: {"months": "12", "starts_on": starts_on.isoformat(), "note": "matrix"},
        effect=lambda: (
            db.session.scalar(
                select(ReportingSchedule.id).where(ReportingSchedule.starts_on == starts_on)
            )
            is not None
        ),
    )


@case("countries.edit_profile", "POST", "GHA profile")
def _edit_profile(w: World, actor: str) -> Call:
    text = f"Priorities {uuid.uuid4().hex[:8]}"
    ghana_id = factories.country("GHA").id
    token = countries.profile_token(current(Country, ghana_id))
    return Call(
        "/countries/gha/profile",
        lambda: {"priorities": text, "goals": ["9"], "token": token, "save": "1"},
        effect=lambda: current(Country, ghana_id).priorities == text,
    )
