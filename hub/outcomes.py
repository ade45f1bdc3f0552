"""The one place where a view's change is committed or undone, and the person told how it went.

A view runs the service call that changes something inside ``attempt()``:

    with attempt() as outcome:
        doc = editing.create(kind, data, by=current_user)
    if outcome.failed:
        return the_form_again, outcome.status
    flash(_("Draft saved."))

When the block ends normally the request's transaction is committed. A domain error
(``HubError``) means nothing was changed: the transaction is rolled back, the error's message
is flashed (or, for the kinds the view names in ``shown_in_page``, left for the view to show in
the page it renders), and the view carries on to answer with the form again or a redirect. A
refusal by the access rule (``NotAllowed``) is rolled back and raised again, so it stays a 403
page and is audited by hub/errors.py. Any other exception is a bug: it propagates to the 500
handler and the session is discarded at the end of the request.

Views never write their own try / except / rollback / flash; tests/test_outcomes.py checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import flash

from hub.errors import HubError, NotAllowed
from hub.extensions import db


@dataclass
class Outcome:
    """How the block of an ``attempt()`` went: ``error`` is the domain error that undid it."""

    error: HubError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """The error's message for the person ("" when it worked)."""
        return self.error.message if self.error is not None else ""

    @property
    def status(self) -> int:
        """The HTTP status that describes the outcome: the error's, or 200."""
        return self.error.status if self.error is not None else 200


@contextmanager
def attempt(*, shown_in_page: tuple[type[HubError], ...] = ()) -> Iterator[Outcome]:
    """Run the ``with`` block as the request's one change: commit it when it ends, or roll it
    back when it raises a domain error and record the error on the yielded ``Outcome``.

    The error's message is flashed unless it is one of ``shown_in_page``, which the view shows
    in the page it renders instead (beside the form that caused it). ``NotAllowed`` is raised
    again after the rollback: a refusal is an error page, not a message."""
    outcome = Outcome()
    try:
        yield outcome
    except NotAllowed:
        db.session.rollback()
        raise
    except HubError as exc:
        db.session.rollback()
        outcome.error = exc
        if not isinstance(exc, shown_in_page):
            flash(exc.message, "error")
    else:
        db.session.commit()


def run_and_flash(call: Callable[[], Any], done: str) -> bool:
    """Run ``call`` as an ``attempt()``; flash ``done`` when it worked. Returns whether it
    worked (the error's message is already flashed when it did not)."""
    with attempt() as outcome:
        call()
    if outcome.ok:
        flash(done)
    return outcome.ok
