"""The public reporting page, the Secretariat's period settings, and statuses from real briefs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.countries.models import PartnershipStatus
from hub.documents.models import Status, Visibility
from hub.errors import Invalid, NotAllowed
from hub.extensions import db
from hub.reporting import service
from hub.reporting.models import ReportingSchedule
from tests import factories
from tests.reporting.helpers import partner, schedule
from tests.web import login, post

TODAY = date.today()


def _row(html: str, country: str) -> str:
    match = re.search(rf">{country}</a></th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {country}"
    return match.group(1)


@pytest.fixture
def members(app):
    """Yearly periods from 1 January two years ago (the current period is this calendar year):
    Ghana reported this year, Kenya last year, Serbia only before the schedule began."""
    start = date(TODAY.year - 2, 1, 1)
    schedule(start)
    partner("GHA", PartnershipStatus.PILOT, co_chair=True)
    partner("KEN", PartnershipStatus.PILOT)
    partner("SRB", PartnershipStatus.PILOT, co_chair=True)
    factories.document(country_code="GHA", title="Ghana report", published_on=TODAY)
    factories.document(country_code="KEN", published_on=date(TODAY.year - 1, 6, 1))
    factories.document(country_code="SRB", published_on=date(TODAY.year - 3, 6, 1))
    return start


def test_public_page_shows_each_member_status_in_text_and_symbol(client, members):
    html = client.get("/reporting/").get_data(as_text=True)
    ghana, kenya, serbia = _row(html, "Ghana"), _row(html, "Kenya"), _row(html, "Serbia")
    assert "Reported this period" in ghana and 'aria-hidden="true">✓' in ghana
    assert "Ghana report" in ghana
    assert "Due</span>" in kenya and "due by" in kenya
    assert "Overdue by a full period" in serbia and "overdue since" in serbia
    assert (
        "Of 3 countries: 1 reported this period, 1 due, 0 overdue, 1 overdue by a full period."
        in html
    )


def test_draft_briefs_and_experiences_are_not_reports(client, members):
    factories.document(country_code="KEN", status=Status.DRAFT, published_on=TODAY)
    from hub.documents.models import Kind

    factories.document(country_code="KEN", kind=Kind.COUNTRY_EXPERIENCE, published_on=TODAY)
    html = client.get("/reporting/").get_data(as_text=True)
    assert "Due</span>" in _row(html, "Kenya")


def test_members_only_brief_counts_but_its_link_is_withheld_from_the_public(app, client, members):
    factories.document(country_code="KEN", title="Kenya members brief", published_on=TODAY,
                       visibility=Visibility.MEMBERS)  # fmt: skip
    public = _row(client.get("/reporting/").get_data(as_text=True), "Kenya")
    assert "Reported this period" in public and "Kenya members brief" not in public
    login(client, factories.user(country_code="SRB"))
    member = _row(client.get("/reporting/").get_data(as_text=True), "Kenya")
    assert "Kenya members brief" in member


def test_page_without_a_schedule_says_nothing_is_due(client, app):
    partner("GHA")
    html = client.get("/reporting/").get_data(as_text=True)
    assert "has not set a reporting period yet" in html
    assert "No reporting period yet" in _row(html, "Ghana")


def test_country_page_shows_its_reporting_status(client, members):
    html = client.get("/countries/srb").get_data(as_text=True)
    assert "Overdue by a full period" in html


# --- settings ---


def test_only_staff_may_set_the_period(app, client):
    assert "/login" in client.get("/reporting/settings").headers["Location"]
    login(client, factories.user(country_code="GHA"))
    assert client.get("/reporting/settings").status_code == 403
    with pytest.raises(NotAllowed):
        service.set_schedule(months=12, starts_on=TODAY, by=factories.user(country_code="GHA"))
    assert db.session.scalar(select(ReportingSchedule.id)) is None


def test_staff_set_a_period_and_the_history_is_kept(app, client):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    login(client, editor)
    form = {"months": "12", "starts_on": "2025-01-01", "note": "Yearly, as agreed"}
    response = post(client, "/reporting/settings", form)
    assert response.status_code == 302
    post(client, "/reporting/settings", {"months": "6", "starts_on": "2026-01-01"})
    rows = service.history()
    assert [(r.months, r.starts_on) for r in rows] == [
        (6, date(2026, 1, 1)),
        (12, date(2025, 1, 1)),
    ]
    assert service.current_schedule().months == 6
    html = client.get("/reporting/settings").get_data(as_text=True)
    assert "Yearly, as agreed" in html and editor.name in html
    assert "In force: periods of 6 months" in html
    with open(app.config["AUDIT_LOG"], encoding="utf-8") as fh:
        assert fh.read().count('"action": "reporting_schedule_set"') == 2


def test_bad_period_is_refused_with_the_input_kept(app, client):
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    response = post(client, "/reporting/settings", {"months": "0", "starts_on": "2025-13-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Number must be between 1 and 60" in html and "Not a valid date value" in html
    assert 'value="0"' in html and 'value="2025-13-01"' in html
    assert db.session.scalar(select(ReportingSchedule.id)) is None


def test_setting_the_same_period_again_says_nothing_changed(app):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    service.set_schedule(months=12, starts_on=date(2025, 1, 1), by=editor)
    with pytest.raises(Invalid):
        service.set_schedule(months=12, starts_on=date(2025, 1, 1), by=editor)
    assert len(service.history()) == 1


def test_the_newest_setting_decides_the_status(app):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    ghana = partner("GHA")
    factories.document(country_code="GHA", published_on=TODAY - timedelta(days=40))
    service.set_schedule(months=12, starts_on=TODAY - timedelta(days=100), by=editor)
    assert service.status_of(ghana, today=TODAY).status.key == "green"
    service.set_schedule(months=1, starts_on=TODAY - timedelta(days=10), by=editor)
    assert service.status_of(ghana, today=TODAY).status.key == "due"
