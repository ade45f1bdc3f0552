"""Notification forms: shape only; the inbox service holds the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf

from hub.notifications.inbox import DIGEST_LABELS
from hub.notifications.models import Digest


class DigestForm(FlaskForm):
    digest = RadioField(
        _l("How often should we e-mail you a summary of your unread notifications?"),
        choices=[(d.value, DIGEST_LABELS[d]) for d in Digest],
        validators=[
            AnyOf(
                [d.value for d in Digest],
                message=_l("Choose one of the options: no e-mail digest, daily or weekly."),
            )
        ],
        validate_choice=False,  # the validator above says what to do, not "Not a valid choice"
    )


class MarkForm(FlaskForm):
    """Mark one or all read; the hidden fields bring the reader back to the same view."""

    category = HiddenField()
    unread = HiddenField()
    page = HiddenField()
