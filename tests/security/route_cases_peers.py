"""Requests for the peer learning routes of the route matrix (policy in
route_policy.d/peers.yml). Each call acts on objects made for it alone."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from hub.extensions import db
from hub.peers.models import BrokeredMatch, ItemKind, ItemStatus, MatchEvent, MatchStatus, OfferNeed
from tests import factories
from tests.security.route_matrix import WORLD_SETUP, Call, World, case, current

ITEMS = {
    "open GHA offer": (ItemKind.OFFER, "GHA", ItemStatus.OPEN),
    "closed GHA need": (ItemKind.NEED, "GHA", ItemStatus.CLOSED),
    "withdrawn GHA offer": (ItemKind.OFFER, "GHA", ItemStatus.WITHDRAWN),
}


def new_item(name: str) -> OfferNeed:
    kind, iso3, status = ITEMS[name]
    item = OfferNeed(
        kind=kind, country=factories.country(iso3), title=f"{name} {uuid.uuid4().hex[:6]}",
        description="Some *text*.", status=status, areas=["capabilities"],
    )  # fmt: skip
    db.session.add(item)
    db.session.commit()
    return item


def new_match() -> BrokeredMatch:
    need = OfferNeed(kind=ItemKind.NEED, country=factories.country("KEN"), title="A need")
    offer = OfferNeed(kind=ItemKind.OFFER, country=factories.country("GHA"), title="An offer")
    match = BrokeredMatch(need=need, offer=offer, matched_on=date(2026, 1, 5))
    match.events.append(MatchEvent(status=MatchStatus.PROPOSED))
    db.session.add(match)
    db.session.commit()
    return match


def _setup(w: World) -> None:
    """The objects the GET cases read, made with the world, before any call is watched."""
    made = {name: new_item(name).id for name in ITEMS}
    made["match"] = new_match().id
    w.peers = made


WORLD_SETUP.append(_setup)


def shared(w: World) -> dict[str, int]:
    return w.peers


def item_form(title: str, version: int | str = "", **extra: str) -> dict:
    return {
        "title": title,
        "description": "We can share **this**.",
        "country": "GHA",
        "goals": ["9"],
        "areas": ["capabilities"],
        "version": str(version),
        **extra,
    }


case("peers.index", "GET")(lambda w, actor: Call("/peer-learning/"))
for _name in ITEMS:
    case("peers.item", "GET", _name)(
        lambda w, actor, name=_name: Call(f"/peer-learning/items/{shared(w)[name]}")
    )
for _name in ("open GHA offer", "withdrawn GHA offer"):
    case("peers.edit", "GET", _name)(
        lambda w, actor, name=_name: Call(f"/peer-learning/items/{shared(w)[name]}/edit")
    )
for _kind_path in ("offers", "needs"):
    case("peers.new", "GET", _kind_path)(
        lambda w, actor, k=_kind_path: Call(f"/peer-learning/new/{k}")
    )
case("peers.suggested", "GET")(lambda w, actor: Call("/peer-learning/suggestions"))
case("peers.matches", "GET")(lambda w, actor: Call("/peer-learning/matches"))
case("peers.new_match", "GET")(lambda w, actor: Call("/peer-learning/matches/new"))
case("peers.match", "GET")(lambda w, actor: Call(f"/peer-learning/matches/{shared(w)['match']}"))


def _new(kind_path: str):
    def build(w: World, actor: str) -> Call:
        title = f"Posted {kind_path} {uuid.uuid4().hex[:8]}"
        return Call(
            f"/peer-learning/new/{kind_path}",
            lambda: item_form(title),
            effect=lambda: (
                db.session.scalar(select(OfferNeed.id).where(OfferNeed.title == title)) is not None
            ),
        )

    return build


for _kind_path in ("offers", "needs"):
    case("peers.new", "POST", _kind_path)(_new(_kind_path))


def _edit(name: str):
    def build(w: World, actor: str) -> Call:
        item = new_item(name)
        item_id, version = item.id, item.version
        title = f"Edited {uuid.uuid4().hex[:8]}"
        return Call(
            f"/peer-learning/items/{item_id}/edit",
            lambda: item_form(title, version),
            effect=lambda: current(OfferNeed, item_id).title == title,
        )

    return build


for _name in ("open GHA offer", "withdrawn GHA offer"):
    case("peers.edit", "POST", _name)(_edit(_name))

STEPS = {
    "close an open GHA offer": ("open GHA offer", "close", ItemStatus.CLOSED),
    "reopen a withdrawn GHA offer": ("withdrawn GHA offer", "reopen", ItemStatus.OPEN),
}


def _step(name: str):
    spec, step, target = STEPS[name]

    def build(w: World, actor: str) -> Call:
        item = new_item(spec)
        item_id, version = item.id, item.version
        return Call(
            f"/peer-learning/items/{item_id}/{step}",
            lambda: {"version": str(version)},
            effect=lambda: current(OfferNeed, item_id).status is target,
        )

    return build


for _name in STEPS:
    case("peers.step", "POST", _name)(_step(_name))


@case("peers.new_match", "POST")
def _record(w: World, actor: str) -> Call:
    match = new_match()  # its need and offer, matched again on a new date
    need_id, offer_id = match.need_id, match.offer_id
    on = date(2027, 1, 1).replace(day=1 + uuid.uuid4().int % 28)
    outcome = f"Recorded {uuid.uuid4().hex[:8]}"
    return Call(
        "/peer-learning/matches/new",
        lambda: {
            "need": str(need_id),
            "offer": str(offer_id),
            "matched_on": on.isoformat(),
            "status": "proposed",
            "outcome": outcome,
            "note": "",
        },  # fmt: skip
        effect=lambda: (
            db.session.scalar(select(BrokeredMatch.id).where(BrokeredMatch.outcome == outcome))
            is not None
        ),
    )


@case("peers.update_match", "POST")
def _update(w: World, actor: str) -> Call:
    match = new_match()
    match_id, version = match.id, match.version
    return Call(
        f"/peer-learning/matches/{match_id}",
        lambda: {
            "status": "in_progress",
            "outcome": "Started",
            "note": "",
            "version": str(version),
        },
        effect=lambda: current(BrokeredMatch, match_id).status is MatchStatus.IN_PROGRESS,
    )
