"""Discussion forms: shape checks only; hub/forum/service.py holds the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from hub.forum.models import BODY_MAX, REASON_MAX, TITLE_MAX

BODY_HELP = _l("Markdown: **bold**, *italic*, [a link](https://example.org), lists with -.")


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=BODY_MAX)])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=BODY_MAX)])


class EditForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=BODY_MAX)])
    version = HiddenField()


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason for removing (kept with the post)"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
    )


class ButtonForm(FlaskForm):
    """A form with only its CSRF token: subscribe, lock, restore and the like."""
