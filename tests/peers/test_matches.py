"""Brokered matches: only the Secretariat records them, members read them, the public sees
neither them nor the suggestions; every step is in the history, and both countries' focal
points hear of it by notification and by e-mail (through the local SMTP server)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.errors import Conflict, Invalid, InvalidTransition, NotAllowed
from hub.extensions import db
from hub.notifications.models import Category, Notification
from hub.peers import brokering, editing
from hub.peers.editing import ItemInput
from hub.peers.models import BrokeredMatch, ItemKind, MatchStatus
from tests import factories
from tests.web import login, post


@pytest.fixture
def mail(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


@pytest.fixture
def world(app):
    staff = factories.user(role=Role.EDITOR, country_code=None)
    ken = factories.user(country_code="KEN", email="fp.kenya@example.org")
    gha = factories.user(country_code="GHA", email="fp.ghana@example.org")
    srb = factories.user(country_code="SRB", email="fp.serbia@example.org")
    need = editing.create(ItemKind.NEED, factories.country("KEN"),
                          ItemInput(title="Learn foresight", goals=[9]), by=ken)  # fmt: skip
    offer = editing.create(ItemKind.OFFER, factories.country("GHA"),
                           ItemInput(title="Foresight method", goals=[9]), by=gha)  # fmt: skip
    own_offer = editing.create(ItemKind.OFFER, factories.country("KEN"),
                               ItemInput(title="Mobile money", goals=[9]), by=ken)  # fmt: skip
    return {"staff": staff, "ken": ken, "gha": gha, "srb": srb, "need": need, "offer": offer,
            "own_offer": own_offer}  # fmt: skip


def _record(w, **kw):
    return brokering.record(
        w["need"], w["offer"], matched_on=date(2026, 11, 2), by=w["staff"], **kw
    )


def test_only_the_secretariat_records_a_match(world, mail):
    with pytest.raises(NotAllowed):
        _record({**world, "staff": world["ken"]})
    db.session.rollback()
    assert db.session.scalar(select(BrokeredMatch.id)) is None
    match = _record(world, outcome="First call set for December.", note="Brokered at the forum")
    assert match.status is MatchStatus.PROPOSED
    assert [(e.status, e.note) for e in match.events] == [
        (MatchStatus.PROPOSED, "Brokered at the forum")
    ]


def test_recording_tells_both_countries_focal_points_and_nobody_else(world, mail):
    match = _record(world)
    messages = mail.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["fp.ghana@example.org", "fp.kenya@example.org"]
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Foresight method" in body and "Learn foresight" in body
    assert f"http://127.0.0.1:5000/peer-learning/matches/{match.id}" in body
    rows = db.session.scalars(select(Notification)).all()
    assert sorted(r.user_id for r in rows) == sorted([world["ken"].id, world["gha"].id])
    assert {r.category for r in rows} == {Category.MATCH}
    assert all(r.url == f"/peer-learning/matches/{match.id}" for r in rows)


def test_a_country_is_not_matched_with_itself_and_a_need_pairs_with_an_offer(world):
    with pytest.raises(Invalid):
        brokering.record(world["need"], world["own_offer"], matched_on=date.today(),
                         by=world["staff"])  # fmt: skip
    with pytest.raises(Invalid):
        brokering.record(world["offer"], world["need"], matched_on=date.today(),
                         by=world["staff"])  # fmt: skip


def test_every_status_change_is_in_the_history_and_mailed(world, mail):
    match = _record(world)
    mail.wait_for(2)
    brokering.update(match, status=MatchStatus.IN_PROGRESS, outcome="Visit planned",
                     expected_version=match.version, by=world["staff"])  # fmt: skip
    brokering.update(match, status=MatchStatus.COMPLETED, outcome="Ghana's team visited Nairobi.",
                     note="Closed after the visit", expected_version=match.version,
                     by=world["staff"])  # fmt: skip
    assert [e.status for e in match.events] == [
        MatchStatus.PROPOSED, MatchStatus.IN_PROGRESS, MatchStatus.COMPLETED,
    ]  # fmt: skip
    assert match.events[1].outcome == "Visit planned"
    messages = mail.wait_for(6)
    assert "now completed" in messages[-1].get_body(preferencelist=("plain",)).get_content()
    with pytest.raises(InvalidTransition):
        brokering.update(match, status=MatchStatus.IN_PROGRESS, outcome="",
                         expected_version=match.version, by=world["staff"])  # fmt: skip


def test_declined_and_taken_up_again(world):
    match = _record(world)
    brokering.update(match, status=MatchStatus.DECLINED, outcome="Dates did not fit",
                     expected_version=match.version, by=world["staff"])  # fmt: skip
    brokering.update(match, status=MatchStatus.PROPOSED, outcome="New dates",
                     expected_version=match.version, by=world["staff"])  # fmt: skip
    assert match.status is MatchStatus.PROPOSED and len(match.events) == 3


def test_a_focal_point_cannot_update_and_a_stale_update_is_refused(world):
    match = _record(world)
    with pytest.raises(NotAllowed):
        brokering.update(match, status=MatchStatus.COMPLETED, outcome="",
                         expected_version=match.version, by=world["ken"])  # fmt: skip
    seen = match.version
    brokering.update(match, status=MatchStatus.IN_PROGRESS, outcome="A",
                     expected_version=seen, by=world["staff"])  # fmt: skip
    with pytest.raises(Conflict):
        brokering.update(match, status=MatchStatus.DECLINED, outcome="B",
                         expected_version=seen, by=world["staff"])  # fmt: skip


# --- through the pages ---


def test_the_public_sees_offers_but_not_suggestions_or_matches(app, world):
    match = _record(world)
    public = app.test_client()
    assert public.get(f"/peer-learning/items/{world['need'].id}").status_code == 200
    for url in ("/peer-learning/suggestions", "/peer-learning/matches",
                f"/peer-learning/matches/{match.id}", "/peer-learning/matches/new"):  # fmt: skip
        response = public.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    page = public.get(f"/peer-learning/items/{world['need'].id}").data.decode()
    assert "Offers that could answer this need" not in page
    assert "Brokered matches" not in page


def test_members_see_suggestions_with_reasons_and_matches_but_cannot_record(app, world):
    member = app.test_client()
    login(member, world["srb"])
    page = member.get("/peer-learning/suggestions").data.decode()
    assert "Kenya could learn from Ghana" in page
    assert "Both work towards SDG 9." in page
    assert "Record a match" not in page
    assert member.get("/peer-learning/matches/new").status_code == 403
    need_page = member.get(f"/peer-learning/items/{world['need'].id}").data.decode()
    assert "Foresight method" in need_page  # the suggested offer
    assert "Mobile money" not in need_page  # Kenya's own offer is never suggested


def test_the_secretariat_records_and_updates_through_the_pages(app, world, mail):
    staff = app.test_client()
    login(staff, world["staff"])
    response = post(staff, "/peer-learning/matches/new", {
        "need": str(world["need"].id), "offer": str(world["offer"].id),
        "matched_on": "2026-11-20", "status": "proposed", "outcome": "", "note": "",
    })  # fmt: skip
    assert response.status_code == 302
    match = db.session.scalar(select(BrokeredMatch))
    assert match.matched_on == date(2026, 11, 20)
    url = f"/peer-learning/matches/{match.id}"
    response = post(staff, url, {"status": "in_progress", "outcome": "**Call** held",
                                 "note": "", "version": str(match.version)})  # fmt: skip
    assert response.status_code == 303
    page = staff.get(url).data.decode()
    assert "<strong>Call</strong> held" in page
    # A stale form: refused with the conflict shown and the typed outcome kept.
    response = post(staff, url, {"status": "completed", "outcome": "My outcome text",
                                 "note": "", "version": "1"})  # fmt: skip
    assert response.status_code == 409
    assert "My outcome text" in response.data.decode()
    assert "Someone else updated this match" in response.data.decode()
    mail.wait_for(4)


def test_a_focal_point_posting_to_a_match_gets_403(app, world):
    match = _record(world)
    member = app.test_client()
    login(member, world["ken"])
    response = post(member, f"/peer-learning/matches/{match.id}",
                    {"status": "declined", "outcome": "", "note": "",
                     "version": str(match.version)}, form_url="/login")  # fmt: skip
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(BrokeredMatch, match.id).status is MatchStatus.PROPOSED
