"""Account forms: shape only (the rules live in the service)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from hub.accounts.models import Role

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


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    country = StringField(
        _l("Country (ISO alpha-3, focal points only)"), validators=[Optional(), Length(3, 3)]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    country = StringField(_l("Country (ISO alpha-3)"), validators=[Optional(), Length(3, 3)])
