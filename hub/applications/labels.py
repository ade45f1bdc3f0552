"""Words for the statuses, shared by the pages, the notifications and the e-mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hub.applications.models import ApplicationStatus

S = ApplicationStatus
STATUS_LABELS = {
    S.RECEIVED: _l("Received"),
    S.UNDER_REVIEW: _l("Under review"),
    S.INFO_REQUESTED: _l("More information requested"),
    S.ACCEPTED: _l("Accepted"),
    S.WAITLISTED: _l("Waitlisted"),
    S.DECLINED: _l("Declined"),
}
