"""The Secretariat's form for the reporting period: shape checks only (the service decides)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from hub.reporting.service import MAX_MONTHS


class ScheduleForm(FlaskForm):
    months = IntegerField(
        _l("Length of a period, in months (12 for yearly)"),
        default=12,
        validators=[InputRequired(), NumberRange(1, MAX_MONTHS)],
    )
    starts_on = DateField(
        _l("First day of the first period (YYYY-MM-DD)"), validators=[InputRequired()]
    )
    note = StringField(_l("Note for the history (optional)"), validators=[Length(max=500)])
