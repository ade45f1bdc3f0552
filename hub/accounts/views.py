"""Log in and out, invitations, password reset and change, and account administration."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_required

from hub import permissions
from hub.accounts import service, sessions, tokens
from hub.accounts.forms import (
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    RoleForm,
    with_countries,
)
from hub.accounts.models import Role
from hub.http import safe_next
from hub.outcomes import attempt, run_and_flash

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            user = service.authenticate(
                form.email.data, form.password.data, ip=request.remote_addr or "-"
            )
        if outcome.ok:
            sessions.start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("workspace.dashboard"))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    service.logout(current_user._get_current_object())
    sessions.end_session()
    flash(_("You are logged out."))
    return redirect(url_for("pages.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@fresh_login_required
def change_password():  # noqa: ANN201
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with attempt() as outcome:
            service.change_password(user, form.current.data, form.password.data)
        if outcome.failed:
            return render_template("accounts/password.html", form=form), outcome.status
        sessions.start_session(user, remember=False)  # this device stays logged in
        flash(_("Your password is changed. Other devices have been logged out."))
        return redirect(url_for("workspace.dashboard"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account/reset", methods=["GET", "POST"])
def request_reset():  # noqa: ANN201
    form = ResetRequestForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data, ip=request.remote_addr or "-")
        # Same words whether or not the address has an account, or a limit kept the mail back.
        flash(_("If an account uses that address, we have sent it a link to reset the password."))
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def _set_password_page(token: str, purpose: str):  # noqa: ANN202
    template = "accounts/set_password.html"
    user = tokens.read_token(token, purpose)
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            service.set_password(user, form.password.data, reason=purpose)
        if outcome.failed:
            return render_template(template, form=form, user=user), outcome.status
        sessions.start_session(user, remember=False)
        flash(_("Your password is set. Welcome to the Hub."))
        return redirect(url_for("workspace.dashboard"))
    return render_template(template, form=form, user=user)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # noqa: ANN201
    return _set_password_page(token, tokens.RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):  # noqa: ANN201
    return _set_password_page(token, tokens.INVITE)


# --- administration ---


@bp.route("/admin/users", methods=["GET", "POST"])
@fresh_login_required
def users():  # noqa: ANN201
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    form = with_countries(InviteForm(), service.country_choices())
    status = 200
    if form.validate_on_submit():
        with attempt() as outcome:
            user = service.create_user(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                country_iso3=form.country.data or None,
                by=current_user,
            )
        if outcome.failed:
            status = outcome.status
        else:
            sent = service.send_invitation(user, by=current_user)
            flash(
                _("Invitation sent to %(email)s.", email=user.email)
                if sent
                else _("The account was created but the e-mail could not be sent; resend it.")
            )
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/users.html", form=form, people=service.people(), me=current_user.id
    ), status


def _own_account_refused(message: str):  # noqa: ANN202
    """The list offers no change to one's own row; a typed-in address gets the reason."""
    flash(message, "error")
    return redirect(url_for("accounts.users"))


@bp.get("/admin/users/<int:user_id>/role")
@fresh_login_required
def role_page(user_id: int):  # noqa: ANN201
    """Choosing the new role is the confirmation: the page says what the change will do."""
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    person = service.get_user(user_id)
    if service.is_self(person, current_user):
        return _own_account_refused(_("Another administrator must change your role."))
    form = with_countries(RoleForm(), service.country_choices())
    form.role.data = person.role.value
    form.country.data = person.country.iso3 if person.country else ""
    return render_template("accounts/role.html", form=form, person=person)


@bp.post("/admin/users/<int:user_id>/role")
@fresh_login_required
def change_role(user_id: int):  # noqa: ANN201
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    person = service.get_user(user_id)
    form = with_countries(RoleForm(), service.country_choices())
    if not form.validate_on_submit():
        flash(_("Choose a role, and a country for a focal point."), "error")
        return render_template("accounts/role.html", form=form, person=person), 400
    with attempt() as outcome:
        service.change_role(
            person, Role(form.role.data), form.country.data or None, by=current_user
        )
    if outcome.failed:
        return render_template("accounts/role.html", form=form, person=person), outcome.status
    flash(_("%(name)s's role is changed; their sessions have ended.", name=person.name))
    return redirect(url_for("accounts.users"))


@bp.get("/admin/users/<int:user_id>/disable")
@fresh_login_required
def disable_page(user_id: int):  # noqa: ANN201
    """Asks before disabling: the person is logged out everywhere and cannot log in again."""
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    person = service.get_user(user_id)
    if service.is_self(person, current_user):
        return _own_account_refused(_("You cannot disable your own account."))
    return render_template("accounts/disable.html", person=person)


@bp.post("/admin/users/<int:user_id>/active")
@fresh_login_required
def set_active(user_id: int):  # noqa: ANN201
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    active = request.form.get("active") == "1"
    person = service.get_user(user_id)
    run_and_flash(
        lambda: service.set_active(person, active, by=current_user),
        _("%(name)s's account is enabled.", name=person.name)
        if active
        else _("%(name)s's account is disabled; their sessions have ended.", name=person.name),
    )
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/invite")
@fresh_login_required
def resend_invitation(user_id: int):  # noqa: ANN201
    permissions.require(current_user, permissions.Action.USER_MANAGE)
    sent = service.send_invitation(service.get_user(user_id), by=current_user)
    flash(_("Invitation sent.") if sent else _("The e-mail could not be sent."))
    return redirect(url_for("accounts.users"))
