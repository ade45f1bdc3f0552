"""Side-by-side differences between two revisions, as plain data the template escapes.

Lines are matched first; changed lines are then compared word by word so a reader sees exactly
which words moved. Nothing here produces HTML.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

# A piece of a line: (text, changed?)
Piece = tuple[str, bool]


@dataclass
class Row:
    kind: str  # "same", "changed", "added", "removed"
    left: list[Piece]
    right: list[Piece]
    left_number: int | None
    right_number: int | None


def _word_pieces(old: str, new: str) -> tuple[list[Piece], list[Piece]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left: list[Piece] = []
    right: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), tag != "equal"))
    return left, right


def side_by_side(old: str, new: str) -> list[Row]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                rows.append(Row("same", [(a[i1 + k], False)], [(b[j1 + k], False)],
                                i1 + k + 1, j1 + k + 1))  # fmt: skip
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            left = a[i1 + k] if i1 + k < i2 else None
            right = b[j1 + k] if j1 + k < j2 else None
            if left is not None and right is not None:
                lp, rp = _word_pieces(left, right)
                rows.append(Row("changed", lp, rp, i1 + k + 1, j1 + k + 1))
            elif left is not None:
                rows.append(Row("removed", [(left, True)], [], i1 + k + 1, None))
            else:
                rows.append(Row("added", [], [(right, True)], None, j1 + k + 1))
    return rows


FIELDS = ("title", "summary", "body")


def compare(old: dict, new: dict) -> dict[str, list[Row]]:
    """Differences per text field between two revision snapshots (unchanged fields omitted)."""
    return {
        name: side_by_side(str(old.get(name) or ""), str(new.get(name) or ""))
        for name in FIELDS
        if (old.get(name) or "") != (new.get(name) or "")
    }
