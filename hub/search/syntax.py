"""The public query language: words, "phrases", AND/OR/NOT, -word and field filters.

Field filters (``title:``, ``country:``, ``sdg:``, ``kind:``, ``year:``, ``region:``, ``area:``,
``language:``, ``tag:``) are taken out of the text here, checked, and become the same facet
filters the page's links set, so a typed filter and a clicked one behave alike. Everything that
could make a query expensive (wildcards, fuzzy terms, regular expressions, ranges, boosts, huge
or deeply nested input) is refused or treated as plain text, with a message that says how to fix
the query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

from babel import Locale
from flask_babel import gettext as _
from whoosh.support.charset import accent_map

from hub.documents.models import Area, Kind
from hub.errors import Invalid
from hub.search.analysis import vocabulary_analyzer

# URL parameter (and typed prefix) -> index facet field.
FILTER_PARAMS: dict[str, str] = {
    "kind": "kind",
    "country": "country",
    "region": "region",
    "sdg": "goals",
    "area": "areas",
    "year": "year",
    "language": "language",
    "tag": "tags",
}
PREFIX_ALIASES = {"goal": "sdg", "lang": "language"}
MAX_FILTER_VALUES = 20

KIND_ALIASES = {
    "brief": Kind.POLICY_BRIEF,
    "briefs": Kind.POLICY_BRIEF,
    "policy_brief": Kind.POLICY_BRIEF,
    "experience": Kind.COUNTRY_EXPERIENCE,
    "experiences": Kind.COUNTRY_EXPERIENCE,
    "country_experience": Kind.COUNTRY_EXPERIENCE,
    "guidebook": Kind.GUIDEBOOK_SECTION,
    "section": Kind.GUIDEBOOK_SECTION,
    "guidebook_section": Kind.GUIDEBOOK_SECTION,
}

_PREFIXES = "|".join([*FILTER_PARAMS, *PREFIX_ALIASES, "title"])
_FIELD = re.compile(rf'(?<![\w:])({_PREFIXES}):("([^"]*)"?|[^\s()"]+)', re.IGNORECASE)
_CONTROL = {c: " " for c in (*range(32), 127) if c not in (9, 10, 13)}
# Wildcard, fuzzy and boost marks touching a word: the parser would keep them in the term
# ("solar*" became a term that no document has), so they are read as spaces ("solar").
_MARKS = re.compile(r"(?<=\w)[*~^/\\]+|[*~^/\\]+(?=\w)")
_FUZZY_OR_BOOST = re.compile(r"(?<=\w)[~^]\d*(?:\.\d+)?(?!\w)")
# UN M49 regions (content/reference/m49_regions.csv): the values the region facet can have.
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")


@dataclass(frozen=True)
class QueryLimits:
    """Caps on what one query may ask of the index; the public ones are T-21's."""

    max_length: int = 256
    max_terms: int = 32
    max_depth: int = 8
    # CPU seconds for the whole search, snippets included (ranking stops a share earlier:
    # query.SNIPPET_SHARE); the page around it must fit in the catalogue's 1 s (T-21).
    time_budget: float = 0.7


PUBLIC_LIMITS = QueryLimits()


@dataclass
class ParsedText:
    """The free text left for the text parser, the title-only parts, and the typed filters."""

    text: str = ""
    title: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)


def clean(text: str) -> str:
    """Control characters (NUL included) become spaces; Unicode is put in NFC form."""
    return unicodedata.normalize("NFC", text.translate(_CONTROL)).strip()


def check_limits(text: str, limits: QueryLimits) -> None:
    if len(text) > limits.max_length:
        raise Invalid(
            _("Your search is too long: use at most %(n)d characters.", n=limits.max_length)
        )
    words = {t.text for t in vocabulary_analyzer()(text)}
    if len(words) > limits.max_terms:
        raise Invalid(_("Your search has too many words: use at most %(n)d.", n=limits.max_terms))
    depth = deepest = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    if deepest > limits.max_depth:
        raise Invalid(
            _("Your search nests brackets too deeply: use at most %(n)d.", n=limits.max_depth)
        )


def split_fields(text: str) -> ParsedText:
    """Take ``name:value`` filters out of the text; unknown prefixes stay as words."""
    parsed = ParsedText()

    def take(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        value = match.group(3) if match.group(3) is not None else match.group(2)
        value = value.strip()
        if not value:
            return " "
        if name == "title":
            quoted = match.group(3) is not None and " " in value
            parsed.title.append(f'"{value}"' if quoted else plain(value))
        else:
            name = PREFIX_ALIASES.get(name, name)
            parsed.filters.setdefault(name, []).append(value)
        return " "

    parsed.text = plain(_FIELD.sub(take, text)).strip()
    return parsed


def plain(text: str) -> str:
    """Wildcard, fuzzy, boost and regex marks attached to words become spaces: ``solar*``,
    ``solar~2``, ``solar^3`` and ``/solar/`` search for the word solar. A mark on its own
    (``*``) is left for the parser, which finds no such word, so it never matches everything."""
    return _MARKS.sub(" ", _FUZZY_OR_BOOST.sub("", text))


def without_filters(text: str) -> str:
    """The text with its typed filters (but not ``title:``) removed, for links that carry the
    filters as URL parameters instead."""

    def drop(match: re.Match[str]) -> str:
        return match.group() if match.group(1).lower() == "title" else " "

    return " ".join(_FIELD.sub(drop, text).split())


def normalise_filters(
    raw: Mapping[str, list[str]], *, resolve_country: Callable[[str], str | None]
) -> dict[str, list[str]]:
    """Check and canonicalise filter values; an unknown value is an error the user can fix."""
    filters: dict[str, list[str]] = {}
    for param, values in raw.items():
        if param not in FILTER_PARAMS:
            continue
        clean_values: list[str] = []
        for value in values:
            value = value.strip()
            if not value:
                continue
            canonical = _canonical(param, value, resolve_country)
            if canonical not in clean_values:
                clean_values.append(canonical)
        if len(clean_values) > MAX_FILTER_VALUES:
            raise Invalid(_("Too many values for one filter: use at most %(n)d.", n=20))
        if clean_values:
            filters[param] = clean_values
    return filters


def _canonical(param: str, value: str, resolve_country: Callable[[str], str | None]) -> str:
    lowered = value.lower()
    if param == "kind":
        kind = KIND_ALIASES.get(lowered.replace("-", "_").replace(" ", "_"))
        if kind is None:
            raise Invalid(_("Unknown kind “%(v)s”: use brief, experience or guidebook.", v=value))
        return kind.value
    if param == "sdg":
        number = lowered.removeprefix("sdg").strip()
        if not number.isdigit() or not 1 <= int(number) <= 17:
            raise Invalid(_("Unknown SDG “%(v)s”: use a goal number from 1 to 17.", v=value))
        return str(int(number))
    if param == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise Invalid(_("Unknown year “%(v)s”: use four digits, for example 2024.", v=value))
        return value
    if param == "area":
        area = lowered.replace("-", "_").replace(" ", "_")
        if area not in {a.value for a in Area}:
            choices = ", ".join(a.value for a in Area)
            raise Invalid(_("Unknown area “%(v)s”: use one of %(c)s.", v=value, c=choices))
        return area
    if param == "country":
        iso3 = resolve_country(value)
        if iso3 is None:
            raise Invalid(
                _("Unknown country “%(v)s”: use its name or ISO code, for example GHA.", v=value)
            )
        return iso3
    if param == "language":
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?", value):
            return _language_tag(value)
        code = language_names().get(fold_name(value))
        if code is None:
            raise Invalid(
                _("Unknown language “%(v)s”: use its name or a code such as en or fr.", v=value)
            )
        return code
    if param == "region":
        for region in REGIONS:
            if region.lower() == lowered:
                return region
        raise Invalid(_("Unknown region “%(v)s”: use one of %(c)s.", v=value, c=", ".join(REGIONS)))
    if len(value) > 80:
        raise Invalid(_("A filter value is too long."))
    if param == "tag":
        return " ".join(lowered.split())  # the index keeps tags in lower case
    return value


# Languages whose names are known in each other's words: the Hub's UI and document languages.
NAMED_IN = ("en", "fr", "es", "ru", "ar", "zh", "uk", "sw", "pt")


def fold_name(name: str) -> str:
    """A name compared without letter case or accents ("Français" = "francais"), folded with
    the accent map the analyzers use for every indexed word."""
    return name.strip().casefold().translate(accent_map)


@cache
def language_names() -> dict[str, str]:
    """Language names in any of ``NAMED_IN`` (English, anglais, английский...) -> code, from the
    CLDR data Babel ships, so ``language:French`` means ``language:fr`` as ``country:Ghana``
    means ``country:GHA``."""
    names: dict[str, str] = {}
    for locale in NAMED_IN:
        for code, name in Locale.parse(locale).languages.items():
            if "_" not in code:  # regional variants ("Canadian French") are not filters
                names.setdefault(fold_name(name), code)
    return names


def _language_tag(value: str) -> str:
    """BCP 47 letter case, as documents store their language: fr, pt-BR, zh-Hans."""
    base, _sep, sub = value.partition("-")
    if not sub:
        return base.lower()
    if len(sub) == 4 and sub.isalpha():
        return f"{base.lower()}-{sub.title()}"
    return f"{base.lower()}-{sub.upper()}"
