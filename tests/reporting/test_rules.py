"""The reporting rule (hub.reporting.rules.status_on) at every boundary. Pure: no database.

Schedule used throughout: yearly periods from 1 January 2025, so the 2025 period runs
1 Jan - 31 Dec 2025 and its due date is 31 December 2025.
"""

from __future__ import annotations

from datetime import date

import pytest

from hub.reporting.rules import (
    Level,
    Schedule,
    add_months,
    first_period_owed,
    period_at,
    period_index,
    status_on,
)

YEARLY = Schedule(date(2025, 1, 1), 12)


def st(today: date, reports: list[date], member_since: date | None = None, schedule=YEARLY):
    return status_on(today, schedule, reports, member_since)


# --- periods ---


def test_periods_follow_each_other_without_gap_or_overlap():
    for i in range(-3, 30):
        assert (
            period_at(YEARLY, i).ends_on.toordinal() + 1
            == period_at(YEARLY, i + 1).starts_on.toordinal()
        )


@pytest.mark.parametrize(
    ("day", "index"),
    [(date(2024, 12, 31), -1), (date(2025, 1, 1), 0), (date(2025, 12, 31), 0),
     (date(2026, 1, 1), 1), (date(2027, 6, 30), 2)],
)  # fmt: skip
def test_period_index_at_the_edges(day, index):
    assert period_index(YEARLY, day) == index


def test_month_end_start_is_clamped_and_does_not_drift():
    monthly = Schedule(date(2025, 1, 31), 1)
    assert period_at(monthly, 1).starts_on == date(2025, 2, 28)
    assert period_at(monthly, 2).starts_on == date(2025, 3, 31)  # back to the 31st
    assert period_at(monthly, 0).ends_on == date(2025, 2, 27)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    for day in (date(2025, 2, 27), date(2025, 2, 28), date(2025, 3, 30), date(2025, 3, 31)):
        assert day in period_at(monthly, period_index(monthly, day))


def test_quarterly_schedule_from_mid_month():
    quarterly = Schedule(date(2025, 4, 15), 3)
    p = period_at(quarterly, period_index(quarterly, date(2025, 7, 14)))
    assert (p.starts_on, p.ends_on) == (date(2025, 4, 15), date(2025, 7, 14))
    assert period_index(quarterly, date(2025, 7, 15)) == 1


def test_a_period_needs_at_least_a_month():
    with pytest.raises(ValueError):
        Schedule(date(2025, 1, 1), 0)


# --- green ---


@pytest.mark.parametrize("report", [date(2025, 1, 1), date(2025, 6, 1), date(2025, 12, 31)])
def test_a_report_dated_in_the_current_period_is_green_from_first_to_last_day(report):
    assert st(date(2025, 12, 31), [report]).level is Level.GREEN
    assert st(report, [report]).level is Level.GREEN


def test_a_report_on_the_last_day_of_the_previous_period_does_not_count_for_this_one():
    s = st(date(2026, 1, 1), [date(2025, 12, 31)])
    assert s.level is Level.AMBER and s.key == "due"
    assert s.due_on == date(2026, 12, 31)


def test_a_report_dated_in_the_future_does_not_count_yet():
    s = st(date(2025, 3, 1), [date(2025, 3, 2)])
    assert s.level is Level.AMBER and s.last_report is None


# --- amber: due ---


def test_first_day_of_a_period_is_due_with_the_last_day_as_due_date():
    s = st(date(2026, 1, 1), [date(2025, 5, 5)])
    assert (s.level, s.key, s.due_on, s.overdue_since) == (
        Level.AMBER,
        "due",
        date(2026, 12, 31),
        None,
    )


def test_last_day_of_a_period_is_still_due_not_overdue():
    s = st(date(2026, 12, 31), [date(2025, 5, 5)])
    assert s.key == "due" and s.due_on == date(2026, 12, 31)


def test_first_period_of_the_schedule_is_due_for_a_pilot_without_reports():
    s = st(date(2025, 1, 1), [])
    assert s.key == "due" and s.due_on == date(2025, 12, 31)


# --- amber: overdue, then red ---


def test_the_day_after_the_due_date_is_overdue_but_amber():
    s = st(date(2027, 1, 1), [date(2025, 5, 5)])
    assert (s.level, s.key, s.overdue_since) == (Level.AMBER, "overdue", date(2027, 1, 1))


def test_overdue_stays_amber_until_a_full_period_after_the_due_date():
    s = st(date(2027, 12, 31), [date(2025, 5, 5)])
    assert (s.level, s.overdue_since) == (Level.AMBER, date(2027, 1, 1))


def test_a_full_period_after_the_missed_due_date_is_red():
    s = st(date(2028, 1, 1), [date(2025, 5, 5)])
    assert (s.level, s.key, s.overdue_since) == (Level.RED, "red", date(2027, 1, 1))


def test_red_stays_red_and_keeps_the_first_missed_due_date():
    s = st(date(2031, 3, 1), [date(2025, 5, 5)])
    assert s.level is Level.RED and s.overdue_since == date(2027, 1, 1)


def test_a_pilot_that_never_reported_is_overdue_the_day_after_the_first_due_date():
    assert st(date(2025, 12, 31), []).key == "due"
    assert st(date(2026, 1, 1), []).key == "overdue"
    assert st(date(2026, 12, 31), []).key == "overdue"
    assert st(date(2027, 1, 1), []).key == "red"


def test_a_late_report_turns_an_overdue_country_green_for_the_current_period():
    assert st(date(2027, 3, 1), [date(2025, 5, 5)]).key == "overdue"
    assert st(date(2027, 3, 1), [date(2025, 5, 5), date(2027, 2, 1)]).key == "green"
    # and the next period starts afresh: due, not overdue
    assert st(date(2028, 1, 1), [date(2025, 5, 5), date(2027, 2, 1)]).key == "due"


def test_a_report_made_while_red_makes_the_country_green():
    assert st(date(2029, 5, 1), [date(2029, 4, 30)]).key == "green"


# --- new members ---


def test_first_period_owed_by_members():
    assert first_period_owed(YEARLY, None) == 0
    assert first_period_owed(YEARLY, date(2020, 1, 1)) == 0
    assert first_period_owed(YEARLY, date(2026, 1, 1)) == 1  # joined on a first day
    assert first_period_owed(YEARLY, date(2026, 1, 2)) == 2  # joined mid-period


def test_new_member_who_joined_mid_period_first_reports_by_the_end_of_the_next_period():
    joined = date(2026, 12, 20)
    s = st(date(2026, 12, 21), [], joined)
    assert (s.key, s.due_on) == ("due", date(2027, 12, 31))
    # The period it joined in ends: not overdue.
    s = st(date(2027, 1, 1), [], joined)
    assert (s.key, s.due_on) == ("due", date(2027, 12, 31))
    # Its first due date passed: overdue the day after, red a full period later.
    assert st(date(2028, 1, 1), [], joined).key == "overdue"
    assert st(date(2029, 1, 1), [], joined).key == "red"


def test_new_member_who_reports_in_its_joining_period_is_green():
    assert st(date(2026, 12, 21), [date(2026, 12, 21)], date(2026, 12, 20)).key == "green"


def test_new_member_who_joined_on_the_first_day_owes_that_period():
    joined = date(2026, 1, 1)
    assert st(date(2026, 6, 1), [], joined).due_on == date(2026, 12, 31)
    assert st(date(2027, 1, 1), [], joined).key == "overdue"


def test_reports_before_joining_do_not_excuse_periods_owed_after():
    s = st(date(2028, 1, 1), [date(2024, 6, 1)], date(2026, 1, 1))
    assert (s.key, s.overdue_since) == ("red", date(2027, 1, 1))


# --- no schedule ---


def test_nothing_is_due_without_a_schedule_or_before_it_starts():
    assert st(date(2025, 1, 1), [], schedule=None).level is Level.NOT_STARTED
    s = st(date(2024, 12, 31), [date(2024, 6, 1)])
    assert s.level is Level.NOT_STARTED and s.last_report == date(2024, 6, 1)
