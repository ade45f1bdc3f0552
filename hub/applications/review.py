"""The Secretariat's review: the transition table, notes, the priority list and its weights.

Every function asks ``hub.permissions`` first, so a caller that forgot cannot skip the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hub.accounts.models import User
from hub.applications import acceptance, mails, ranking
from hub.applications.labels import STATUS_LABELS
from hub.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationNote,
    ApplicationStatus,
    CountryGroupMembership,
    PriorityWeight,
)
from hub.countries.models import Country, PartnershipStatus
from hub.dbtypes import utcnow
from hub.errors import Conflict, Invalid, InvalidTransition, NotFound
from hub.extensions import db
from hub.notifications.models import Category
from hub.notifications.service import notify_many
from hub.permissions import Action, require

S = ApplicationStatus
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.RECEIVED: frozenset({S.UNDER_REVIEW, S.INFO_REQUESTED, S.DECLINED}),
    S.UNDER_REVIEW: frozenset({S.INFO_REQUESTED, S.ACCEPTED, S.WAITLISTED, S.DECLINED}),
    S.INFO_REQUESTED: frozenset({S.UNDER_REVIEW, S.DECLINED}),
    S.WAITLISTED: frozenset({S.UNDER_REVIEW, S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset(),
    S.DECLINED: frozenset(),
}
ACTION_LABELS = {
    S.UNDER_REVIEW: _l("Start or resume the review"),
    S.INFO_REQUESTED: _l("Ask for more information"),
    S.ACCEPTED: _l("Accept: make the country a member"),
    S.WAITLISTED: _l("Put on the waiting list"),
    S.DECLINED: _l("Decline"),
}
NOTE_MAX = 5_000
MESSAGE_MAX = 5_000


@dataclass
class StepResult:
    mail_sent: bool
    invited: list[str] = field(default_factory=list)  # addresses sent an invitation
    existing: list[str] = field(default_factory=list)  # addresses that already had an account
    invitations_failed: list[str] = field(default_factory=list)


def get(application_id: int, *, by: Any) -> Application:
    require(by, Action.APPLICATION_REVIEW)
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound()
    return application


def queue(status: ApplicationStatus | None, *, by: Any) -> list[Application]:
    """Applications, oldest first within the filter (the Secretariat answers in order)."""
    require(by, Action.APPLICATION_REVIEW)
    query = select(Application).order_by(Application.created_at, Application.id)
    if status is not None:
        query = query.where(Application.status == status)
    return list(db.session.scalars(query))


def counts(*, by: Any) -> dict[ApplicationStatus, int]:
    require(by, Action.APPLICATION_REVIEW)
    rows = db.session.execute(
        select(Application.status, func.count(Application.id)).group_by(Application.status)
    )
    found = {status: n for status, n in rows}
    return {status: found.get(status, 0) for status in ApplicationStatus}


def allowed_steps(application: Application) -> list[ApplicationStatus]:
    return [s for s in ApplicationStatus if s in TRANSITIONS[application.status]]


def add_note(application: Application, body: str, *, by: User) -> ApplicationNote:
    require(by, Action.APPLICATION_REVIEW)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise Invalid(_("Write the note before saving it."))
    if len(body) > NOTE_MAX:
        raise Invalid(_("A note may have at most %(n)d characters.", n=NOTE_MAX))
    note = ApplicationNote(application_id=application.id, author=by, body=body)
    db.session.add(note)
    db.session.commit()
    return note


def _conflict_message(application: Application) -> str:
    db.session.refresh(application)
    return _(
        "Someone else changed this application while you were looking at it: it is now "
        "“%(status)s”. Nothing was changed and no e-mail was sent; your message is kept below. "
        "Check the new state and send again if it still applies.",
        status=STATUS_LABELS[application.status],
    )


def change_status(
    application: Application,
    to: ApplicationStatus,
    *,
    message: str,
    expected_version: int | None,
    by: User,
) -> StepResult:
    """Move ``application`` to ``to`` and write to the applicant.

    Refused (nothing changes, nothing is sent) when the step is not in TRANSITIONS, when the
    page the editor acted on showed an older version, or when "more information" does not say
    what is needed. Accepting makes the country a member in the same transaction.
    """
    require(by, Action.APPLICATION_REVIEW)
    message = message.replace("\r\n", "\n").strip()
    if expected_version is None or application.version != expected_version:
        raise Conflict(_conflict_message(application))
    if to not in TRANSITIONS[application.status]:
        raise InvalidTransition(
            _(
                "An application that is “%(now)s” cannot be moved to “%(to)s”.",
                now=STATUS_LABELS[application.status],
                to=STATUS_LABELS[to],
            )
        )
    if to is S.INFO_REQUESTED and not message:
        raise Invalid(_("Say what information is needed: the message is sent to the applicant."))
    if len(message) > MESSAGE_MAX:
        raise Invalid(_("The message may have at most %(n)d characters.", n=MESSAGE_MAX))
    country = application.country
    application.events.append(
        ApplicationEvent(from_status=application.status, to_status=to, message=message, author=by)
    )
    application.status = to
    application.updated_at = utcnow()
    application.open_country_id = country.id if to in OPEN_STATUSES else None
    if to is S.UNDER_REVIEW and country.partnership_status is PartnershipStatus.NONE:
        country.partnership_status = PartnershipStatus.APPLICANT
    if to is S.DECLINED and country.partnership_status is PartnershipStatus.APPLICANT:
        country.partnership_status = PartnershipStatus.NONE
    result = StepResult(mail_sent=False)
    try:
        db.session.flush()
        plan = acceptance.make_member(application) if to is S.ACCEPTED else None
        accounts = _accounts_for(application)
        notify_many(
            accounts,
            Category.APPLICATION,
            _(
                "The expression of interest of %(country)s is now: %(status)s.",
                country=country.name,
                status=STATUS_LABELS[to],
            ),
        )
        if plan is not None:
            # The new accounts are part of this transaction: accepted with them, or not at all.
            result.invited, result.existing = acceptance.create_accounts(application, plan)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_conflict_message(application)) from None
    except IntegrityError:
        # Someone created an account with a focal point's address meanwhile: nothing was saved.
        db.session.rollback()
        raise Conflict(
            _(
                "An account with one of the focal points' addresses was created while you "
                "accepted. Nothing was changed; accept again to use that account."
            )
        ) from None
    result.mail_sent = mails.send_step(application, to, message)
    if result.invited:
        result.invitations_failed = acceptance.send_invitations(result.invited)
    return result


def _accounts_for(application: Application) -> list[User]:
    """Accounts that should hear of a step: whoever submitted it and the focal points' own."""
    emails = application.emails
    users = list(db.session.scalars(select(User).where(User.email.in_(emails), User.is_active)))
    if application.submitted_by is not None and application.submitted_by.is_active:
        users.append(application.submitted_by)
    return users


# --- priority ---


def weights() -> dict[str, float]:
    stored = {w.criterion: w.weight for w in db.session.scalars(select(PriorityWeight))}
    return {c: stored.get(c, ranking.DEFAULT_WEIGHTS[c]) for c in ranking.CRITERIA}


def weights_fingerprint(current: Mapping[str, float]) -> str:
    """What the editor saw, sent back with the form: a change in between is a conflict."""
    return ",".join(f"{c}={current[c]:g}" for c in ranking.CRITERIA)


def save_weights(values: Mapping[str, object], *, seen: str, by: User) -> dict[str, float]:
    require(by, Action.APPLICATION_REVIEW)
    try:
        new = ranking.validate_weights(values)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    if seen != weights_fingerprint(weights()):
        raise Conflict(
            _(
                "Someone else changed the weights while you were editing them; the current "
                "weights are shown. Enter your change again if it still applies."
            )
        )
    existing = {w.criterion: w for w in db.session.scalars(select(PriorityWeight))}
    for criterion, weight in new.items():
        row = existing.get(criterion) or PriorityWeight(criterion=criterion)
        row.weight = weight
        row.updated_by_id = by.id
        row.updated_at = utcnow()
        db.session.add(row)
    db.session.commit()
    return new


def priority(*, by: Any) -> list[ranking.Ranked]:
    """Open applications ranked on the Partnership's criteria with the current weights."""
    require(by, Action.APPLICATION_REVIEW)
    open_apps = db.session.scalars(
        select(Application).where(Application.status.in_(OPEN_STATUSES))
    ).all()
    partners = db.session.execute(
        select(Country.region, Country.sub_region).where(
            Country.partnership_status.in_((PartnershipStatus.PILOT, PartnershipStatus.MEMBER))
        )
    ).all()
    groups: dict[str, set] = {}
    isos = [a.country.iso3 for a in open_apps]
    for row in db.session.scalars(
        select(CountryGroupMembership).where(CountryGroupMembership.iso3.in_(isos))
    ):
        groups.setdefault(row.iso3, set()).add(row.group)
    candidates = [
        ranking.Candidate(
            key=a.id,
            name=a.country.name,
            region=a.country.region,
            sub_region=a.country.sub_region,
            groups=frozenset(groups.get(a.country.iso3, set())),
            initiatives=ranking.count_initiatives(a.initiatives),
            commitment=a.commitment,
            submitted_at=a.created_at,
        )
        for a in open_apps
    ]
    return ranking.rank(candidates, [(r, s) for r, s in partners], weights())
