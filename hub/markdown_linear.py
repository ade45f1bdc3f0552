"""Python-Markdown's link patterns, with the closing bracket and parenthesis found once per text.

Python-Markdown rewrites a paragraph's text after every inline match (the match becomes a
placeholder), and its link patterns then scan that new text again: ``getText`` recomputes the
closing ``]`` of every position in Python, and ``getLink`` walks to the end of the text when a
``(`` never closes. Each match thus costs the length of the paragraph, in Python, so a paragraph
of 3,333 links (20,000 characters) took 16 s to render and timed out the page showing it.

The fix keeps Python-Markdown's own classes and regular expressions and replaces the six link
and image patterns through the documented registry (same names, same priorities). What the
closing bracket of a ``[`` is depends only on the text after it, and Python-Markdown only ever
replaces text before the point it scans from, so the matching pairs are found once per text
(keyed by distance from its end) and stay valid, checked by comparing that the rest of the text
is unchanged (a C-speed comparison). ``getLink`` runs Python-Markdown's own scan on just the
part up to the matching ``)`` whenever no quote (a possible title) comes before it, and answers
"not a link" at once when a ``(`` neither closes nor meets a quote; only links with titles use
the library's scan unchanged. The output is the library's: tests compare it on the content
corpus and on generated text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from markdown import Markdown
from markdown.blockprocessors import BlockQuoteProcessor, ListIndentProcessor
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.extensions.tables import TableProcessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.htmlparser import HTMLExtractor
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.preprocessors import HtmlBlockPreprocessor

_DELIMITERS = re.compile(r"""[\[\]()'"]""")


class _Pairs:
    """Where each ``[`` and ``(`` of one text closes, and where its quotes are.

    Every position is kept as its distance from the end of the text, so the table still holds
    for a later text that ends the same way (Python-Markdown's text after a replacement)."""

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        self.brackets: dict[int, int] = {}
        self.parens: dict[int, int] = {}
        quotes: list[int] = []
        open_brackets: list[int] = []
        open_parens: list[int] = []
        for match in _DELIMITERS.finditer(text):
            pos = match.start()
            char = text[pos]
            if char == "[":
                open_brackets.append(pos)
            elif char == "]":
                if open_brackets:
                    self.brackets[size - open_brackets.pop()] = size - pos
            elif char == "(":
                open_parens.append(pos)
            elif char == ")":
                if open_parens:
                    self.parens[size - open_parens.pop()] = size - pos
            else:
                quotes.append(size - pos)
        quotes.reverse()
        self.quotes = quotes  # ascending distances from the end

    def holds_for(self, data: str, index: int) -> bool:
        """Whether ``data`` from ``index`` on is the end of the text the table was made from."""
        rest = len(data) - index
        return rest <= len(self.text) and self.text.endswith(data[index:])

    def quote_from(self, rest: int) -> int | None:
        """Distance from the end of the first quote at or after the position ``rest`` from it."""
        at = bisect_right(self.quotes, rest) - 1
        return self.quotes[at] if at >= 0 else None


class _LinearLinks:
    """``getText`` and ``getLink`` for Python-Markdown's link processors, without rescanning."""

    _pairs: _Pairs | None = None
    _checked: str | None = None
    _checked_from = 0

    def _pairs_for(self, data: str, index: int) -> _Pairs:
        if data is self._checked and index >= self._checked_from and self._pairs is not None:
            return self._pairs
        if self._pairs is None or not self._pairs.holds_for(data, index):
            self._pairs = _Pairs(data)
        self._checked, self._checked_from = data, index
        return self._pairs

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        """The text between ``[`` (just before ``index``) and its ``]``."""
        if index == 0 or data[index - 1] != "[":
            return super().getText(data, index)  # type: ignore[misc]
        # The table must hold from the "[" itself, one before ``index``.
        close = self._pairs_for(data, index - 1).brackets.get(len(data) - index + 1)
        if close is None:
            return "", len(data), False
        end = len(data) - close
        return data[index:end], end + 1, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        """The ``(url "title")`` after a link's text, as Python-Markdown reads it."""
        match = self.RE_LINK.match(data, pos=index)  # type: ignore[attr-defined]
        if not match or match.group(1):
            return super().getLink(data, index)  # type: ignore[misc]
        pairs = self._pairs_for(data, index)
        rest = len(data) - index
        close = pairs.parens.get(rest)
        quote = pairs.quote_from(rest)
        if close is None:
            if quote is None:
                return "", None, index, False
        elif quote is None or quote < close:
            # No title: the library's scan ends at the matching ")", so it needs only that part.
            part = data[index : len(data) - close + 1]
            href, title, end, handled = super().getLink(part, 0)  # type: ignore[misc]
            return href, title, index + end, handled
        return super().getLink(data, index)  # type: ignore[misc]


class _Link(_LinearLinks, LinkInlineProcessor):
    pass


class _Image(_LinearLinks, ImageInlineProcessor):
    pass


class _Reference(_LinearLinks, ReferenceInlineProcessor):
    pass


class _ImageReference(_LinearLinks, ImageReferenceInlineProcessor):
    pass


class _ShortReference(_LinearLinks, ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_LinearLinks, ShortImageReferenceInlineProcessor):
    pass


class _FootnoteReference(FootnoteInlineProcessor):
    """``[^id]``, without requiring the ``]`` in the pattern.

    The library's pattern ``\\[\\^([^\\]]*)\\]`` reads to the end of the text from every ``[^``
    that never closes. This one stops where that one would have looked for the ``]``, so a
    failed attempt uses up the text it read and the next search starts after it; where the
    ``]`` is there, the library's own pattern matches the same span."""

    OPEN = r"\[\^([^\]]*)"
    WHOLE = re.compile(r"\[\^([^\]]*)\]")

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int | None, int | None]:
        if not data.startswith("]", m.end()):
            return None, None, None
        return super().handleMatch(self.WHOLE.match(data, m.start()), data)


class _Extractor(HTMLExtractor):
    """Python-Markdown's raw-HTML finder, without the standard library's quadratic start tags.

    Python 3.11's ``html.parser`` tries a start tag at every ``<`` followed by a letter, and the
    attempt reads on to the next ``>``, or to the end of the text when none follows (``<a <a
    <a``: 20,000 characters took 2.2 s). A start tag ends with ``>``, so where no ``>`` follows,
    the answer is known at once: not a whole tag, and Python-Markdown keeps the ``<`` as text."""

    _text: str | None = None
    _last_gt = -1

    def check_for_whole_start_tag(self, i: int) -> int:
        if self.rawdata is not self._text:
            self._text = self.rawdata
            self._last_gt = self.rawdata.rfind(">")
        if self._last_gt < i:
            return -1
        return super().check_for_whole_start_tag(i)


class _HtmlBlock(HtmlBlockPreprocessor):
    """The library's ``html_block`` preprocessor, with the extractor above."""

    def run(self, lines: list[str]) -> list[str]:
        parser = _Extractor(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class _Table(TableProcessor):
    """The library's table processor with a linear ``_split``.

    The library pairs code-span backticks with ``list.index`` over a copy of the rest of the row
    and checks each ``|`` against every code span before it: quadratic in the backticks and pipes
    of one row. This is the same pairing (each opening run of n backticks closes at the next run
    of n) with one index per run length, and one pass over pipes and spans."""

    def _split(self, row: str) -> list[str]:
        pipes: list[int] = []
        tics: list[tuple[int, int, int, int]] = []  # (backticks, escape, start, end)
        for m in self.RE_CODE_PIPES.finditer(row):
            if m.group(2):
                tics.append((len(m.group(2)) - 1, 1, m.start(2), m.end(2) - 1))
            elif m.group(3):
                tics.append((len(m.group(3)), 0, m.start(3), m.end(3) - 1))
            elif m.group(5):
                pipes.append(m.start(5))
        # As in the library, a run opens with its backticks less its escaping backslash and
        # closes at the next run of exactly that many backticks.
        runs_of: dict[int, list[int]] = {}
        for position, (count, *_rest) in enumerate(tics):
            runs_of.setdefault(count, []).append(position)
        regions: list[tuple[int, int]] = []
        pos = 0
        while pos < len(tics):
            size = tics[pos][0] - tics[pos][1]
            later = runs_of.get(size, [])
            at = bisect_right(later, pos)
            if size == 0 or at == len(later):
                pos += 1
                continue
            close = later[at]
            regions.append((tics[pos][2], tics[close][3]))
            pos = close + 1
        elements: list[str] = []
        start = 0
        region = 0
        for pipe in pipes:
            while region < len(regions) and regions[region][1] < pipe:
                region += 1
            if region < len(regions) and regions[region][0] <= pipe:
                continue
            elements.append(row[start:pipe])
            start = pipe + 1
        elements.append(row[start:])
        return elements


class _Toc(TocTreeprocessor):
    """The table-of-contents processor, walking the tree without recursion.

    The library walks with nested generators (each element costs its depth) and joins the text
    below every element: quadratic in the nesting, and a RecursionError (a 500) on emphasis
    nested a thousand deep. Same walk, same order, with a stack; the joined text only skipped
    elements whose text cannot be the marker anyway."""

    def iterparent(self, node: Any) -> Any:
        stack = [(node, iter(node))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
            elif not self.header_rgx.match(child.tag) and child.tag not in ("pre", "code"):
                yield parent, child
                stack.append((child, iter(child)))

    def replace_marker(self, root: Any, elem: Any) -> None:
        for parent, child in self.iterparent(root):
            if child.text and child.text.strip() == self.marker and len(child) == 0:
                for i in range(len(parent)):
                    if parent[i] == child:
                        parent[i] = elem
                        break


MAX_NESTING = 64
"""Blockquotes and lists nested deeper than this stay text. The library stops 100 frames short
of the recursion limit, by walking the whole stack on every test: quadratic in the depth (a
20,000-character nest of lists and quotes took 3 s). No real text nests 64 deep."""


class _Nesting:
    """Counts how deep blocks are nested, so ``test`` need not measure the stack."""

    def _shallow(self) -> bool:
        return getattr(self.parser, "hub_nesting", 0) < MAX_NESTING  # type: ignore[attr-defined]

    def run(self, parent: Any, blocks: list[str]) -> Any:
        parser = self.parser  # type: ignore[attr-defined]
        parser.hub_nesting = getattr(parser, "hub_nesting", 0) + 1
        try:
            return super().run(parent, blocks)  # type: ignore[misc]
        finally:
            parser.hub_nesting -= 1


class _Indent(_Nesting, ListIndentProcessor):
    def test(self, parent: Any, block: str) -> bool:
        return (
            block.startswith(" " * self.tab_length)
            and not self.parser.state.isstate("detabbed")
            and self._shallow()
            and (
                parent.tag in self.ITEM_TYPES
                or bool(
                    len(parent) and parent[-1] is not None and parent[-1].tag in self.LIST_TYPES
                )
            )
        )

    def _follows_list(self, parent: Any) -> bool:
        return bool(len(parent) and parent[-1] is not None and parent[-1].tag in self.LIST_TYPES)


class _Quote(_Nesting, BlockQuoteProcessor):
    def test(self, parent: Any, block: str) -> bool:
        return bool(self.RE.search(block)) and self._shallow()


class _OList(_Nesting, SaneOListProcessor):
    def test(self, parent: Any, block: str) -> bool:
        return bool(self.RE.match(block)) and self._shallow()


class _UList(_Nesting, SaneUListProcessor):
    def test(self, parent: Any, block: str) -> bool:
        return bool(self.RE.match(block)) and self._shallow()


class LinearLinksExtension(Extension):
    """Registers the linear processors in place of Python-Markdown's own (load it last)."""

    def extendMarkdown(self, md: Markdown) -> None:
        patterns: list[tuple[Any, str, str, float]] = [
            (_Reference, REFERENCE_RE, "reference", 170),
            (_Link, LINK_RE, "link", 160),
            (_Image, IMAGE_LINK_RE, "image_link", 150),
            (_ImageReference, IMAGE_REFERENCE_RE, "image_reference", 140),
            (_ShortReference, REFERENCE_RE, "short_reference", 130),
            (_ShortImageReference, IMAGE_REFERENCE_RE, "short_image_ref", 125),
        ]
        for cls, pattern, name, priority in patterns:
            md.inlinePatterns.register(cls(pattern, md), name, priority)
        if "footnote" in md.inlinePatterns:
            footnotes = md.inlinePatterns["footnote"].footnotes
            reference = _FootnoteReference(_FootnoteReference.OPEN, footnotes)
            md.inlinePatterns.register(reference, "footnote", 175)
        if "table" in md.parser.blockprocessors:
            config = md.parser.blockprocessors["table"].config
            md.parser.blockprocessors.register(_Table(md.parser, config), "table", 75)
        md.preprocessors.register(_HtmlBlock(md), "html_block", 20)
        blocks = md.parser.blockprocessors
        blocks.register(_Indent(md.parser), "indent", 90)
        blocks.register(_OList(md.parser), "olist", 40)
        blocks.register(_UList(md.parser), "ulist", 30)
        blocks.register(_Quote(md.parser), "quote", 20)
        for extension in md.registeredExtensions:
            if isinstance(extension, TocExtension):
                md.treeprocessors.register(_Toc(md, extension.getConfigs()), "toc", 5)
