"""What people read for a document's status and its workflow steps.

The workflow stores ids (``changes_requested``); pages, flashes and e-mails show these names, so a
status reads the same wherever a person meets it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_NAMES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted for review"),
    "changes_requested": _l("Changes requested"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}
STEP_LABELS = {
    "submit": _l("Submit for review"),
    "request_changes": _l("Request changes"),
    "publish": _l("Publish"),
    "archive": _l("Archive"),
}
