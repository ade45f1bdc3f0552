"""One way for a view to run a service call and tell the person how it went.

A refusal by the access rule stays an error page (403/404); any other domain error means nothing
was changed, so the transaction is rolled back and its message is flashed for the page the view
redirects to. Views that change something and go back to a list use this instead of writing the
same try/except/rollback/flash again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from hub.errors import HubError, NotAllowed
from hub.extensions import db


def run_and_flash(call: Callable[[], Any], done: str) -> bool:
    """Run ``call``; flash ``done`` when it worked, or the error's message when it did not.
    Returns whether it worked. NotAllowed is raised again after the rollback."""
    try:
        call()
    except NotAllowed:
        db.session.rollback()
        raise
    except HubError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return False
    flash(done)
    return True
