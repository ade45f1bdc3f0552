"""Who sees a country's offers and needs (the rule is in hub.peers.service's docstring)."""

from __future__ import annotations

from hub.accounts.models import Role
from hub.extensions import db
from hub.peers.models import ItemKind, ItemStatus, OfferNeed
from hub.peers.service import can_see, offers_and_needs_for
from tests import factories


def _item(kind: ItemKind, iso3: str, title: str, status: ItemStatus = ItemStatus.OPEN):
    item = OfferNeed(
        kind=kind, country=factories.country(iso3), title=title, description="", status=status
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_everyone_sees_open_and_closed_items_but_only_editors_see_withdrawn_ones(app):
    ghana = factories.country("GHA")
    _item(ItemKind.OFFER, "GHA", "Open offer")
    _item(ItemKind.NEED, "GHA", "Closed need", ItemStatus.CLOSED)
    withdrawn = _item(ItemKind.NEED, "GHA", "Withdrawn need", ItemStatus.WITHDRAWN)
    _item(ItemKind.OFFER, "KEN", "Kenya's offer")
    own = factories.user(country_code="GHA")
    other = factories.user(country_code="KEN")
    staff = factories.user(role=Role.EDITOR, country_code=None)

    def titles(viewer):
        offers, needs = offers_and_needs_for(ghana, viewer)
        return [i.title for i in offers], [i.title for i in needs]

    assert titles(None) == (["Open offer"], ["Closed need"])
    assert titles(other) == (["Open offer"], ["Closed need"])
    # Open first, then the newest: the country's own and the Secretariat may reopen a withdrawn one.
    assert titles(own) == (["Open offer"], ["Withdrawn need", "Closed need"])
    assert titles(staff) == (["Open offer"], ["Withdrawn need", "Closed need"])
    assert not can_see(None, withdrawn) and not can_see(other, withdrawn)
    assert can_see(own, withdrawn) and can_see(staff, withdrawn)
