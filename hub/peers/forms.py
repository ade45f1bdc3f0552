"""Forms of peer learning: shape checks only; the services hold the rules."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hub.documents.models import Area
from hub.peers.brokering import MAX_NOTE, MAX_OUTCOME
from hub.peers.editing import MAX_DESCRIPTION, MAX_TITLE, ItemInput
from hub.peers.models import MatchStatus
from hub.workspace.forms import MultiCheckboxField

AREA_LABELS = {
    Area.CAPABILITIES: _l("National STI capabilities"),
    Area.KNOWLEDGE_FLOWS: _l("International knowledge and technology flows"),
    Area.COLLABORATION: _l("Brokering international STI collaboration"),
}
MATCH_STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("Proposed"),
    MatchStatus.IN_PROGRESS: _l("In progress"),
    MatchStatus.COMPLETED: _l("Completed"),
    MatchStatus.DECLINED: _l("Declined"),
}


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Length(max=MAX_DESCRIPTION)]
    )
    country = StringField(
        _l("Country (ISO alpha-3; Secretariat only)"), validators=[Optional(), Length(3, 3)]
    )
    goals = MultiCheckboxField(
        _l("Sustainable Development Goals"), choices=[(str(n), str(n)) for n in range(1, 18)]
    )
    areas = MultiCheckboxField(
        _l("Areas of work"), choices=[(a.value, label) for a, label in AREA_LABELS.items()]
    )
    topics = MultiCheckboxField(_l("Guidebook topics"), choices=[])
    version = HiddenField()

    def to_input(self) -> ItemInput:
        return ItemInput(
            title=self.title.data or "",
            description=(self.description.data or "").replace("\r\n", "\n"),
            goals=[int(g) for g in self.goals.data or []],
            areas=[Area(a) for a in self.areas.data or []],
            topics=[int(t) for t in self.topics.data or []],
        )


class VersionForm(FlaskForm):
    """Close, withdraw or reopen: only the version the page showed."""

    version = HiddenField()


class MatchForm(FlaskForm):
    need = SelectField(_l("Need"), choices=[], validators=[DataRequired()])
    offer = SelectField(_l("Offer"), choices=[], validators=[DataRequired()])
    matched_on = DateField(_l("Date of the match"), default=date.today, validators=[DataRequired()])
    status = SelectField(
        _l("Status"),
        choices=[(s.value, label) for s, label in MATCH_STATUS_LABELS.items()],
        default=MatchStatus.PROPOSED.value,
    )
    outcome = TextAreaField(_l("Outcome (Markdown)"), validators=[Length(max=MAX_OUTCOME)])
    note = StringField(_l("Note for the history"), validators=[Length(max=MAX_NOTE)])


class MatchUpdateForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=[(s.value, label) for s, label in MATCH_STATUS_LABELS.items()]
    )
    outcome = TextAreaField(_l("Outcome (Markdown)"), validators=[Length(max=MAX_OUTCOME)])
    note = StringField(_l("Note for the history"), validators=[Length(max=MAX_NOTE)])
    version = HiddenField()
