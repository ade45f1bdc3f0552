"""Posting and editing offers and needs: who may, the conflict of two editors, closing,
withdrawing and reopening, and Markdown through the one sanitizer."""

from __future__ import annotations

import pytest

from hub.accounts.models import Role
from hub.documents.models import Area, Kind
from hub.errors import Conflict, InvalidTransition, NotAllowed
from hub.extensions import db
from hub.peers import editing
from hub.peers.editing import ItemInput
from hub.peers.models import ItemKind, ItemStatus, OfferNeed
from tests import factories
from tests.web import login, post


@pytest.fixture
def people(app):
    return {
        "gha": factories.user(country_code="GHA"),
        "gha2": factories.user(country_code="GHA"),
        "srb": factories.user(country_code="SRB"),
        "editor": factories.user(role=Role.EDITOR, country_code=None),
    }


def _offer(by, iso3="GHA", title="Foresight methods"):
    return editing.create(
        ItemKind.OFFER, factories.country(iso3), ItemInput(title=title, goals=[9]), by=by
    )


def test_a_focal_point_posts_for_their_own_country_only(people):
    offer = _offer(people["gha"])
    assert offer.country.iso3 == "GHA" and offer.status is ItemStatus.OPEN
    with pytest.raises(NotAllowed):
        _offer(people["srb"], iso3="GHA")
    # The Secretariat posts for any country.
    assert _offer(people["editor"], iso3="SRB").country.iso3 == "SRB"


def test_a_focal_point_edits_only_their_own_countrys_items(people):
    offer = _offer(people["gha"])
    data = ItemInput(title="Changed", goals=[9, 17])
    with pytest.raises(NotAllowed):
        editing.update(offer, data, expected_version=offer.version, by=people["srb"])
    db.session.rollback()
    # Another focal point of the same country may: the item is the country's, not the author's.
    assert editing.update(offer, data, expected_version=offer.version, by=people["gha2"])
    assert editing.update(
        offer, ItemInput(title="Staff edit"), expected_version=offer.version, by=people["editor"]
    )
    assert db.session.get(OfferNeed, offer.id).title == "Staff edit"


def test_tags_are_saved_and_checked(people):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, title="Technology foresight")
    brief = factories.document(title="Not a section")
    need = editing.create(
        ItemKind.NEED, factories.country("GHA"),
        ItemInput(title="Learn foresight", goals=[17, 9], areas=[Area.COLLABORATION],
                  topics=[section.id]),
        by=people["gha"],
    )  # fmt: skip
    assert [g.number for g in need.goals] == [9, 17]
    assert need.areas == ["collaboration"] and need.topics == [section]
    with pytest.raises(Exception, match="guidebook topic"):
        editing.update(need, ItemInput(title="x", topics=[brief.id]),
                       expected_version=need.version, by=people["gha"])  # fmt: skip


def test_a_stale_version_is_refused_and_nothing_is_overwritten(people):
    offer = _offer(people["gha"])
    seen = offer.version
    editing.update(offer, ItemInput(title="First save"), expected_version=seen, by=people["gha2"])
    with pytest.raises(Conflict, match="Someone else saved this"):
        editing.update(offer, ItemInput(title="Second save"), expected_version=seen,
                       by=people["gha"])  # fmt: skip
    db.session.rollback()
    assert db.session.get(OfferNeed, offer.id).title == "First save"


def test_close_withdraw_and_reopen(people):
    offer = _offer(people["gha"])
    editing.change_status(offer, "close", expected_version=offer.version, by=people["gha"])
    assert offer.status is ItemStatus.CLOSED and offer.closed_at is not None
    with pytest.raises(InvalidTransition):
        editing.change_status(offer, "close", expected_version=offer.version, by=people["gha"])
    editing.change_status(offer, "withdraw", expected_version=offer.version, by=people["gha"])
    assert offer.status is ItemStatus.WITHDRAWN
    with pytest.raises(NotAllowed):
        editing.change_status(offer, "reopen", expected_version=offer.version, by=people["srb"])
    editing.change_status(offer, "reopen", expected_version=offer.version, by=people["editor"])
    assert offer.status is ItemStatus.OPEN and offer.closed_at is None
    with pytest.raises(Conflict):
        editing.change_status(offer, "close", expected_version=offer.version - 1, by=people["gha"])


# --- through the pages ---


def test_posting_through_the_form_renders_markdown_safely(app, client, people):
    login(client, people["gha"])
    response = post(client, "/peer-learning/new/offers", {
        "title": "Our foresight method", "goals": ["9"], "areas": ["capabilities"],
        "description": "We share **scenarios**.\n\n<script>alert(1)</script>",
    })  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).data.decode()
    assert "<strong>scenarios</strong>" in page
    assert "<script>alert(1)</script>" not in page
    # Public once posted.
    anonymous = app.test_client()
    assert anonymous.get(response.headers["Location"]).status_code == 200
    assert "Our foresight method" in anonymous.get("/peer-learning/").data.decode()


def test_a_form_error_keeps_the_input(client, people):
    login(client, people["gha"])
    response = post(client, "/peer-learning/new/needs",
                    {"title": "", "description": "Kept text of the need"})  # fmt: skip
    assert response.status_code == 400
    assert "Kept text of the need" in response.data.decode()


def test_the_edit_page_shows_the_conflict_and_keeps_the_editors_text(app, client, people):
    offer = _offer(people["gha"])
    version = offer.version
    editing.update(offer, ItemInput(title="Saved meanwhile"), expected_version=version,
                   by=people["gha2"])  # fmt: skip
    login(client, people["gha"])
    late = {"title": "My late edit", "description": "My words", "version": str(version)}
    response = post(client, f"/peer-learning/items/{offer.id}/edit", late)
    page = response.data.decode()
    assert response.status_code == 409
    assert "Someone else saved this" in page
    assert "My late edit" in page and "My words" in page  # the editor's input is kept
    assert "Saved meanwhile" in page  # and the other version is shown beside it
    db.session.expire_all()
    assert db.session.get(OfferNeed, offer.id).title == "Saved meanwhile"


def test_another_countrys_focal_point_gets_403_on_edit_and_steps(client, people):
    offer = _offer(people["gha"])
    login(client, people["srb"])
    assert client.get(f"/peer-learning/items/{offer.id}/edit").status_code == 403
    response = post(client, f"/peer-learning/items/{offer.id}/close",
                    {"version": str(offer.version)}, form_url="/login")  # fmt: skip
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(OfferNeed, offer.id).status is ItemStatus.OPEN


def test_a_withdrawn_item_is_hidden_from_others(app, client, people):
    offer = _offer(people["gha"])
    editing.change_status(offer, "withdraw", expected_version=offer.version, by=people["gha"])
    url = f"/peer-learning/items/{offer.id}"
    assert app.test_client().get(url).status_code == 404
    login(client, people["srb"])
    assert client.get(url).status_code == 404
    own = app.test_client()
    login(own, people["gha2"])
    assert own.get(url).status_code == 200


def test_the_list_filters_by_kind_country_and_sdg(app, people):
    _offer(people["gha"], title="Ghana foresight offer")
    editing.create(ItemKind.NEED, factories.country("SRB"),
                   ItemInput(title="Serbia energy need", goals=[7]), by=people["srb"])  # fmt: skip
    public = app.test_client()

    def shown(query: str) -> set[str]:
        page = public.get(f"/peer-learning/{query}").data.decode()
        return {t for t in ("Ghana foresight offer", "Serbia energy need") if t in page}

    assert shown("") == {"Ghana foresight offer", "Serbia energy need"}
    assert shown("?kind=needs") == {"Serbia energy need"}
    assert shown("?country=GHA") == {"Ghana foresight offer"}
    assert shown("?sdg=7") == {"Serbia energy need"}
    assert "Post an offer" not in public.get("/peer-learning/").data.decode()
