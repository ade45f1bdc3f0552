"""The Secretariat's search analytics page: a thin view over ``hub.search.analytics``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from hub import permissions
from hub.errors import Invalid
from hub.outcomes import attempt
from hub.search import analytics

bp = Blueprint("search_analytics", __name__)


@bp.get("/admin/search-analytics")
@login_required
def report() -> ResponseReturnValue:
    permissions.require(current_user, permissions.Action.SEARCH_ANALYTICS_VIEW)
    template = "search_analytics/report.html"
    today = datetime.now(UTC).date()
    with attempt(shown_in_page=(Invalid,)) as outcome:
        period = analytics.period_from(request.args, today=today)
    if outcome.failed:
        page = render_template(template, report=None, error=outcome.message, today=today,
                               presets=analytics.PRESET_DAYS,
                               keep_days=analytics.keep_days(current_app))  # fmt: skip
        return page, 400
    # No flush here: a GET changes nothing (T-13). Buffered searches show after their batch.
    found = analytics.report(period)
    return render_template(template, report=found, error=None, today=today,
                           presets=analytics.PRESET_DAYS,
                           keep_days=analytics.keep_days(current_app))  # fmt: skip
