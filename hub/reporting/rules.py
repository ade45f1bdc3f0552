"""The reporting rule: which period a day falls in, and a member's status on a given day.

Pure functions over dates, so every boundary is tested without a database or a clock.

The schedule: periods of ``months`` months follow one another from ``starts_on``; a period runs
from its first day to the day before the next period starts, and its last day is its **due date**.
A member has *reported* for a period when a published policy brief of that country is dated
inside it. On a given day (in the current period):

- **green**: reported in the current period.
- **amber, due**: not yet reported in the current period, and no due date has been missed: the
  report is due on the current period's last day.
- **amber, overdue**: a due date passed without a report, but less than a full period ago. The
  day after a missed due date is amber, not red: a report a day late is late, not "overdue by a
  full period".
- **red**: a due date passed without a report a full period ago or more, i.e. the first day of
  the second period after the missed one, with no report since.

A report made late, in a later period, counts for the period it is dated in: a country that
missed a due date and then reports is green for the current period and starts afresh.

New members are not held to periods they were not members for. A country that joins on the
first day of a period owes a report for that period; one that joins later in a period owes its
first report at the end of the *next* period (joining ten days before a due date must not make a
country overdue ten days later). Until then it is amber, due, with that later due date, unless it
reports, which makes it green. Countries with no joining date (the pilots) count as members from
the start of the schedule. Before the schedule starts nothing is due.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


class Level(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NOT_STARTED = "not_started"  # no period yet (no schedule, or it starts later)


@dataclass(frozen=True)
class Schedule:
    starts_on: date
    months: int

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError("a reporting period lasts at least one month")


@dataclass(frozen=True)
class Period:
    index: int  # 0 for the first period of the schedule
    starts_on: date
    ends_on: date  # the due date: the last day of the period

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Status:
    level: Level
    period: Period | None  # the current period
    due_on: date | None  # the next due date still to meet (amber, due)
    overdue_since: date | None  # the day after the first missed due date (amber overdue, red)
    last_report: date | None  # the most recent report on or before the day

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def key(self) -> str:
        """The label a page shows: green, due, overdue, red or not_started."""
        if self.level is Level.AMBER:
            return "overdue" if self.overdue else "due"
        return self.level.value


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1
    month is 28 or 29 Feb). Periods are always counted from the schedule's start, so a short
    month never shifts the periods after it."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_at(schedule: Schedule, index: int) -> Period:
    start = add_months(schedule.starts_on, index * schedule.months)
    end = add_months(schedule.starts_on, (index + 1) * schedule.months) - timedelta(days=1)
    return Period(index, start, end)


def period_index(schedule: Schedule, day: date) -> int:
    """The index of the period holding ``day``; negative before the schedule starts."""
    months = (day.year - schedule.starts_on.year) * 12 + day.month - schedule.starts_on.month
    index = months // schedule.months
    # The month arithmetic can be one off around the start's day of the month: correct it.
    while period_at(schedule, index).starts_on > day:
        index -= 1
    while period_at(schedule, index).ends_on < day:
        index += 1
    return index


def first_period_owed(schedule: Schedule, member_since: date | None) -> int:
    """The first period a member owes a report for (see the module docstring)."""
    if member_since is None or member_since <= schedule.starts_on:
        return 0
    index = period_index(schedule, member_since)
    if period_at(schedule, index).starts_on == member_since:
        return index
    return index + 1


def status_on(
    today: date,
    schedule: Schedule | None,
    report_dates: Iterable[date],
    member_since: date | None = None,
) -> Status:
    """A member's reporting status on ``today``; the rule is the module docstring."""
    reports = sorted(d for d in report_dates if d <= today)
    last = reports[-1] if reports else None
    if schedule is None or today < schedule.starts_on:
        return Status(Level.NOT_STARTED, None, None, None, last)
    current = period_at(schedule, period_index(schedule, today))
    if last is not None and last in current:
        return Status(Level.GREEN, current, None, None, last)
    owed = first_period_owed(schedule, member_since)
    reported = period_index(schedule, last) if last is not None else None
    first_missed = owed if reported is None else max(owed, reported + 1)
    if first_missed >= current.index:
        # Nothing missed yet: the next report owed is due at the end of its period.
        due = period_at(schedule, max(first_missed, current.index)).ends_on
        return Status(Level.AMBER, current, due, None, last)
    missed = period_at(schedule, first_missed)
    overdue_since = missed.ends_on + timedelta(days=1)
    # A full period after the missed due date is the end of the following period.
    level = Level.RED if current.index >= first_missed + 2 else Level.AMBER
    return Status(level, current, None, overdue_since, last)
