"""Builders for the application tests: a valid form as the page sends it, and applications made
through the real submission service."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hub.applications import antispam, submission
from hub.applications.models import Application, ApplicationStatus, Commitment
from hub.applications.reference import load_country_groups
from hub.config import PROJECT_ROOT
from hub.extensions import db

GROUPS_CSV = PROJECT_ROOT / "content" / "reference" / "un_country_groups.csv"


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


@pytest.fixture
def country_groups(app) -> int:
    return load_country_groups(GROUPS_CSV)


def old_token(seconds: float = 60) -> str:
    """A form-time token as if the form had been served ``seconds`` ago."""
    return antispam.form_token(time.time() - seconds)


def form_data(country: str = "MWI", **extra: Any) -> dict:
    """The apply form filled in by a careful person, with one focal point."""
    data = {
        "country": country,
        "official_name": "Amina Banda",
        "official_title": "Permanent Secretary",
        "official_institution": "Ministry of Education, Science and Technology",
        "focal_points-0-name": "Chikondi Phiri",
        "focal_points-0-title": "Director of Science and Technology",
        "focal_points-0-institution": "National Commission for Science and Technology",
        "focal_points-0-email": "chikondi@example.org",
        "focal_points-0-phone": "+265 1 000 000",
        "description": "## Frameworks\n\nA national STI policy (2024) and an SDG task force.",
        "initiatives": "National STI policy\nSDG innovation fund",
        "commitment": "minister",
        "engagement_levels": ["align", "capacity_building"],
        "consent_official": "y",
        "consent_focal_points": "y",
        "consent_description": "y",
        "leave_empty": "",
        "form_time": old_token(),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def make_input(country: str = "MWI", **extra: Any) -> submission.ApplicationInput:
    values = {
        "country_iso3": country,
        "official_name": "Amina Banda",
        "official_title": "Permanent Secretary",
        "official_institution": "Ministry of Education, Science and Technology",
        "focal_points": [
            submission.FocalPointInput(
                "Chikondi Phiri", "Director", "NCST", "chikondi@example.org", "+265 1"
            )
        ],
        "description": "## Frameworks\n\nA national STI policy.",
        "initiatives": "National STI policy",
        "commitment": Commitment.MINISTER,
        "engagement_levels": ["align"],
        "consent_official": True,
        "consent_focal_points": True,
        "consent_description": True,
    }
    values.update(extra)
    return submission.ApplicationInput(**values)


def make_application(
    country: str = "MWI",
    status: ApplicationStatus = ApplicationStatus.RECEIVED,
    ip: str = "192.0.2.1",
    **extra: Any,
) -> Application:
    """An application received through the service, then put in ``status`` (set-up only)."""
    application = submission.submit(make_input(country, **extra), ip=ip).application
    if status is not ApplicationStatus.RECEIVED:
        application.status = status
        from hub.applications.models import OPEN_STATUSES

        application.open_country_id = application.country_id if status in OPEN_STATUSES else None
        db.session.commit()
    return application
