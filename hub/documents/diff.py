"""Differences between two states of a document, as plain data the template escapes.

Text is compared the way a reader sees it, not as stored: Markdown paragraphs are reflowed
(hard-wrapped lines of one paragraph joined) and paired paragraph by paragraph, then compared word
by word, so a phone shows one column of paragraphs with removed and added words marked inline.
Metadata (SDGs, tags, topics, visibility, place in the guidebook, attachments) is listed as what
was added, removed or changed, for the template to say in words. Nothing here produces HTML.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# Lines that start a block of their own inside a Markdown paragraph: list items, headings, table
# rows, quotes. Other lines continue the one before (a hard wrap).
_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|\||>)")
_FENCE = re.compile(r"^\s*(```|~~~)")

SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class Piece:
    """A run of words: unchanged, removed from the old text, or added in the new one."""

    text: str
    op: str  # SAME, REMOVED or ADDED


@dataclass
class Block:
    """One paragraph (or list item, heading...) in the unified view.

    ``kind`` is "same", "changed", "added", "removed", or "skipped" for a run of ``skipped``
    unchanged paragraphs left out between changes.
    """

    kind: str
    pieces: list[Piece] = field(default_factory=list)
    skipped: int = 0


@dataclass
class MetaChange:
    """A metadata field that changed: lists give what was added and removed, single values give
    before and after."""

    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    before: Any = None
    after: Any = None


@dataclass
class Comparison:
    """Text fields that changed (by name, in FIELDS order) and metadata changes."""

    fields: dict[str, list[Block]] = field(default_factory=dict)
    metadata: list[MetaChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.metadata)


FIELDS = ("title", "summary", "body")
LIST_FIELDS = ("goals", "targets", "areas", "tags", "topics")
VALUE_FIELDS = ("language", "country", "visibility", "parent", "position", "status")
# Paragraphs of context kept on either side of a change; the rest is counted, not shown.
CONTEXT = 1


def paragraphs(markdown: str) -> list[str]:
    """The blocks of a Markdown text with hard wraps undone; code blocks keep their lines."""
    blocks: list[str] = []
    current: list[str] = []
    in_code = False

    def close() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            close()
            in_code = not in_code
            blocks.append(line)
            continue
        if in_code:
            blocks.append(line)
        elif not line.strip():
            close()
        elif _BLOCK_START.match(line):
            close()
            current.append(line.strip())
        else:
            current.append(line.strip())
    close()
    return blocks


_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_EMPHASIS = re.compile(
    r"(\*\*|\*|`|~~)(?=\S)(.+?)(?<=\S)\1"  # anywhere
    r"|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)"  # underscores only around words
)
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^[-*+]\s+")


def readable(block: str) -> str:
    """A Markdown block as a reader sees its words: emphasis and code marks dropped, a link as
    its text with the address after it (a changed address is still a change), an image as its
    description, a heading without its hashes, a bullet as a bullet."""
    text = _IMAGE.sub(r"\1", block)
    text = _LINK.sub(r"\1 (\2)", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(lambda m: m[2] or m[4], text)
    text = _HEADING.sub("", text)
    return _BULLET.sub("• ", text)


def _tidy(pieces: list[Piece]) -> list[Piece]:
    """Move spaces at the edges of a change into the unchanged text and merge neighbours, so
    ``<ins>`` holds words, not the gap before them."""
    spread: list[Piece] = []
    for p in pieces:
        if p.op == SAME or not p.text.strip():
            spread.append(Piece(p.text, SAME if not p.text.strip() else p.op))
            continue
        core = p.text.strip()
        start = p.text.index(core)
        if start:
            spread.append(Piece(p.text[:start], SAME))
        spread.append(Piece(core, p.op))
        if start + len(core) < len(p.text):
            spread.append(Piece(p.text[start + len(core) :], SAME))
    merged: list[Piece] = []
    for p in spread:
        if merged and merged[-1].op == p.op:
            merged[-1] = Piece(merged[-1].text + p.text, p.op)
        else:
            merged.append(p)
    return merged


def words(old: str, new: str) -> list[Piece]:
    """``old`` turned into ``new``, word by word: removed words come before the added ones."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("".join(a[i1:i2]), SAME))
            continue
        if i2 > i1:
            pieces.append(Piece("".join(a[i1:i2]), REMOVED))
        if j2 > j1:
            pieces.append(Piece("".join(b[j1:j2]), ADDED))
    return _tidy(pieces)


def _similar(old: str, new: str) -> bool:
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() >= 0.3


def _replace(a: list[str], b: list[str]) -> list[Block]:
    """Pair changed paragraphs in order; paragraphs too unlike each other stay whole."""
    blocks: list[Block] = []
    for k in range(max(len(a), len(b))):
        old = a[k] if k < len(a) else None
        new = b[k] if k < len(b) else None
        if old is not None and new is not None and _similar(old, new):
            blocks.append(Block("changed", words(old, new)))
            continue
        if old is not None:
            blocks.append(Block(REMOVED, [Piece(old, REMOVED)]))
        if new is not None:
            blocks.append(Block(ADDED, [Piece(new, ADDED)]))
    return blocks


def _fold(blocks: list[Block], context: int) -> list[Block]:
    """Keep ``context`` unchanged paragraphs around each change; count the rest."""
    changed = [i for i, b in enumerate(blocks) if b.kind != SAME]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    folded: list[Block] = []
    for i, b in enumerate(blocks):
        if b.kind != SAME or i in keep:
            folded.append(b)
        elif folded and folded[-1].kind == "skipped":
            folded[-1].skipped += 1
        else:
            folded.append(Block("skipped", skipped=1))
    return folded


def unified(old: str, new: str, *, context: int = CONTEXT) -> list[Block]:
    """The paragraphs of ``new`` with what changed from ``old`` marked in place, compared as a
    reader sees them (``readable``)."""
    a = [readable(p) for p in paragraphs(old)]
    b = [readable(p) for p in paragraphs(new)]
    blocks: list[Block] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            blocks.extend(Block(SAME, [Piece(p, SAME)]) for p in a[i1:i2])
        else:
            blocks.extend(_replace(a[i1:i2], b[j1:j2]))
    return _fold(blocks, context)


def _attachment_names(snapshot: dict) -> dict[str, str]:
    return {a["filename"]: a.get("sha256", "") for a in snapshot.get("attachments") or []}


def metadata_changes(old: dict, new: dict) -> list[MetaChange]:
    """What changed besides the text, field by field (unchanged fields left out)."""
    changes: list[MetaChange] = []
    for name in LIST_FIELDS:
        before = [str(v) for v in old.get(name) or []]
        after = [str(v) for v in new.get(name) or []]
        if before != after:
            added = [v for v in after if v not in before]
            removed = [v for v in before if v not in after]
            changes.append(MetaChange(name, added=added, removed=removed))
    for name in VALUE_FIELDS:
        if old.get(name) != new.get(name) and name in old | new:
            changes.append(MetaChange(name, before=old.get(name), after=new.get(name)))
    files_old, files_new = _attachment_names(old), _attachment_names(new)
    if files_old != files_new:
        changes.append(
            MetaChange(
                "attachments",
                added=[f for f in files_new if f not in files_old],
                removed=[f for f in files_old if f not in files_new],
                after=[f for f in files_new if f in files_old and files_old[f] != files_new[f]],
            )
        )
    return changes


def compare(old: dict, new: dict, *, with_metadata: bool = True) -> Comparison:
    """Differences between two snapshots (hub/documents/revisions.py) or two documents' text.

    Title and summary are compared word by word as one paragraph; the body paragraph by
    paragraph."""
    result = Comparison()
    for name in FIELDS:
        before, after = str(old.get(name) or ""), str(new.get(name) or "")
        if before == after:
            continue
        if name == "body":
            blocks = unified(before, after)
            if any(b.kind not in (SAME, "skipped") for b in blocks):  # not just rewrapped
                result.fields[name] = blocks
        else:
            result.fields[name] = _replace([" ".join(before.split())], [" ".join(after.split())])
    if with_metadata:
        result.metadata = metadata_changes(old, new)
    return result
