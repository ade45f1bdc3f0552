"""Highlighted snippets, cut from stored text at the places the postings say the terms are.

The body and PDF fields keep each term's character offsets, so a snippet is found without
re-analysing a document of thousands of words ("pinpoint" highlighting). For a match in a PDF the
offset also tells which attachment and page it is on.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from whoosh import highlight
from whoosh.analysis import Token

MAX_CHARS = 240
SURROUND = 70


@dataclass
class Snippet:
    # (text, is_match) pieces; templates escape the text and mark the matches.
    pieces: list[tuple[str, bool]]
    source: str  # "body", "pdf", "title" or "summary"
    attachment: str = ""
    page: int | None = None


def _fragmenter() -> highlight.PinpointFragmenter:
    return highlight.PinpointFragmenter(maxchars=MAX_CHARS, surround=SURROUND)


def preload_tokens(
    reader: Any,
    hits: list[tuple[int, str]],
    terms: dict[str, set[bytes]],
    deadline: float | None = None,
) -> dict[tuple[int, str], list[Token]]:
    """Token positions for a page of hits, reading each term's postings once.

    ``hits`` are (docnum, language group). Visiting the documents in ascending order lets one
    cursor per term skip forward, instead of opening the postings again for every hit.

    Past ``deadline`` (thread CPU time) no more postings are read: the words read so far are
    marked, and a hit with none of them falls back to its summary (``snippet_for``). A search
    out of time then still answers within its budget, with fewer highlights.
    """
    wanted: dict[str, list[int]] = {}
    for docnum, group in hits:
        for source in ("body", "pdf"):
            wanted.setdefault(f"{source}_{group}", []).append(docnum)
    found: dict[tuple[int, str], list[Token]] = {}
    for fieldname, docnums in wanted.items():
        docnums = sorted(set(docnums))
        for btext in sorted(terms.get(fieldname, ())):
            if deadline is not None and time.thread_time() > deadline:
                break
            if (fieldname, btext) not in reader:
                continue
            postings = reader.postings(fieldname, btext)
            word = btext.decode("utf-8")
            for docnum in docnums:
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                if postings.id() != docnum:
                    continue
                found.setdefault((docnum, fieldname), []).extend(
                    Token(text=word, pos=pos, startchar=start, endchar=end)
                    for pos, start, end in postings.value_as("characters")
                )
    return {key: _longest_at_each_start(tokens) for key, tokens in found.items()}


def _longest_at_each_start(tokens: list[Token]) -> list[Token]:
    tokens.sort(key=lambda t: t.startchar)
    # Overlapping matches (CJK bigrams) keep the longest one starting at each place.
    return [
        max(group, key=lambda t: t.endchar - t.startchar)
        for _start, group in groupby(tokens, lambda t: t.startchar)
    ]


def _pieces(fragment: Any) -> list[tuple[str, bool]]:
    text = fragment.text
    pieces: list[tuple[str, bool]] = []
    first = min((t.startchar for t in fragment.matches), default=fragment.startchar)
    at = _word_start(text, fragment.startchar, first)
    end = max([_word_end(text, fragment.endchar), *(t.endchar for t in fragment.matches)])
    if at > 0:
        pieces.append(("… ", False))
    for token in sorted(fragment.matches, key=lambda t: t.startchar):
        if token.startchar < at:
            continue
        if token.startchar > at:
            pieces.append((text[at : token.startchar], False))
        pieces.append((text[token.startchar : token.endchar], True))
        at = token.endchar
    tail = text[at:end]
    if tail:
        pieces.append((tail, False))
    if end < len(text):
        pieces.append((" …", False))
    return [(t.replace("\f", " "), m) for t, m in pieces]


def _word_start(text: str, start: int, first_match: int) -> int:
    """Move a fragment's start forward to a word boundary, never past the first match."""
    if start <= 0 or text[start - 1].isspace():
        return max(start, 0)
    space = text.find(" ", start, first_match)
    return space + 1 if space != -1 else start


def _word_end(text: str, end: int) -> int:
    """Move a fragment's end back to a word boundary."""
    if end >= len(text) or text[end].isspace():
        return min(end, len(text))
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end


def _page_of(pages: list, offset: int) -> tuple[str, int | None]:
    """Which attachment, and which page of it, the character ``offset`` of the PDF text is in."""
    chosen = None
    for filename, starts in pages:
        if starts and starts[0] <= offset:
            chosen = (filename, starts)
    if chosen is None:
        return "", None
    filename, starts = chosen
    return filename, bisect_right(starts, offset)


def snippet_for(
    docnum: int, fields: dict, group: str, tokens: dict[tuple[int, str], list[Token]]
) -> Snippet:
    """The snippet a result shows: from the body, else the PDF text, else the summary.

    ``tokens`` are the query's matches per (document, field), from ``preload_tokens``.
    """
    fragmenter = _fragmenter()
    for source in ("body", "pdf"):
        text = fields.get(source) or ""
        matched = tokens.get((docnum, f"{source}_{group}"))
        if not text or not matched:
            continue
        fragments = highlight.top_fragments(
            fragmenter.fragment_matches(text, matched),
            1,
            highlight.BasicFragmentScorer(),
            highlight.FIRST,
        )
        if fragments:
            fragment = fragments[0]
            snippet = Snippet(pieces=_pieces(fragment), source=source)
            if source == "pdf":
                snippet.attachment, snippet.page = _page_of(
                    fields.get("pdf_pages") or [], fragment.matches[0].startchar
                )
            return snippet
    return plain_snippet(fields)


def plain_snippet(fields: dict) -> Snippet:
    text = fields.get("summary") or (fields.get("body") or "")[:MAX_CHARS]
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0] + " …"
    return Snippet(pieces=[(text, False)] if text else [], source="summary")
