"""Reading one content file (Markdown with YAML front matter) into checked document data.

The format is specified in docs/content-format.md. Every problem becomes a ``Rejected`` with a
message that names the file, the key and, for YAML errors, the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from hub.documents.models import Area, Kind, Status, Visibility
from hub.markup import plain_text

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
TARGET_RE = re.compile(r"^(\d{1,2})\.([0-9]{1,2}|[a-z])$")
MAX_TITLE = 300
MAX_SUMMARY = 1000
MAX_SLUG = 120
MAX_TAG = 80
KNOWN_KEYS = {
    "kind", "title", "slug", "summary", "country", "language", "sdgs", "areas", "published",
    "status", "visibility", "parent", "order", "attachments", "example", "tags", "topics",
}  # fmt: skip
LOADABLE_STATUSES = {Status.PUBLISHED.value, Status.DRAFT.value}


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so date errors name the value the author wrote."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Rejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class DocumentData:
    """A document as a content file describes it, after the shape checks."""

    kind: Kind
    slug: str
    title: str
    summary: str
    body: str
    language: str = "en"
    country: str | None = None
    goals: list[int] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    published_on: date | None = None
    status: Status = Status.PUBLISHED
    visibility: Visibility = Visibility.PUBLIC
    parent: str | None = None
    order: int = 0
    attachments: list[Path] = field(default_factory=list)
    is_example: bool = False
    # Slugs of the guidebook sections this brief or experience illustrates (checked by the loader).
    topics: list[str] = field(default_factory=list)
    # The body's stored plain-text columns, when made ahead (hub/content/reading.py).
    stored_text: dict[str, str] = field(default_factory=dict)


def split_front_matter(text: str) -> tuple[str, str]:
    """Return (front matter, body); the front matter sits between two ``---`` lines at the top."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise Rejected("no front matter: the file must start with a line '---'")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise Rejected("front matter is not closed: add a line '---' after it")


def _load_yaml(front: str) -> dict:
    try:
        meta = yaml.load(front, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader
    except (ValueError, TypeError) as exc:  # e.g. an impossible date such as 2024-13-01
        raise Rejected(f"bad YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise Rejected(f"bad YAML{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Rejected("bad YAML: the front matter must be a set of 'key: value' lines")
    return meta


def _text(meta: dict, key: str, limit: int) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Rejected(f"'{key}' must be plain text")
    value = " ".join(str(value).split())
    if len(value) > limit:
        raise Rejected(f"'{key}' is {len(value)} characters long; the limit is {limit}")
    return value


def _list(meta: dict, key: str) -> list:
    value = meta.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return value


def parse_sdgs(values: list) -> tuple[list[int], list[str]]:
    """Split ``sdgs`` into goal numbers and target codes, checking each is in range."""
    goals: set[int] = set()
    targets: list[str] = []
    for value in values:
        if isinstance(value, (bool, float)):
            raise Rejected(f'SDG {value!r}: write target codes in quotes, e.g. "17.6" or "17.10"')
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            number = int(value)
            if not 1 <= number <= 17:
                raise Rejected(f"SDG {number} is out of range: goals are numbered 1 to 17")
            goals.add(number)
            continue
        match = TARGET_RE.match(str(value).strip().lower())
        if not match:
            raise Rejected(f"SDG {value!r} is neither a goal number (1-17) nor a target code")
        number = int(match.group(1))
        if not 1 <= number <= 17:
            raise Rejected(f"SDG target {value} is out of range: goals are numbered 1 to 17")
        code = f"{number}.{match.group(2)}"
        if code not in targets:
            targets.append(code)
        goals.add(number)
    return sorted(goals), targets


def _enum(meta: dict, key: str, enum_cls: type, default, allowed: set[str] | None = None):  # noqa: ANN001, ANN202
    value = meta.get(key)
    if value is None:
        return default
    names = allowed or {m.value for m in enum_cls}
    if not isinstance(value, str) or value not in names:
        choices = ", ".join(sorted(names))
        raise Rejected(f"unknown {key} {value!r}: use one of {choices}")
    return enum_cls(value)


def _published(meta: dict) -> date | None:
    value = meta.get("published")
    if value is None:
        return None
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise Rejected(f"'published' {value!r} is not an ISO date such as 2024-05-01") from None


def first_paragraph(body: str, limit: int = MAX_SUMMARY) -> str:
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if block and not block.startswith(("#", "|", "```", "[TOC]", "---")):
            text = plain_text(block)
            if text:
                return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""


def _topics(meta: dict, kind: Kind) -> list[str]:
    """Guidebook section slugs, in the order written, each once. Whether they exist is the
    loader's check: it needs the database."""
    values = _list(meta, "topics")
    if values and kind is Kind.GUIDEBOOK_SECTION:
        raise Rejected("'topics' is for briefs and experiences: a section is a topic itself")
    topics: list[str] = []
    for value in values:
        if not isinstance(value, str) or not SLUG_RE.match(value):
            raise Rejected(f"bad topic {value!r}: give the slug of a guidebook section")
        if value not in topics:
            topics.append(value)
    return topics


def parse_file(path: Path) -> DocumentData:
    """Read and check one content file; raise Rejected with the reason if it cannot be loaded."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Rejected("the file is not UTF-8 text") from None
    front, body = split_front_matter(raw)
    meta = _load_yaml(front)
    unknown = sorted(set(map(str, meta)) - KNOWN_KEYS)
    if unknown:
        raise Rejected(f"unknown key {unknown[0]!r} in the front matter")

    kind_value = meta.get("kind")
    if kind_value is None:
        raise Rejected("missing kind: use guidebook_section, policy_brief or country_experience")
    kind = _enum(meta, "kind", Kind, None)
    title = _text(meta, "title", MAX_TITLE)
    if not title:
        raise Rejected("missing title")
    slug = meta.get("slug", path.stem)
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        raise Rejected(
            f"bad slug {slug!r}: use lower-case letters, digits and single hyphens "
            f"(at most {MAX_SLUG} characters)"
        )
    summary = _text(meta, "summary", MAX_SUMMARY) or first_paragraph(body)

    country = meta.get("country")
    if kind is Kind.GUIDEBOOK_SECTION:
        if country is not None:
            raise Rejected("a guidebook section has no country")
    elif country is None:
        raise Rejected(f"missing country: a {kind.value} needs an ISO 3166 alpha-3 code")
    if country is not None:
        if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{3}", country):
            raise Rejected(f"unknown country code {country!r}: use ISO 3166 alpha-3, e.g. GHA")
        country = country.upper()

    language = meta.get("language", "en")
    if isinstance(language, bool):  # YAML reads an unquoted `no` (Norwegian) as false
        raise Rejected('bad language: write the code in quotes, e.g. language: "no"')
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        raise Rejected(f"bad language {language!r}: use a BCP 47 code such as en, fr or zh")

    goals, targets = parse_sdgs(_list(meta, "sdgs"))
    areas = []
    for value in _list(meta, "areas"):
        if not isinstance(value, str) or value not in {a.value for a in Area}:
            raise Rejected(
                f"unknown area {value!r}: use capabilities, knowledge_flows or collaboration"
            )
        if Area(value) not in areas:
            areas.append(Area(value))

    tags: list[str] = []
    for value in _list(meta, "tags"):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise Rejected(f"tag {value!r} must be a word or phrase")
        tag = " ".join(str(value).lower().split())
        if not tag or len(tag) > MAX_TAG:
            raise Rejected(f"tag {value!r} must be 1 to {MAX_TAG} characters")
        if tag not in tags:
            tags.append(tag)

    parent = meta.get("parent")
    order = meta.get("order", 0)
    if kind is not Kind.GUIDEBOOK_SECTION and (parent is not None or "order" in meta):
        raise Rejected("'parent' and 'order' are for guidebook sections only")
    if parent is not None and (not isinstance(parent, str) or not SLUG_RE.match(parent)):
        raise Rejected(f"bad parent {parent!r}: give the slug of the parent section")
    if parent == slug:
        raise Rejected("a section cannot be its own parent")
    if not isinstance(order, int) or isinstance(order, bool):
        raise Rejected(f"'order' must be a whole number, not {order!r}")

    topics = _topics(meta, kind)

    example = meta.get("example", False)
    if not isinstance(example, bool):
        raise Rejected("'example' must be true or false")

    attachments = []
    for value in _list(meta, "attachments"):
        if not isinstance(value, str) or not value.strip():
            raise Rejected(f"attachment {value!r} must be a file path")
        target = (path.parent / value).resolve()
        if not target.is_file():
            raise Rejected(f"attachment not found: {value}")
        if target.suffix.lower() != ".pdf":
            raise Rejected(f"attachment {value} is not a PDF file")
        if any(kept.name == target.name for kept in attachments):
            raise Rejected(f"two attachments are named {target.name}: file names must differ")
        attachments.append(target)

    return DocumentData(
        kind=kind,
        slug=slug,
        title=title,
        summary=summary,
        body=body.strip() + "\n" if body.strip() else "",
        language=language,
        country=country,
        goals=goals,
        targets=targets,
        areas=areas,
        tags=tags,
        published_on=_published(meta),
        status=_enum(meta, "status", Status, Status.PUBLISHED, LOADABLE_STATUSES),
        visibility=_enum(meta, "visibility", Visibility, Visibility.PUBLIC),
        parent=parent,
        order=order,
        attachments=attachments,
        is_example=example,
        topics=topics,
    )
