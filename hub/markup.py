"""The one way user text becomes HTML: Python-Markdown, then the nh3 sanitizer.

Every template that shows user-written rich text shows the output of ``render_markdown``; it is the
only place in the Hub that creates ``Markup`` from user input.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import markdown
import nh3
from flask_babel import gettext as _
from markdown.extensions.toc import slugify
from markupsafe import Markup, escape

from hub.markdown_linear import LinearLinksExtension

EXTENSIONS = ["tables", "fenced_code", "footnotes", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}, "footnotes": {"BACKLINK_TEXT": "&#8617;"}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p",
    "pre", "q", "s", "sub", "sup", "strong", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "span", "img", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"class"},
    "ol": {"start"},
    "code": {"class"},
}  # fmt: skip
# Only classes that Python-Markdown itself emits survive; anything else a user writes is dropped.
CODE_LANGUAGES = (
    "bash", "c", "cpp", "css", "csv", "html", "java", "javascript", "json", "markdown", "python",
    "r", "ruby", "rust", "shell", "sql", "text", "toml", "typescript", "xml", "yaml",
)  # fmt: skip
ALLOWED_CLASSES = {"div": {"footnote", "toc"}, "code": {f"language-{n}" for n in CODE_LANGUAGES}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Remove everything not on the allow-list; links may only use http, https and mailto."""
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag in ALLOWED_CLASSES:
        attributes[tag].discard("class")
    # Without this nh3 keeps its default generic attributes (title, lang) on every element.
    attributes["*"] = set()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=attributes,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _markdown(configs: dict) -> markdown.Markdown:
    """A Markdown converter with the Hub's extensions, and link patterns that stay linear on
    any text (see hub/markdown_linear.py); what they render is what the library renders."""
    return markdown.Markdown(
        extensions=[*EXTENSIONS, LinearLinksExtension()], extension_configs=configs
    )


@lru_cache(maxsize=512)
def _render(text: str, heading_base: int = 1, id_prefix: str = "") -> str:
    # Each distinct text is rendered once per process. hub/markdown_linear.py keeps the
    # renderer linear on the inputs known to be quadratic in Python-Markdown (bench/
    # markdown_render.py: 20,000 characters of any of them now take under 0.3 s), but a long
    # text still costs in proportion to its length.
    configs = EXTENSION_CONFIGS
    if heading_base != 1 or id_prefix:
        toc = dict(EXTENSION_CONFIGS["toc"], baselevel=str(heading_base))
        if id_prefix:
            toc["slugify"] = lambda value, separator: id_prefix + slugify(value, separator)
        configs = {**EXTENSION_CONFIGS, "toc": toc}
    html = sanitize_html(_markdown(configs).convert(text))
    # Markdown can nest blocks that HTML parsing splits (<p> in <p>), so one pass may not be
    # stable; a second pass reaches the form a browser (or a later sanitize) sees.
    for _attempt in range(3):
        again = sanitize_html(html)
        if again == html:
            break
        html = again
    return html


TABLE_SCROLL_CLASS = "table-scroll"


def table_scroll_open(label: str) -> str:
    """The start tag of the box each rendered table sits in. A wide table scrolls inside it on a
    phone; tabindex lets keyboard users scroll it, and role and label say what the stop is."""
    return (
        f'<div class="{TABLE_SCROLL_CLASS}" role="region" tabindex="0" '
        f'aria-label="{escape(label)}">'
    )


_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEADING_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _table_label(table_html: str, number: int) -> str:
    """A name for a table's scroll box that tells tables on one page apart: its column
    headings where it has them, else its number in the text."""
    headings = [
        html.unescape(_TAGS.sub("", cell)).strip()
        for cell in _HEADING_CELL.findall(table_html.split("</tr>", 1)[0])
    ]
    headings = [h for h in headings if h]
    if headings:
        return _("Table of %(columns)s, scrolls sideways", columns=", ".join(headings)[:200])
    return _("Table %(n)d, scrolls sideways", n=number)


def wrap_tables(sanitized: str) -> str:
    """Put every table of sanitised HTML in its scroll box.

    Done after nh3, so the box's attributes never pass through the sanitizer and user HTML can
    never set them: nh3 writes every table as a bare ``<table>`` (no attribute is allowed on
    it), and text that reads ``<table>`` comes out of nh3 escaped.
    """
    if "<table>" not in sanitized:
        return sanitized
    count = 0

    def boxed(match: re.Match) -> str:
        nonlocal count
        count += 1
        return table_scroll_open(_table_label(match.group(1), count)) + match.group(0) + "</div>"

    return _TABLE.sub(boxed, sanitized)


def render_markdown(text: str | None, *, heading_base: int = 1, id_prefix: str = "") -> Markup:
    """Render user Markdown to safe HTML. A fresh Markdown instance keeps footnotes per call.

    A page that shows several texts under headings of its own (the printable guidebook) passes
    ``heading_base``, the level of a text's title there: "#" becomes that level and "##" (a
    text's first level, under the page's h1) one below it, h6 at most. ``id_prefix`` keeps the
    texts' heading ids apart."""
    if not text:
        return Markup("")
    html = wrap_tables(_render(text, heading_base, id_prefix))
    return Markup(html)  # noqa: S704 - the one sanitised source


_plain = threading.local()


def plain_text(text: str | None) -> str:
    """Markdown reduced to plain text, for summaries, snippets and the search index.

    One Markdown instance per thread, reset between texts: building one registers every
    extension again, a third of a rebuild's time for short documents.
    """
    if not text:
        return ""
    md = getattr(_plain, "md", None)
    if md is None:
        md = _plain.md = _markdown(EXTENSION_CONFIGS)
    md.reset()
    rendered = md.convert(text)
    # Each block (heading, paragraph, list item, cell) is stripped on its own, so "Introduction"
    # and "The roadmap…" do not run together in snippets and summaries.
    # nh3 first keeps only the bare block tags (script and style go with their content).
    bare = nh3.clean(rendered, tags=_BLOCKS, attributes={"*": set()}, strip_comments=True)
    return _joined(html.unescape(piece) for piece in _BLOCK_TAG.split(bare))


_BLOCKS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "th", "td", "caption", "pre",
    "blockquote", "ul", "ol", "dl", "table", "tr", "div", "figcaption",
}  # fmt: skip
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCKS))})>")
_ENDS_SENTENCE = tuple(".!?:;…。！？；：")


def _joined(pieces: Iterable[str]) -> str:
    """Blocks joined into one line; a block that does not end a sentence gets a full stop."""
    blocks = [b for b in (" ".join(piece.split()) for piece in pieces) if b]
    ended = [b if b.endswith(_ENDS_SENTENCE) else b + "." for b in blocks[:-1]]
    return " ".join([*ended, *blocks[-1:]])
