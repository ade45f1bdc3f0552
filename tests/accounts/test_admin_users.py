"""The administrators' accounts page: no action on one's own row, a confirmation step before a
role change or disabling, and countries by name."""

from __future__ import annotations

import re

import pytest

from hub.accounts import service
from hub.accounts.models import Role, User
from hub.errors import Invalid
from hub.extensions import db
from tests import factories
from tests.web import login, post


@pytest.fixture
def admin(app) -> User:
    return factories.user(role=Role.ADMIN, country_code=None)


@pytest.fixture
def ghana_fp(app) -> User:
    person = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    person.name = "Ama Mensah"
    db.session.commit()
    return person


def _row(html: str, email: str) -> str:
    """The table row of the person with ``email``."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)
    return next(r for r in rows if email in r)


def current(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_own_row_says_you_and_offers_no_role_change_or_disable(client, admin):
    login(client, admin)
    row = _row(client.get("/admin/users").get_data(as_text=True), admin.email)
    assert "(you)" in row
    assert "/role" not in row and "/disable" not in row and "/active" not in row


def test_other_rows_link_to_the_role_and_disable_pages(client, admin, ghana_fp):
    login(client, admin)
    row = _row(client.get("/admin/users").get_data(as_text=True), ghana_fp.email)
    assert f'href="/admin/users/{ghana_fp.id}/role"' in row
    assert f'href="/admin/users/{ghana_fp.id}/disable"' in row
    assert "(you)" not in row


def test_the_list_shows_country_names_with_their_codes(client, admin, ghana_fp):
    login(client, admin)
    row = _row(client.get("/admin/users").get_data(as_text=True), ghana_fp.email)
    assert "Focal point · Ghana (GHA)" in row


def test_the_invitation_form_offers_countries_by_name(client, admin):
    login(client, admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="GHA">Ghana (GHA)</option>' in html
    assert '<option selected value="">No country (staff roles)</option>' in html


def test_the_disable_page_asks_first_and_changes_nothing(client, admin, ghana_fp):
    login(client, admin)
    html = client.get(f"/admin/users/{ghana_fp.id}/disable").get_data(as_text=True)
    assert "Disable the account of Ama Mensah?" in html
    assert f'action="/admin/users/{ghana_fp.id}/active"' in html
    assert current(ghana_fp.id).is_active


def test_confirming_on_the_disable_page_disables_the_account(client, admin, ghana_fp):
    login(client, admin)
    url = f"/admin/users/{ghana_fp.id}"
    response = post(client, f"{url}/active", {"active": "0"}, form_url=f"{url}/disable")
    assert response.status_code == 302
    assert not current(ghana_fp.id).is_active


def test_the_role_page_shows_the_current_role_and_what_a_change_does(client, admin, ghana_fp):
    login(client, admin)
    html = client.get(f"/admin/users/{ghana_fp.id}/role").get_data(as_text=True)
    assert "Change the role of Ama Mensah" in html
    assert "Focal point · Ghana (GHA)" in html
    assert "logs Ama Mensah out everywhere" in html
    assert '<option selected value="GHA">Ghana (GHA)</option>' in html
    assert current(ghana_fp.id).role is Role.FOCAL_POINT


def test_changing_a_focal_point_to_another_country_from_the_role_page(client, admin, ghana_fp):
    login(client, admin)
    url = f"/admin/users/{ghana_fp.id}/role"
    response = post(client, url, {"role": "focal_point", "country": "KEN"})
    assert response.status_code == 302
    assert current(ghana_fp.id).country.iso3 == "KEN"


def test_a_staff_role_with_a_country_is_refused_on_the_role_page_keeping_the_choice(
    client, admin, ghana_fp
):
    login(client, admin)
    url = f"/admin/users/{ghana_fp.id}/role"
    response = post(client, url, {"role": "editor", "country": "GHA"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "leave the country empty for a Secretariat editor" in html
    assert '<option selected value="editor">' in html
    assert current(ghana_fp.id).role is Role.FOCAL_POINT


def test_an_unknown_role_gives_the_role_page_again_with_a_message(client, admin, ghana_fp):
    login(client, admin)
    url = f"/admin/users/{ghana_fp.id}/role"
    response = post(client, url, {"role": "emperor", "country": ""})
    assert response.status_code == 400
    assert "Choose a role" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "page, reason",
    [
        ("role", "Another administrator must change your role."),
        ("disable", "You cannot disable your own account."),
    ],
)
def test_own_confirmation_pages_send_back_to_the_list_with_the_reason(client, admin, page, reason):
    login(client, admin)
    response = client.get(f"/admin/users/{admin.id}/{page}", follow_redirects=True)
    assert response.request.path == "/admin/users"
    assert reason in response.get_data(as_text=True)


def test_the_server_still_refuses_to_disable_ones_own_account(client, admin):
    login(client, admin)
    post(client, f"/admin/users/{admin.id}/active", {"active": "0"}, form_url="/admin/users")
    assert current(admin.id).is_active


def test_the_server_still_refuses_to_remove_ones_own_admin_role(client, admin):
    login(client, admin)
    url = f"/admin/users/{admin.id}/role"
    post(client, url, {"role": "editor", "country": ""}, form_url="/admin/users")
    assert current(admin.id).role is Role.ADMIN


def test_confirmation_pages_of_a_missing_account_are_not_found(client, admin):
    login(client, admin)
    assert client.get("/admin/users/999999/role").status_code == 404
    assert client.get("/admin/users/999999/disable").status_code == 404


# --- the rule, without a request ---


def test_service_refuses_a_country_for_a_staff_role(app, admin):
    with pytest.raises(Invalid, match="Only focal points belong to a country"):
        service.create_user(
            email="staff@example.org", name="Staff", role=Role.EDITOR, country_iso3="GHA", by=admin
        )


def test_service_refuses_a_focal_point_without_a_country(app, admin):
    with pytest.raises(Invalid, match="A focal point needs a country"):
        service.create_user(
            email="fp@example.org", name="FP", role=Role.FOCAL_POINT, country_iso3=None, by=admin
        )


def test_country_choices_are_names_with_codes_in_name_order(app):
    codes = [code for code, _label in service.country_choices()]
    assert ("GHA", "Ghana (GHA)") in service.country_choices()
    assert codes.index("DEU") < codes.index("GHA") < codes.index("KEN")  # Germany, Ghana, Kenya
