"""Search analytics: counting without storing who searched, batched writes, the report over a
period, and the Secretariat's page. Real database (SQLite or PostgreSQL), real requests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import create_engine, inspect, select

from hub.accounts.models import Role
from hub.config import PROJECT_ROOT
from hub.errors import Invalid
from hub.extensions import db
from hub.search import analytics
from hub.search.analytics import Period, normalise, period_from, record, report
from hub.search.models import SearchDay, SearchQueryDay
from tests import factories
from tests.web import login

TODAY = date(2025, 6, 15)


def utc_today() -> date:
    return datetime.now(UTC).date()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def stored() -> dict[str, tuple[int, int]]:
    """Query text -> (searches, zero results) over all days, read through a fresh connection."""
    totals: dict[str, tuple[int, int]] = {}
    with db.engine.connect() as conn:
        for row in conn.execute(select(SearchQueryDay)):
            n, zero = totals.get(row.query_text, (0, 0))
            totals[row.query_text] = (n + row.searches, zero + row.zero_results)
    return totals


def stored_days() -> dict[date, tuple[int, int]]:
    with db.engine.connect() as conn:
        return {r.day: (r.searches, r.zero_results) for r in conn.execute(select(SearchDay))}


def searches(*pairs: tuple[str, int], day: date = TODAY) -> None:
    """Record each (query, total) once on ``day`` and write them."""
    for query, total in pairs:
        record(query, total, at=at(day))
    analytics.flush()


# --- what is counted, and under which text ---


def test_normalising_collapses_whitespace_lower_cases_and_strips():
    assert normalise("  Solar\t  ENERGY \n roadmap ") == "solar energy roadmap"


def test_normalising_caps_the_text_at_256_characters():
    assert len(normalise("word " * 200)) == 256


def test_normalising_drops_control_characters_and_folds_full_width_letters():
    assert normalise("ｓｏｌａｒ\x00 \x07energy") == "solar energy"


def test_searches_stay_in_memory_until_flushed(app):
    record("solar energy", 3)

    assert stored() == {}


def test_flush_writes_counts_and_zero_results_per_normalised_query(app):
    record("Solar energy", 3)
    record("solar   ENERGY", 0)
    record("wind", 0)

    analytics.flush()

    assert stored() == {"solar energy": (2, 1), "wind": (1, 1)}


def test_a_second_batch_adds_to_the_stored_counts(app):
    searches(("solar energy", 3), ("wind", 0))

    searches(("solar energy", 0))

    assert stored() == {"solar energy": (2, 1), "wind": (1, 1)}


def test_each_day_keeps_its_total_searches_and_zero_results(app):
    searches(("solar", 2), ("wind", 0), day=TODAY)
    searches(("solar", 2), day=TODAY + timedelta(days=1))

    assert stored_days() == {TODAY: (2, 1), TODAY + timedelta(days=1): (1, 0)}


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_not_recorded(app, query):
    record(query, 0)
    analytics.flush()

    assert stored() == {}


def test_later_pages_of_the_same_search_are_not_counted_again(app):
    record("solar", 40, page=1)
    record("solar", 40, page=2)
    analytics.flush()

    assert stored() == {"solar": (1, 0)}


def test_buffer_is_written_by_the_first_search_after_the_interval(app):
    app.config["SEARCH_ANALYTICS_FLUSH_SECONDS"] = 0

    record("solar", 1)

    assert stored() == {"solar": (1, 0)}


def test_buffer_is_written_once_it_holds_the_entry_limit(app):
    app.config["SEARCH_ANALYTICS_FLUSH_ENTRIES"] = 3
    record("one", 1)
    record("two", 1)
    assert stored() == {}

    record("three", 1)

    assert stored() == {"one": (1, 0), "two": (1, 0), "three": (1, 0)}


def test_searches_from_many_threads_are_all_counted(app):
    app.config["SEARCH_ANALYTICS_FLUSH_ENTRIES"] = 7  # batches written while others count

    def search_many(n: int) -> None:
        with app.app_context():
            for i in range(200):
                record(f"query {i % 10}", i % 2)

    threads = [threading.Thread(target=search_many, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    analytics.flush()

    assert sum(n for n, _ in stored().values()) == 800
    assert sum(zero for _, zero in stored().values()) == 400


def test_a_failing_write_never_fails_the_search(tmp_path, caplog):
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'no.sqlite'}")
    recorder = analytics.Recorder(broken, flush_seconds=0, flush_entries=1)

    recorder.add(TODAY, "solar", zero=False)  # the write fails; the search goes on

    assert "search analytics: a batch could not be written" in caplog.text


def test_buffered_searches_are_written_when_the_process_exits(app, tmp_path):
    script = (
        "from hub import create_app\n"
        "from hub.search import analytics\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    analytics.record('written at exit', 0)\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HUB_")},
        "PYTHONPATH": str(PROJECT_ROOT),
        "HUB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUB_INDEX_DIR": str(tmp_path / "exit-index"),
        "HUB_DATA_DIR": str(tmp_path / "exit-data"),
        "HUB_AUDIT_LOG": str(tmp_path / "exit-audit.log"),
        "HUB_SECRET_KEY": "x" * 64,
        "HUB_CHECK_INDEX_ON_START": "false",
    }

    subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, check=True, timeout=60)

    assert stored() == {"written at exit": (1, 1)}


# --- nothing about who searched ---


def test_analytics_tables_have_no_column_that_could_identify_a_person(app):
    columns = {
        table: {c["name"] for c in inspect(db.engine).get_columns(table)}
        for table in ("search_query_days", "search_days")
    }

    assert columns == {
        "search_query_days": {"day", "query_text", "searches", "zero_results"},
        "search_days": {"day", "searches", "zero_results"},
    }


def test_stored_rows_hold_nothing_of_the_searcher(app):
    environ = {"REMOTE_ADDR": "203.0.113.77"}
    headers = {"User-Agent": "TrackerBrowser/9.9", "Cookie": "session=abc123secret"}
    with app.test_request_context("/search?q=solar", environ_base=environ, headers=headers):
        login_user(factories.user(role=Role.FOCAL_POINT, email="tracked.person@example.org"))
        record("Solar", 2, at=at(TODAY))
    analytics.flush()

    with db.engine.connect() as conn:
        rows = [tuple(r) for t in (SearchQueryDay, SearchDay) for r in conn.execute(select(t))]
    assert rows == [(TODAY, "solar", 1, 0), (TODAY, 1, 0)]  # the day, the words, the counts


# --- the report over a period ---


def test_report_counts_only_the_searches_inside_the_period(app):
    searches(("before", 1), day=date(2025, 5, 31))
    searches(("inside", 1), ("inside", 0), day=date(2025, 6, 1))
    searches(("inside", 1), ("last day", 1), day=date(2025, 6, 10))
    searches(("after", 1), day=date(2025, 6, 11))

    found = report(Period(date(2025, 6, 1), date(2025, 6, 10)))

    assert [(q.query, q.searches) for q in found.top] == [("inside", 3), ("last day", 1)]
    assert (found.searches, found.zero_result_searches, found.distinct_queries) == (4, 1, 2)


def test_report_lists_the_most_frequent_queries_first(app):
    searches(*[("solar", 5)] * 3, *[("wind", 5)] * 5, ("hydro", 5))

    found = report(Period(TODAY, TODAY))

    assert [(q.query, q.searches) for q in found.top] == [("wind", 5), ("solar", 3), ("hydro", 1)]


def test_report_lists_queries_that_found_nothing_by_how_often(app):
    searches(("quantum", 0), ("quantum", 0), ("solar", 4), ("solar", 0), ("fusion", 0), ("a", 1))

    found = report(Period(TODAY, TODAY))

    assert [(q.query, q.zero_results, q.searches) for q in found.nothing_found] == [
        ("quantum", 2, 2),
        ("fusion", 1, 1),
        ("solar", 1, 2),
    ]


def test_report_of_a_period_without_searches_is_empty(app):
    searches(("solar", 1), day=TODAY)

    found = report(Period(date(2024, 1, 1), date(2024, 12, 31)))

    assert (found.searches, found.top, found.nothing_found, found.by_day) == (0, [], [], [])


def test_report_gives_each_day_with_searches(app):
    searches(("solar", 1), day=TODAY - timedelta(days=2))
    searches(("solar", 0), ("wind", 0), day=TODAY)

    found = report(Period(TODAY - timedelta(days=6), TODAY))

    assert [(d.day, d.searches, d.zero_results) for d in found.by_day] == [
        (TODAY - timedelta(days=2), 1, 0),
        (TODAY, 2, 2),
    ]


# --- choosing the period ---


@pytest.mark.parametrize("days", [7, 30, 90])
def test_preset_is_the_last_n_days_ending_today(days):
    period = period_from({"days": str(days)}, today=TODAY)

    assert (period.start, period.end, period.days) == (
        TODAY - timedelta(days=days - 1),
        TODAY,
        days,
    )


def test_without_arguments_the_period_is_the_last_30_days():
    assert period_from({}, today=TODAY) == Period(TODAY - timedelta(days=29), TODAY)


def test_dates_given_are_the_period_both_included():
    period = period_from({"from": "2025-01-01", "to": "2025-01-31"}, today=TODAY)

    assert period == Period(date(2025, 1, 1), date(2025, 1, 31))


@pytest.mark.parametrize(
    "args",
    [
        {"from": "yesterday"},
        {"from": "2025-13-01"},
        {"to": "2025-02-30"},
        {"from": "20250101"},
        {"to": "2025-01-01T00:00"},
        {"days": "5"},
        {"days": "-7"},
        {"from": "2025-03-01", "to": "2025-02-01"},
    ],
)
def test_bad_period_is_refused_with_a_message(args):
    with pytest.raises(Invalid) as caught:
        period_from(args, today=TODAY)

    assert caught.value.message


def test_an_end_near_the_first_day_of_the_calendar_does_not_overflow():
    assert period_from({"to": "0001-01-05"}, today=TODAY).start == date.min


# --- the page ---


def _page(client, user_role: Role | None, query: str = ""):
    if user_role is not None:
        country = "GHA" if user_role is Role.FOCAL_POINT else None
        login(client, factories.user(role=user_role, country_code=country))
    return client.get(f"/admin/search-analytics{query}")


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = _page(client, None)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_focal_point_may_not_see_search_analytics(client):
    assert _page(client, Role.FOCAL_POINT).status_code == 403


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_secretariat_sees_frequent_queries_and_those_that_found_nothing(app, client, role):
    searches(("solar roadmap", 3), ("solar roadmap", 3), ("quantum widgets", 0), day=utc_today())

    response = _page(client, role, "?days=7")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "solar roadmap" in html and "quantum widgets" in html
    assert "Queries that found nothing" in html


def test_page_shows_the_chosen_dates(client):
    html = _page(client, Role.EDITOR, "?from=2025-01-01&to=2025-01-31").get_data(as_text=True)

    assert 'value="2025-01-01"' in html and 'value="2025-01-31"' in html


def test_bad_date_gives_a_clear_message_not_an_error_page(client):
    response = _page(client, Role.EDITOR, "?from=2025-02-30")

    assert response.status_code == 400
    assert "is not a date" in response.get_data(as_text=True)


def test_query_text_is_shown_as_text_not_markup(app, client):
    searches(("<script>alert(1)</script>", 0), day=utc_today())

    html = _page(client, Role.EDITOR).get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_secretariat_dashboard_links_to_search_analytics(client):
    login(client, factories.user(role=Role.EDITOR, country_code=None))

    assert "/admin/search-analytics" in client.get("/workspace/").get_data(as_text=True)


def test_focal_point_dashboard_has_no_search_analytics_link(client):
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))

    assert "/admin/search-analytics" not in client.get("/workspace/").get_data(as_text=True)


# --- how long query texts are kept ---


def test_query_texts_older_than_the_kept_days_are_deleted_with_the_days_first_batch(app):
    app.config["SEARCH_ANALYTICS_KEEP_DAYS"] = 30
    app.extensions.pop("hub_search_analytics", None)  # a recorder made with this setting
    oldest_kept = TODAY - timedelta(days=29)
    searches(("too old", 1), day=oldest_kept - timedelta(days=1))
    searches(("just kept", 1), day=oldest_kept)
    assert set(stored()) == {"too old", "just kept"}  # written on older days: nothing pruned

    searches(("today", 1), day=TODAY)

    assert set(stored()) == {"just kept", "today"}
    # The day totals hold no text and stay.
    assert set(stored_days()) == {oldest_kept - timedelta(days=1), oldest_kept, TODAY}


def test_pruning_runs_once_a_day_per_process(app):
    app.config["SEARCH_ANALYTICS_KEEP_DAYS"] = 30
    app.extensions.pop("hub_search_analytics", None)
    searches(("today", 1), day=TODAY)
    with db.engine.begin() as conn:  # a row that appears later the same day (another process)
        conn.execute(
            SearchQueryDay.__table__.insert(),
            {"day": TODAY - timedelta(days=90), "query_text": "late", "searches": 1,
             "zero_results": 0},
        )  # fmt: skip

    searches(("again", 1), day=TODAY)
    assert "late" in stored()

    searches(("tomorrow", 1), day=TODAY + timedelta(days=1))
    assert "late" not in stored()


def test_analytics_page_says_how_long_query_texts_are_kept(client, app):
    app.config["SEARCH_ANALYTICS_KEEP_DAYS"] = 123
    secretariat = factories.user(role=Role.EDITOR, country_code=None)
    login(client, secretariat)

    page = client.get("/admin/search-analytics").get_data(as_text=True)

    assert "deleted after 123 days" in page
