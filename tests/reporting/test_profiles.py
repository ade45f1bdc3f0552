"""Country profiles: what each viewer sees, who edits priorities and SDGs, concurrent edits."""

from __future__ import annotations

import re

import pytest

from hub.accounts.models import Role
from hub.countries import profiles
from hub.countries import service as countries
from hub.countries.models import PartnershipStatus
from hub.errors import Conflict, NotAllowed
from hub.extensions import db
from tests import factories
from tests.reporting.helpers import partner, with_contacts
from tests.web import login, post

SECRETS = ("official-gha@gov.example", "focal-gha@gov.example", "Focal Person gha",
           "+1 555 0100", "+1 555 0199")  # fmt: skip


@pytest.fixture
def ghana(app):
    return with_contacts(partner("GHA", PartnershipStatus.PILOT, co_chair=True))


def test_public_sees_status_engagement_official_and_priorities(client, ghana):
    html = client.get("/countries/gha").get_data(as_text=True)
    assert "Pilot country" in html and "co-chair of the Partnership" in html
    assert "Showcases its experience and supports other countries" in html
    assert "Aligns with the principles" in html
    assert "Official of gha" in html and "Minister" in html and "Ministry of Science" in html
    assert "<strong>first</strong> priority" in html


def test_public_html_holds_no_focal_point_nor_any_email_or_phone(client, ghana):
    html = client.get("/countries/gha").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in html, secret
    assert "mailto:" not in html
    assert "shown to members of the Partnership who are logged in" in html


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.EDITOR])
def test_logged_in_members_see_focal_points_and_contact_details(app, client, ghana, role):
    login(client, factories.user(role=role, country_code="SRB"))
    html = client.get("/countries/gha").get_data(as_text=True)
    for secret in SECRETS:
        assert secret in html, secret
    assert 'href="mailto:focal-gha@gov.example"' in html


def test_profile_service_gives_the_public_no_contact_details(app, ghana):
    from datetime import date

    profile = profiles.profile_for(ghana, None, today=date(2026, 1, 1))
    assert profile.focal_points == []
    assert [(c.name, c.email, c.phone) for c in profile.officials] == [("Official of gha", "", "")]


def test_deactivated_account_is_treated_as_the_public(app, client, ghana):
    person = factories.user(country_code="GHA")
    login(client, person)
    person.is_active = False
    db.session.commit()
    html = client.get("/countries/gha").get_data(as_text=True)
    assert "focal-gha@gov.example" not in html


def test_profile_shows_sdgs_of_focus_and_reporting_status(client, ghana):
    ghana.focus_goals = [factories_goal(9), factories_goal(17)]
    db.session.commit()
    html = client.get("/countries/gha").get_data(as_text=True)
    assert "SDGs of focus" in html and 'href="/sdgs/9"' in html and 'href="/sdgs/17"' in html
    assert "<dt>Reporting</dt>" in html and "No reporting period yet" in html


def factories_goal(number: int):
    from hub.sdg.models import SdgGoal

    return db.session.get(SdgGoal, number)


def test_profile_lists_offers_and_needs_from_peer_learning(client, ghana):
    from hub.peers.models import ItemKind, ItemStatus, OfferNeed

    html = client.get("/countries/gha").get_data(as_text=True)
    assert 'id="peer-h"' in html and "No offers yet." in html and "No needs yet." in html
    db.session.add_all([
        OfferNeed(kind=ItemKind.OFFER, country_id=ghana.id, title="Our foresight method"),
        OfferNeed(kind=ItemKind.NEED, country_id=ghana.id, title="Help with STI indicators"),
        OfferNeed(kind=ItemKind.NEED, country_id=ghana.id, title="Withdrawn wish",
                  status=ItemStatus.WITHDRAWN),
    ])  # fmt: skip
    db.session.commit()
    html = client.get("/countries/gha").get_data(as_text=True)
    offers, needs = html.split("What Ghana offers")[1].split("What Ghana wants to learn")
    assert "Our foresight method" in offers and "Help with STI indicators" in needs
    assert "Withdrawn wish" not in html  # peer learning's own visibility rule


def test_non_member_country_page_has_no_member_sections(client, app):
    html = client.get("/countries/nor").get_data(as_text=True)
    assert "Not a member" in html
    assert 'id="peer-h"' not in html and "<dt>Reporting</dt>" not in html


# --- editing ---


def _form(client, url):
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]*)"', html)
    return html, token.group(1)


def test_focal_point_edits_own_country_priorities_and_sdgs(app, client, ghana):
    login(client, factories.user(country_code="GHA"))
    html, token = _form(client, "/countries/gha/profile")
    assert "digital public infrastructure" in html
    response = post(client, "/countries/gha/profile",
                    {"priorities": "New **focus**: green hydrogen.", "goals": ["7", "13"],
                     "token": token, "save": "1"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/countries/gha"
    db.session.expire_all()
    assert ghana.priorities == "New **focus**: green hydrogen."
    assert [g.number for g in ghana.focus_goals] == [7, 13]
    page = client.get("/countries/gha").get_data(as_text=True)
    assert "Profile saved." in page and "<strong>focus</strong>" in page
    with open(app.config["AUDIT_LOG"], encoding="utf-8") as fh:
        assert f'"object": "country:{ghana.id}"' in fh.read()


def test_focal_point_cannot_edit_another_country(app, client, ghana):
    partner("SRB", co_chair=True)
    login(client, factories.user(country_code="GHA"))
    assert client.get("/countries/srb/profile").status_code == 403
    token = countries.profile_token(factories.country("SRB"))
    response = post(client, "/countries/srb/profile",
                    {"priorities": "Hijack", "goals": [], "token": token},
                    form_url="/countries/gha/profile")  # fmt: skip
    assert response.status_code == 403
    db.session.expire_all()
    assert factories.country("SRB").priorities == ""


def test_public_is_sent_to_log_in_and_no_edit_link_is_shown(client, ghana):
    response = client.get("/countries/gha/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Edit priorities" not in client.get("/countries/gha").get_data(as_text=True)


def test_staff_edit_any_country_and_see_the_edit_link(app, client, ghana):
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    assert "Edit priorities and SDGs of focus" in client.get("/countries/gha").get_data(
        as_text=True
    )
    _, token = _form(client, "/countries/gha/profile")
    post(client, "/countries/gha/profile", {"priorities": "By staff", "token": token})
    db.session.expire_all()
    assert ghana.priorities == "By staff" and ghana.focus_goals == []


def test_preview_renders_without_saving(app, client, ghana):
    login(client, factories.user(country_code="GHA"))
    _, token = _form(client, "/countries/gha/profile")
    response = post(client, "/countries/gha/profile",
                    {"priorities": "Draft <script>alert(1)</script> *idea*", "token": token,
                     "preview": "1"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<em>idea</em>" in html
    assert "<script>alert(1)</script>" not in html
    db.session.expire_all()
    assert "digital public infrastructure" in ghana.priorities


def test_second_editor_gets_a_conflict_with_their_text_kept(app, ghana):
    first, second = app.test_client(), app.test_client()
    login(first, factories.user(country_code="GHA"))
    login(second, factories.user(role=Role.EDITOR, country_code=None))
    _, token_first = _form(first, "/countries/gha/profile")
    _, token_second = _form(second, "/countries/gha/profile")
    assert token_first == token_second
    post(
        first, "/countries/gha/profile", {"priorities": "First editor's text", "token": token_first}
    )
    form = {"priorities": "Second editor's text", "goals": ["4"], "token": token_second}
    response = post(second, "/countries/gha/profile", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this profile" in html
    assert "Second editor&#39;s text" in html  # their input is kept in the form
    assert "First editor&#39;s text" in html  # and the saved version is shown
    db.session.expire_all()
    assert ghana.priorities == "First editor's text"
    # Saving again from the conflict page (new token) goes through.
    new_token = re.search(r'name="token" type="hidden" value="([^"]*)"', html).group(1)
    post(second, "/countries/gha/profile",
         {"priorities": "Second editor's text", "goals": ["4"], "token": new_token})  # fmt: skip
    db.session.expire_all()
    assert ghana.priorities == "Second editor's text"


def test_service_refuses_a_stale_token_and_an_outsider(app, ghana):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    stale = countries.profile_token(ghana)
    assert countries.update_profile(
        ghana, priorities="v2", goals=[9], expected_token=stale, by=editor
    )
    with pytest.raises(Conflict):
        countries.update_profile(ghana, priorities="v3", goals=[], expected_token=stale, by=editor)
    outsider = factories.user(country_code="KEN")
    with pytest.raises(NotAllowed):
        countries.update_profile(
            ghana,
            priorities="x",
            goals=[],
            expected_token=countries.profile_token(ghana),
            by=outsider,
        )
    assert not countries.update_profile(
        ghana, priorities="v2", goals=[9], expected_token=countries.profile_token(ghana), by=editor
    )


def test_too_long_priorities_are_refused_with_the_input_kept(app, client, ghana):
    login(client, factories.user(country_code="GHA"))
    _, token = _form(client, "/countries/gha/profile")
    text = "x" * (countries.PRIORITIES_MAX + 1)
    response = post(client, "/countries/gha/profile", {"priorities": text, "token": token})
    assert response.status_code == 400
    assert "Field cannot be longer" in response.get_data(as_text=True)
    assert text in response.get_data(as_text=True)


# --- the list of countries ---


def test_country_list_gives_an_overview_by_region_in_text(client, app):
    partner("GHA", PartnershipStatus.PILOT, co_chair=True)
    partner("SRB", PartnershipStatus.PILOT, co_chair=True)
    partner("KEN", PartnershipStatus.PILOT)
    with_contacts(partner("NGA"))
    html = client.get("/countries/").get_data(as_text=True)
    assert re.search(r"<h2 id=\"region-\d+-h\">Africa</h2>", html) and re.search(
        r"<h2 id=\"region-\d+-h\">Europe</h2>", html
    )
    assert "Co-chairs of the Partnership: Ghana, Serbia." in html
    assert "Summary by region" in html
    # Africa: two pilots (Ghana, Kenya) and one member (Nigeria)
    assert re.search(r">Africa</a></th><td>2</td><td>1</td><td>0</td><td>3</td>", html)
    assert "3 countries: 2 pilot countries, 1 member." in html
    assert "Pilot country, <strong>co-chair</strong>" in html
    assert "Showcases its experience and supports other countries" in html
    assert "Norway" not in html
