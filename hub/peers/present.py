"""Matchmaking reasons in plain words, for the pages (the ranking itself stays language-free)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from hub.documents.models import Area
from hub.peers.forms import AREA_LABELS
from hub.peers.matching import PairScore

WORDS_SHOWN = 6  # the need's strongest shared words; more reads as noise


def _join(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return _("%(first)s and %(last)s", first=", ".join(quoted[:-1]), last=quoted[-1])


def reasons(pair: PairScore, topics: Mapping[int, str], offering_country: str) -> list[str]:
    """Why an offer answers a need, one sentence per shared signal, strongest kind first."""
    said = []
    if pair.topics:
        names = [topics.get(t, "?") for t in pair.topics]
        said.append(
            ngettext(
                "Both are about the guidebook topic %(names)s.",
                "Both are about the guidebook topics %(names)s.",
                len(names),
                names=_join(names),
            )
        )
    if pair.words:
        said.append(_("Both speak of %(words)s.", words=_join(list(pair.words[:WORDS_SHOWN]))))
    if pair.goals:
        goals = ", ".join(_("SDG %(n)s", n=n) for n in pair.goals)
        said.append(_("Both work towards %(goals)s.", goals=goals))
    if pair.documents:
        said.append(
            _(
                "The search engine finds documents of %(country)s close to the need: %(titles)s.",
                country=offering_country,
                titles=_join(list(pair.documents)),
            )
        )
    if pair.areas:
        names = [str(AREA_LABELS[Area(a)]) for a in pair.areas if a in Area._value2member_map_]
        said.append(_("Both are in the area of work %(areas)s.", areas=_join(names)))
    return said
