"""The one way user text becomes HTML: Python-Markdown, then the nh3 sanitizer.

Every template that shows user-written rich text shows the output of ``render_markdown``; it is the
only place in the Hub that creates ``Markup`` from user input.
"""

from __future__ import annotations

import html
import threading
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

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


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    # Python-Markdown is slow on some inputs (Python-Markdown/markdown#798: runs of unclosed
    # brackets are quadratic), so each distinct text is rendered once per process.
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    html = sanitize_html(md.convert(text))
    # Markdown can nest blocks that HTML parsing splits (<p> in <p>), so one pass may not be
    # stable; a second pass reaches the form a browser (or a later sanitize) sees.
    for _ in range(3):
        again = sanitize_html(html)
        if again == html:
            break
        html = again
    return html


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to safe HTML. A fresh Markdown instance keeps footnotes per call."""
    if not text:
        return Markup("")
    return Markup(_render(text))  # noqa: S704 - the one sanitised source


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
        md = _plain.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS
        )
    md.reset()
    rendered = md.convert(text)
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
