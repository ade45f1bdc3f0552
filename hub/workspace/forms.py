"""The document editor form: shape checks only; the editing service holds the rules."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hub.documents.editing import DocumentInput
from hub.documents.models import Area, Document, Visibility
from hub.sdg.models import SdgGoal
from hub.templating import AREA_LABELS

LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ru", "Русский"),
             ("ar", "العربية"), ("zh", "中文"), ("uk", "Українська"), ("sw", "Kiswahili"),
             ("pt", "Português")]  # fmt: skip
TARGET_RE = re.compile(r"^\d{1,2}\.(\d{1,2}|[a-z])$")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


VISIBILITY_CHOICES = [
    ("public", _l("Everyone (the public)")),
    ("members", _l("Members of the Partnership only (logged in)")),
]


def goal_choices(goals: list[SdgGoal], lang: str) -> list[tuple[str, str]]:
    """Each goal by number and short title, in the reader's language where it is loaded."""
    return [
        (str(g.number), _("SDG %(n)d · %(title)s", n=g.number, title=g.short_title(lang)))
        for g in goals
    ]


def topic_groups(field: SelectMultipleField, tree: list[Document]) -> list[tuple[str, list]]:
    """The topic check boxes grouped under each top-level part of the guidebook, in reading
    order: (part title, [(option, depth), ...]). ``tree`` is the guidebook in reading order with
    ``depth`` set, limited to the sections offered."""
    options = {option.data: option for option in field}
    groups: list[tuple[str, list]] = []
    for section in tree:
        if section.depth == 0:  # type: ignore[attr-defined]
            groups.append((section.title, []))
        if groups and section.slug in options:
            groups[-1][1].append((options[section.slug], section.depth))  # type: ignore[attr-defined]
    return [group for group in groups if group[1]]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary (plain text)"), validators=[Length(max=1000)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=200_000)])
    language = SelectField(_l("Language of the text"), choices=LANGUAGES, default="en")
    country = StringField(
        _l("Country (ISO alpha-3; Secretariat only)"), validators=[Optional(), Length(3, 3)]
    )
    # Choices are the goals of the reference data with their titles, set by the view.
    goals = MultiCheckboxField(
        _l("Sustainable Development Goals"), choices=[(str(n), str(n)) for n in range(1, 18)]
    )
    targets = StringField(_l("SDG targets, separated by commas (e.g. 9.5, 17.6)"))
    areas = MultiCheckboxField(
        _l("Areas of work"), choices=[(a.value, AREA_LABELS[a]) for a in Area]
    )
    tags = StringField(_l("Tags, separated by commas"), validators=[Length(max=1000)])
    # Choices are the sections the editor may read, set by the view; none for a section.
    topics = MultiCheckboxField(_l("Guidebook sections this illustrates"), choices=[])
    visibility = RadioField(
        _l("Who may read it once published"), choices=VISIBILITY_CHOICES, default="public"
    )
    parent = SelectField(_l("Parent section"), choices=[("", "—")], default="")
    position = IntegerField(
        _l("Position among its siblings"), default=0, validators=[Optional(), NumberRange(0, 999)]
    )
    note = StringField(_l("Change note"), validators=[Length(max=500)])
    version = HiddenField()

    def validate_targets(self, field: StringField) -> None:
        for code in _split(field.data):
            if not TARGET_RE.match(code.lower()):
                # A plain str: a lazy string counts as markup in Jinja (it has __html__), and
                # this message repeats what the user typed.
                raise ValidationError(_("“%(code)s” is not an SDG target code.", code=code))

    def to_input(self) -> DocumentInput:
        return DocumentInput(
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=(self.body.data or "").replace("\r\n", "\n"),
            language=self.language.data,
            country=(self.country.data or "").upper() or None,
            goals=[int(g) for g in self.goals.data or []],
            targets=[t.lower() for t in _split(self.targets.data)],
            areas=[Area(a) for a in self.areas.data or []],
            tags=[" ".join(t.lower().split())[:80] for t in _split(self.tags.data)],
            visibility=Visibility(self.visibility.data or "public"),
            parent_slug=self.parent.data or None,
            position=self.position.data or 0,
            topics=list(self.topics.data or []),
        )


class TransitionForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the author"), validators=[Length(max=5000)])
    # Publishing puts the text in front of readers at once: the page asks the reviewer to
    # confirm, and the step view refuses a publish without it.
    confirm = BooleanField(
        _l(
            "I have checked the text, the attachments and the details listed above, and they can "
            "be published."
        )
    )


class UploadForm(FlaskForm):
    file = FileField(_l("PDF file"))
