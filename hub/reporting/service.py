"""Reporting for the Partnership: the schedule in force, and each member's status from its
published policy briefs. The rule itself is ``hub.reporting.rules.status_on``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from hub import audit, permissions
from hub.countries.models import Country, PartnershipStatus
from hub.documents.models import Document, Kind, Status
from hub.errors import Invalid
from hub.extensions import db
from hub.permissions import Action
from hub.reporting.models import ReportingSchedule
from hub.reporting.rules import Level, Period, Schedule, period_at, period_index, status_on
from hub.reporting.rules import Status as ReportingStatus

MAX_MONTHS = 60
PARTNER_STATUSES = (PartnershipStatus.PILOT, PartnershipStatus.MEMBER)


def current_setting() -> ReportingSchedule | None:
    """The newest setting is the one in force."""
    return db.session.scalar(select(ReportingSchedule).order_by(ReportingSchedule.id.desc()))


def current_schedule() -> Schedule | None:
    setting = current_setting()
    return Schedule(setting.starts_on, setting.months) if setting else None


def history() -> list[ReportingSchedule]:
    """Every setting, newest first."""
    return list(db.session.scalars(select(ReportingSchedule).order_by(ReportingSchedule.id.desc())))


def set_schedule(*, months: int, starts_on: date, note: str = "", by: Any) -> ReportingSchedule:
    """Put a new schedule in force. Earlier settings are kept as its history, not changed."""
    permissions.require(by, Action.REPORTING_MANAGE)
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid(_("A period lasts from 1 to %(max)d months.", max=MAX_MONTHS))
    current = current_setting()
    if current is not None and (current.months, current.starts_on) == (months, starts_on):
        raise Invalid(_("This is already the reporting period in force; nothing was changed."))
    setting = ReportingSchedule(
        months=months, starts_on=starts_on, note=note.strip()[:500], set_by_id=by.id
    )
    db.session.add(setting)
    db.session.commit()
    audit.log("reporting_schedule_set", "success", user=by, obj=setting, months=months)
    return setting


def report_dates(country_ids: list[int]) -> dict[int, list[date]]:
    """Dates of each country's published policy briefs: the reports the rule counts."""
    found: dict[int, list[date]] = {i: [] for i in country_ids}
    if not country_ids:
        return found
    rows = db.session.execute(
        select(Document.country_id, Document.published_on).where(
            Document.kind == Kind.POLICY_BRIEF,
            Document.status == Status.PUBLISHED,
            Document.country_id.in_(country_ids),
            Document.published_on.is_not(None),
        )
    )
    for country_id, published_on in rows:
        found[country_id].append(published_on)  # type: ignore[index, arg-type]  # no NULLs: where
    return found


@dataclass(frozen=True)
class CountryStatus:
    country: Country
    status: ReportingStatus
    latest_brief: Document | None  # the newest report the viewer may read, to link to

    @property
    def level(self) -> Level:
        return self.status.level


def partner_countries() -> list[Country]:
    return list(
        db.session.scalars(
            select(Country)
            .where(Country.partnership_status.in_(PARTNER_STATUSES))
            .order_by(Country.name)
        )
    )


def statuses(
    countries: list[Country], *, today: date, viewer: Any = None
) -> dict[int, CountryStatus]:
    """Each country's status on ``today`` (keyed by country id)."""
    schedule = current_schedule()
    dates = report_dates([c.id for c in countries])
    latest = _latest_readable_briefs([c.id for c in countries], viewer, today)
    return {
        c.id: CountryStatus(
            c, status_on(today, schedule, dates[c.id], c.member_since), latest.get(c.id)
        )
        for c in countries
    }


def status_of(country: Country, *, today: date, viewer: Any = None) -> CountryStatus:
    return statuses([country], today=today, viewer=viewer)[country.id]


def _latest_readable_briefs(country_ids: list[int], viewer: Any, today: date) -> dict:
    """The newest published brief of each country that ``viewer`` may read (none for a
    members-only brief and the public: the status still counts it, the link is withheld)."""
    if not country_ids:
        return {}
    briefs = db.session.scalars(
        select(Document)
        .where(
            Document.kind == Kind.POLICY_BRIEF,
            Document.status == Status.PUBLISHED,
            Document.country_id.in_(country_ids),
            Document.published_on <= today,
        )
        .order_by(Document.published_on.desc(), Document.id.desc())
    )
    latest: dict[int, Document] = {}
    for brief in briefs:
        if brief.country_id not in latest and permissions.can(viewer, Action.DOCUMENT_READ, brief):
            latest[brief.country_id] = brief  # type: ignore[index]  # in_() excludes NULL
    return latest


def summary(rows: list[CountryStatus]) -> dict[str, int]:
    """How many countries have each status (green, due, overdue, red, not_started)."""
    counts = dict.fromkeys(("green", "due", "overdue", "red", "not_started"), 0)
    for row in rows:
        counts[row.status.key] += 1
    return counts


def current_period(today: date) -> Period | None:
    schedule = current_schedule()
    if schedule is None or today < schedule.starts_on:
        return None
    return period_at(schedule, period_index(schedule, today))
