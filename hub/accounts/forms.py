"""Account forms: shape only (the rules live in the service)."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from hub.accounts.models import Role

F = TypeVar("F", bound=FlaskForm)

ROLE_CHOICES = [
    (Role.FOCAL_POINT.value, _l("Focal point (one country)")),
    (Role.EDITOR.value, _l("Secretariat editor")),
    (Role.ADMIN.value, _l("Administrator")),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password (at least 12 characters)"), validators=[DataRequired(), Length(max=256)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


COUNTRY_HELP = _l("Focal points only. Secretariat editors and administrators have no country.")


def _country_field(label: object) -> SelectField:
    """Choices are the countries in the database; the view fills them (see service)."""
    return SelectField(label, choices=[], default="", description=COUNTRY_HELP)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    country = _country_field(_l("Country"))


class RoleForm(FlaskForm):
    role = SelectField(_l("New role"), choices=ROLE_CHOICES)
    country = _country_field(_l("Country"))


def with_countries(form: F, choices: list[tuple[str, str]]) -> F:
    """Offer "no country" and then every country, named (with its code) rather than coded."""
    form.country.choices = [("", str(_l("No country (staff roles)"))), *choices]
    return form
