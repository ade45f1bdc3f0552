"""Forms of the expression of interest and of the review: shape checks only; the rules are in
``submission`` and ``review``."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hub.applications.models import ApplicationStatus, Commitment
from hub.applications.ranking import COMMITMENT_LABELS
from hub.applications.submission import (
    DESCRIPTION_MAX,
    INITIATIVES_MAX,
    MAX_FOCAL_POINTS,
    ApplicationInput,
    FocalPointInput,
)
from hub.countries.models import Engagement

ENGAGEMENT_LABELS = {
    Engagement.ALIGN: _l("Align our national roadmap with the principles of the Partnership"),
    Engagement.SHOWCASE: _l("Showcase our experience and support other countries"),
    Engagement.CAPACITY_BUILDING: _l("Join capacity building, such as the Global Pilot Programme"),
}
COMMITMENT_CHOICES = [
    (c.value, COMMITMENT_LABELS[c])
    for c in (
        Commitment.HEAD_OF_GOVERNMENT,
        Commitment.MINISTER,
        Commitment.SENIOR_OFFICIAL,
        Commitment.NONE,
    )
]


def _unix_newlines(text: str | None) -> str | None:
    """Browsers send CRLF; the live count (and the limit) count one character per line break."""
    return text.replace("\r\n", "\n") if text else text


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FocalPointForm(Form):
    """One focal point. Rows left wholly blank are dropped, so a spare row does no harm; the
    required fields are checked in ``ApplicationForm.validate``."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    title = StringField(_l("Title or position"), validators=[Length(max=200)])
    institution = StringField(_l("Institution"), validators=[Length(max=300)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Telephone (with country code)"), validators=[Length(max=60)])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in self)


class ApplicationForm(FlaskForm):
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    official_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    official_title = StringField(
        _l("Title or position"), validators=[DataRequired(), Length(max=200)]
    )
    official_institution = StringField(
        _l("Institution"), validators=[DataRequired(), Length(max=300)]
    )
    focal_points = FieldList(FormField(FocalPointForm), min_entries=1, max_entries=MAX_FOCAL_POINTS)
    add_focal_point = SubmitField(_l("Add another focal point"))
    description = TextAreaField(
        _l("Existing policy frameworks and priority areas (Markdown)"),
        filters=[_unix_newlines],
        validators=[
            DataRequired(_l("Describe your existing policy frameworks and priority areas.")),
            Length(
                max=DESCRIPTION_MAX,
                message=_l(
                    "The description may have at most %(max)d characters (about two pages); "
                    "please shorten it.",
                    max=DESCRIPTION_MAX,
                ),
            ),
        ],
    )
    initiatives = TextAreaField(
        _l("Existing STI or SDG initiatives, one per line"),
        filters=[_unix_newlines],
        validators=[Length(max=INITIATIVES_MAX)],
    )
    commitment = RadioField(
        _l("High-level political commitment"),
        choices=COMMITMENT_CHOICES,
        validators=[DataRequired(_l("Say who has endorsed the application."))],
    )
    engagement_levels = MultiCheckboxField(
        _l("Levels of engagement"),
        choices=[(e.value, ENGAGEMENT_LABELS[e]) for e in Engagement],
    )
    pdf = FileField(_l("Supporting PDF (optional)"))
    kept_pdf = HiddenField()
    consent_official = BooleanField(
        _l("The senior official's name, title and institution may be published")
    )
    consent_focal_points = BooleanField(
        _l("The focal points' names and contact details may be shown to members of the Partnership")
    )
    consent_description = BooleanField(
        _l("The description of policy frameworks and priority areas may be published")
    )
    # Anti-spam: a field people never see, and the signed time the form was served.
    leave_empty = StringField(_l("Leave this field empty"))
    form_time = HiddenField()
    send = SubmitField(_l("Send the expression of interest"))

    def validate_engagement_levels(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_("Choose at least one level of engagement."))

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        filled = [entry.form for entry in self.focal_points if not entry.form.is_blank()]
        if not filled:
            first = self.focal_points[0].form
            first.name.errors = [*first.name.errors, _("Name at least one focal point.")]
            return False
        for sub in filled:
            if not (sub.name.data or "").strip():
                sub.name.errors = [*sub.name.errors, _("Give the focal point's name.")]
                ok = False
            if not (sub.email.data or "").strip():
                sub.email.errors = [*sub.email.errors, _("Give the focal point's e-mail address.")]
                ok = False
        return ok

    def to_input(self) -> ApplicationInput:
        return ApplicationInput(
            country_iso3=self.country.data or "",
            official_name=self.official_name.data or "",
            official_title=self.official_title.data or "",
            official_institution=self.official_institution.data or "",
            focal_points=[
                FocalPointInput(
                    name=e.form.name.data or "",
                    title=e.form.title.data or "",
                    institution=e.form.institution.data or "",
                    email=e.form.email.data or "",
                    phone=e.form.phone.data or "",
                )
                for e in self.focal_points
                if not e.form.is_blank()
            ],
            description=self.description.data or "",
            initiatives=self.initiatives.data or "",
            commitment=Commitment(self.commitment.data),
            engagement_levels=list(self.engagement_levels.data or []),
            consent_official=bool(self.consent_official.data),
            consent_focal_points=bool(self.consent_focal_points.data),
            consent_description=bool(self.consent_description.data),
        )


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=5000)])


class StatusForm(FlaskForm):
    to = SelectField(_l("New status"), choices=[(s.value, s.value) for s in ApplicationStatus])
    message = TextAreaField(_l("Message to the applicant"), validators=[Length(max=5000)])
    version = HiddenField()


class WeightsForm(FlaskForm):
    seen = HiddenField()
