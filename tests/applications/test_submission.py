"""The public expression-of-interest form: what it accepts, what it refuses, and what it keeps."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from hub import ratelimit
from hub.accounts.models import Role
from hub.applications import antispam
from hub.applications.models import Application, ApplicationStatus
from hub.countries.models import PartnershipStatus
from hub.extensions import db
from tests import factories
from tests.applications.conftest import form_data, make_application, old_token
from tests.web import login, post

URL = "/applications/apply"


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Application.id)))


def test_the_public_form_states_the_limit_and_the_consent_rule(client):
    html = client.get(URL).data.decode()
    assert "at most 12000 characters" in html
    assert "never published" in html
    assert 'name="leave_empty"' in html and 'name="form_time"' in html
    assert 'src="/static/applications.js"' in html and "<script>" not in html
    # consent is unticked by default
    assert 'id="consent_official" name="consent_official" type="checkbox" value="y">' in html


def test_a_public_expression_of_interest_is_recorded_receipted_and_confirmed(client, mail):
    response = post(client, URL, form_data(), form_url=URL)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/applications/submitted")
    application = db.session.scalar(select(Application))
    assert application.country.iso3 == "MWI"
    assert application.status is ApplicationStatus.RECEIVED
    assert application.engagement_levels == ["align", "capacity_building"]
    assert [fp.email for fp in application.focal_points] == ["chikondi@example.org"]
    assert application.consent_official and application.consent_description
    page = client.get("/applications/submitted").data.decode()
    assert application.reference in page and "chikondi@example.org" in page
    message = mail.wait_for(1)[0]
    assert message["To"] == "chikondi@example.org"
    assert application.reference in message["Subject"]
    body = message.get_content()
    assert "Malawi" in body and "Amina Banda" in body and "may be published" in body


def test_the_confirmation_page_shows_nothing_of_other_peoples_applications(app, client):
    make_application("MWI")
    page = app.test_client().get("/applications/submitted").data.decode()
    assert "EOI-" not in page and "chikondi" not in page


def test_a_logged_in_focal_point_finds_their_country_chosen(client):
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="KEN"))
    html = client.get(URL).data.decode()
    assert '<option selected value="KEN">' in html


def test_a_focal_point_may_send_the_form_and_is_recorded_as_sender(client):
    user = factories.user(role=Role.FOCAL_POINT, country_code="KEN")
    login(client, user)
    response = post(client, URL, form_data("KEN"), form_url=URL)
    assert response.status_code == 303
    assert db.session.scalar(select(Application)).submitted_by_id == user.id


def test_add_another_focal_point_without_javascript_keeps_everything(client):
    data = form_data(add_focal_point="Add another focal point", official_name="Kept Name")
    response = post(client, URL, data, form_url=URL)
    html = response.data.decode()
    assert response.status_code == 200
    assert 'name="focal_points-1-name"' in html
    assert 'value="Kept Name"' in html and 'value="chikondi@example.org"' in html
    assert "A national STI policy (2024)" in html
    assert _count() == 0


def test_two_focal_points_are_kept_in_order_and_blank_rows_dropped(client):
    data = form_data(
        **{
            "focal_points-1-name": "Second Person",
            "focal_points-1-email": "second@example.org",
            "focal_points-2-name": "",
            "focal_points-2-email": "",
        }
    )
    assert post(client, URL, data, form_url=URL).status_code == 303
    application = db.session.scalar(select(Application))
    assert [fp.name for fp in application.focal_points] == ["Chikondi Phiri", "Second Person"]


def test_validation_messages_keep_the_input(client):
    data = form_data(official_name="", engagement_levels=None, **{"focal_points-0-email": "nope"})
    response = post(client, URL, data, form_url=URL)
    html = response.data.decode()
    assert response.status_code == 400
    assert "Some answers need attention" in html
    assert "Choose at least one level of engagement." in html
    assert "Invalid email address." in html or "Invalid e-mail" in html
    assert 'value="Permanent Secretary"' in html and 'value="nope"' in html
    assert "A national STI policy (2024)" in html
    assert _count() == 0


def test_a_focal_point_row_needs_a_name_and_an_address(client):
    blank = {f"focal_points-0-{f}": "" for f in ("name", "title", "institution", "email", "phone")}
    html = post(client, URL, form_data(**blank), form_url=URL).data.decode()
    assert "Name at least one focal point." in html
    data = form_data(**{"focal_points-0-email": ""})
    html = post(client, URL, data, form_url=URL).data.decode()
    assert "Give the focal point&#39;s e-mail address." in html
    assert _count() == 0


def test_a_description_over_the_limit_is_refused_with_its_length_and_kept(client):
    long = "x" * 12_001
    response = post(client, URL, form_data(description=long), form_url=URL)
    html = response.data.decode()
    assert response.status_code == 400
    assert "at most 12000 characters" in html and "please shorten it" in html
    assert long in html
    assert _count() == 0


def test_one_open_application_per_country(client, mail):
    make_application("MWI")
    response = post(client, URL, form_data("MWI", official_name="Second Try"), form_url=URL)
    html = response.data.decode()
    assert response.status_code == 409
    assert "Malawi already has an open expression of interest" in html
    assert 'value="Second Try"' in html
    assert _count() == 1


def test_a_waitlisted_application_is_still_open_but_a_declined_one_is_not(client):
    make_application("MWI", status=ApplicationStatus.WAITLISTED)
    assert post(client, URL, form_data("MWI"), form_url=URL).status_code == 409
    make_application("FJI", status=ApplicationStatus.DECLINED)
    assert post(client, URL, form_data("FJI"), form_url=URL).status_code == 303


def test_a_pilot_or_member_country_is_told_it_need_not_apply(client):
    factories.country("GHA").partnership_status = PartnershipStatus.PILOT
    factories.country("FJI").partnership_status = PartnershipStatus.MEMBER
    db.session.commit()
    html = post(client, URL, form_data("GHA"), form_url=URL).data.decode()
    assert "Ghana is already a pilot country of the Partnership" in html
    html = post(client, URL, form_data("FJI"), form_url=URL).data.decode()
    assert "Fiji is already a member country of the Partnership" in html
    assert _count() == 0


def test_honeypot_filled_is_refused_and_nothing_recorded(client):
    response = post(client, URL, form_data(leave_empty="http://spam.example"), form_url=URL)
    assert response.status_code == 400
    assert "leave this empty" in response.data.decode()
    assert _count() == 0


def test_a_form_sent_back_too_fast_is_refused_with_the_input_kept(client):
    response = post(client, URL, form_data(form_time=old_token(1)), form_url=URL)
    html = response.data.decode()
    assert response.status_code == 400
    assert "faster than a person can fill it in" in html
    assert 'value="Amina Banda"' in html
    assert _count() == 0


def test_a_forged_or_stale_form_token_is_refused(client):
    for token in ("forged", old_token(3 * 24 * 3600)):
        response = post(client, URL, form_data(form_time=token), form_url=URL)
        assert response.status_code == 400
    assert _count() == 0


def test_rate_limit_per_address_is_counted_in_the_database(client):
    for _ in range(5):
        ratelimit.record(antispam.SUBMISSIONS, ratelimit.key_of("127.0.0.1"))
    db.session.commit()
    response = post(client, URL, form_data(), form_url=URL)
    assert response.status_code == 429
    assert "Too many expressions of interest" in response.data.decode()
    assert _count() == 0
    other = client.post(
        URL,
        data={**form_data("FJI"), "csrf_token": _token(client)},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 303


def _token(client) -> str:
    from tests.web import csrf_token

    return csrf_token(client, URL)


def test_each_accepted_submission_counts_against_the_limit(client):
    for n, country in enumerate(("MWI", "FJI", "NPL", "BOL", "TUV")):
        assert post(client, URL, form_data(country), form_url=URL).status_code == 303, n
    assert post(client, URL, form_data("HTI"), form_url=URL).status_code == 429


def test_a_good_pdf_is_stored_and_only_the_secretariat_downloads_it(app, client):
    pdf = factories.pdf_bytes("Our national STI policy")
    data = form_data(pdf=(io.BytesIO(pdf), "policy.pdf"))
    assert post(client, URL, data, form_url=URL).status_code == 303
    application = db.session.scalar(select(Application))
    assert application.pdf_filename == "policy.pdf" and application.pdf_size == len(pdf)
    pdf_url = f"/applications/review/{application.id}/pdf"
    assert app.test_client().get(pdf_url).status_code == 302  # to the login page
    focal = app.test_client()
    login(focal, factories.user(role=Role.FOCAL_POINT, country_code="GHA"))
    assert focal.get(pdf_url).status_code == 403
    staff = app.test_client()
    login(staff, factories.user(role=Role.EDITOR, country_code=None))
    response = staff.get(pdf_url)
    assert response.status_code == 200 and response.data == pdf


def test_a_file_that_is_not_a_pdf_is_refused_and_the_rest_kept(client):
    data = form_data(pdf=(io.BytesIO(b"GIF89a not a pdf"), "photo.pdf"))
    response = post(client, URL, data, form_url=URL)
    html = response.data.decode()
    assert response.status_code == 400
    assert "“photo.pdf” is not a PDF file" in html
    assert 'value="Amina Banda"' in html
    assert _count() == 0


def test_a_broken_pdf_is_refused_with_a_clear_message(client):
    broken = b"%PDF-1.7\n" + b"\x00garbage that no reader can open\n" * 20
    data = form_data(pdf=(io.BytesIO(broken), "broken.pdf"))
    response = post(client, URL, data, form_url=URL)
    html = response.data.decode()
    assert response.status_code == 400
    assert "“broken.pdf” could not be opened" in html
    assert _count() == 0


def test_a_good_pdf_survives_another_fields_error(client):
    pdf = factories.pdf_bytes("Kept across attempts")
    data = form_data(official_name="", pdf=(io.BytesIO(pdf), "kept.pdf"))
    html = post(client, URL, data, form_url=URL).data.decode()
    assert "Attached: kept.pdf" in html
    kept = html.split('name="kept_pdf" type="hidden" value="')[1].split('"')[0]
    assert kept
    response = post(client, URL, form_data(kept_pdf=kept), form_url=URL)
    assert response.status_code == 303
    assert db.session.scalar(select(Application)).pdf_filename == "kept.pdf"


def test_a_forged_kept_pdf_token_is_ignored(client):
    assert post(client, URL, form_data(kept_pdf="forged"), form_url=URL).status_code == 303
    assert db.session.scalar(select(Application)).pdf_filename is None


def test_when_the_receipt_cannot_be_sent_the_application_is_kept_and_the_page_says_so(client, mail):
    mail.refuse.add("chikondi@example.org")
    response = post(client, URL, form_data(), form_url=URL, follow_redirects=True)
    html = response.data.decode()
    assert response.status_code == 200
    assert "The receipt e-mail could not be sent" in html and "EOI-00001" in html
    assert _count() == 1


def test_the_receipt_goes_to_each_address_once(client, mail):
    data = form_data(**{"focal_points-1-name": "Same Person Again",
                        "focal_points-1-email": "CHIKONDI@example.org"})  # fmt: skip
    assert post(client, URL, data, form_url=URL).status_code == 303
    assert mail.wait_for(1)[0]["To"] == "chikondi@example.org"
    assert mail.envelopes[0][1] == ["chikondi@example.org"]


def test_the_limit_counts_a_line_break_as_one_character_as_the_live_count_does(client):
    text = ("y" * 99 + "\r\n") * 119 + "z" * 100  # 11,900 + 100 characters with \n line breaks
    assert len(text.replace("\r\n", "\n")) == 12_000
    assert post(client, URL, form_data(description=text), form_url=URL).status_code == 303


def test_pdfs_stored_from_one_address_are_limited_too(client):
    for _ in range(20):
        ratelimit.record(antispam.UPLOADS, ratelimit.key_of("127.0.0.1"))
    db.session.commit()
    pdf = factories.pdf_bytes("One too many")
    data = form_data(pdf=(io.BytesIO(pdf), "policy.pdf"))
    html = post(client, URL, data, form_url=URL).data.decode()
    assert "Too many files were sent from your network" in html
    assert 'value="Amina Banda"' in html
    assert _count() == 0
    # the form itself still goes through without the file
    assert post(client, URL, form_data(), form_url=URL).status_code == 303
