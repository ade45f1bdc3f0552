"""Matches the Secretariat brokers between a need and an offer, their progress and outcome.

Each change is a ``MatchEvent`` (the history). When a match involving a country is recorded or
moves on, that country's focal points are told: a notification (``hub.notifications``) in the
same transaction, and an e-mail once it is committed, so no one hears of a change that did not
happen. Updates carry the version the editor started from (optimistic locking).
"""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from hub import audit, permissions
from hub.accounts.models import Role, User
from hub.errors import Conflict, Invalid, InvalidTransition
from hub.extensions import db
from hub.mail import send_mail
from hub.notifications.links import absolute, path_for
from hub.notifications.models import Category
from hub.notifications.service import notify
from hub.peers.models import BrokeredMatch, ItemKind, MatchEvent, MatchStatus, OfferNeed
from hub.permissions import Action

MAX_OUTCOME = 20_000
MAX_NOTE = 500

# Where a match may go from each status. A declined or completed match may be taken up again
# (proposed), as brokering sometimes resumes; the history keeps every step.
NEXT: dict[MatchStatus, tuple[MatchStatus, ...]] = {
    MatchStatus.PROPOSED: (MatchStatus.IN_PROGRESS, MatchStatus.DECLINED),
    MatchStatus.IN_PROGRESS: (MatchStatus.COMPLETED, MatchStatus.DECLINED),
    MatchStatus.COMPLETED: (MatchStatus.PROPOSED,),
    MatchStatus.DECLINED: (MatchStatus.PROPOSED,),
}


def _check_pair(need: OfferNeed, offer: OfferNeed) -> None:
    if need.kind is not ItemKind.NEED or offer.kind is not ItemKind.OFFER:
        raise Invalid(_("A match pairs a need with an offer."))
    if need.country_id == offer.country_id:
        raise Invalid(_("A country is not matched with itself: choose another country's offer."))


def _text(outcome: str, note: str) -> tuple[str, str]:
    outcome = outcome.replace("\r\n", "\n").strip()
    if len(outcome) > MAX_OUTCOME:
        raise Invalid(_("The outcome is too long (at most %(n)d characters).", n=MAX_OUTCOME))
    if len(note) > MAX_NOTE:
        raise Invalid(_("The note is too long (at most %(n)d characters).", n=MAX_NOTE))
    return outcome, " ".join(note.split())


def record(
    need: OfferNeed,
    offer: OfferNeed,
    *,
    matched_on: date,
    status: MatchStatus = MatchStatus.PROPOSED,
    outcome: str = "",
    note: str = "",
    by: User,
) -> BrokeredMatch:
    """Record a brokered match and tell both countries' focal points."""
    permissions.require(by, Action.MATCH_RECORD)
    _check_pair(need, offer)
    outcome, note = _text(outcome, note)
    match = BrokeredMatch(
        need=need,
        offer=offer,
        matched_on=matched_on,
        status=status,
        outcome=outcome,
        recorded_by_id=by.id,
    )
    match.events.append(MatchEvent(status=status, outcome=outcome, note=note, author_id=by.id))
    db.session.add(match)
    db.session.flush()
    people = _focal_points(match)
    message = _(
        "A match was recorded: %(offerer)s's offer “%(offer)s” for %(needer)s's need “%(need)s” "
        "(%(status)s).",
        offerer=offer.country.name,
        offer=offer.title,
        needer=need.country.name,
        need=need.title,
        status=status_label(status),
    )
    _tell(people, match, message)
    db.session.commit()
    audit.log("match_record", "success", user=by, obj=match)
    _mail(people, match, _("Peer learning: a match involving your country"), message)
    return match


def update(
    match: BrokeredMatch,
    *,
    status: MatchStatus,
    outcome: str,
    note: str = "",
    expected_version: int,
    by: User,
) -> bool:
    """Move a match on and/or record its outcome; False when nothing changed."""
    permissions.require(by, Action.MATCH_RECORD)
    if match.version != expected_version:
        raise Conflict(conflict_message())
    outcome, note = _text(outcome, note)
    if status is not match.status and status not in NEXT[match.status]:
        raise InvalidTransition(
            _(
                "A %(old)s match cannot become %(new)s.",
                old=status_label(match.status),
                new=status_label(status),
            )
        )
    if status is match.status and outcome == match.outcome and not note:
        return False
    moved = status is not match.status
    match.status, match.outcome = status, outcome
    match.events.append(MatchEvent(status=status, outcome=outcome, note=note, author_id=by.id))
    people = _focal_points(match)
    message = _(
        "The match of %(offerer)s's offer “%(offer)s” with %(needer)s's need “%(need)s” is now "
        "%(status)s.",
        offerer=match.offer.country.name,
        offer=match.offer.title,
        needer=match.need.country.name,
        need=match.need.title,
        status=status_label(status),
    ) if moved else _(
        "The outcome of the match of %(offerer)s's offer “%(offer)s” with %(needer)s's need "
        "“%(need)s” was updated.",
        offerer=match.offer.country.name,
        offer=match.offer.title,
        needer=match.need.country.name,
        need=match.need.title,
    )  # fmt: skip
    _tell(people, match, message)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(conflict_message()) from None
    audit.log("match_update", "success", user=by, obj=match)
    _mail(people, match, _("Peer learning: a match involving your country changed"), message)
    return True


def conflict_message() -> str:
    return _(
        "Someone else updated this match while you were editing. Your text is kept below: "
        "compare it with the saved version, then save again."
    )


def status_label(status: MatchStatus) -> str:
    return {
        MatchStatus.PROPOSED: _("proposed"),
        MatchStatus.IN_PROGRESS: _("in progress"),
        MatchStatus.COMPLETED: _("completed"),
        MatchStatus.DECLINED: _("declined"),
    }[status]


def _focal_points(match: BrokeredMatch) -> list[User]:
    countries = {match.need.country_id, match.offer.country_id}
    stmt = (
        select(User)
        .where(
            User.role == Role.FOCAL_POINT,
            User.country_id.in_(countries),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    )
    return list(db.session.scalars(stmt))


def _url(match: BrokeredMatch) -> str:
    return path_for("peers.match", match_id=match.id)


def _tell(people: list[User], match: BrokeredMatch, message: str) -> None:
    for person in people:
        notify(person, Category.MATCH, message, _url(match))


def _mail(people: list[User], match: BrokeredMatch, subject: str, message: str) -> None:
    """One message per person: focal points of two countries do not see each other's address."""
    link = absolute(_url(match))
    body = render_template("mail/match.txt", message=message, link=link)
    for person in people:
        send_mail(person.email, subject, body)
