"""Structural XSS checks and behaviour tests for ``hub.markup``.

The rendered HTML is parsed with ``html.parser`` and every element, attribute and URL is checked
against the module's own allow-lists, so a test fails whenever something outside them gets through.
Run with ``-s`` to see the one-line corpus summary.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from hub.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    _render,
    plain_text,
    render_markdown,
    sanitize_html,
)

from .xss_payloads import PAYLOADS

# ``sanitize_html`` tells nh3 to put this on every <a>; it is the only attribute nh3 adds itself.
LINK_REL = "noopener noreferrer nofollow"
URL_ATTRIBUTES = {"href", "src"}
# The one element with attributes outside the allow-lists: the scroll box render_markdown puts
# around each table after sanitising. It passes only with exactly these attributes, its label
# naming the table's columns (or its number) so that boxes on one page differ.
TABLE_SCROLL_ATTRS = [("class", "table-scroll"), ("role", "region"), ("tabindex", "0")]
_SCROLL_LABEL = re.compile(r"Table (of .+|\d+), scrolls sideways", re.S)


def is_table_scroll(tag: str, attrs: list) -> bool:
    return (
        tag == "div"
        and attrs[:3] == TABLE_SCROLL_ATTRS
        and len(attrs) == 4
        and attrs[3][0] == "aria-label"
        and bool(_SCROLL_LABEL.fullmatch(attrs[3][1] or ""))
    )


class _Collector(HTMLParser):
    """Collects (tag, attrs) for every start tag, plus all text data."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(rendered: str) -> _Collector:
    collector = _Collector()
    collector.feed(str(rendered))
    collector.close()
    return collector


# WHATWG URL parser: a scheme is an ASCII letter followed by letters, digits, "+", "-" or ".",
# terminated by ":". Anything else before the first ":" means the URL has no scheme (is relative).
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def _normalise_url(value: str) -> str:
    """The URL as a browser's URL parser sees it before looking for a scheme.

    ``value`` comes from ``html.parser``, which has already decoded character references exactly
    once, as a browser does (so ``javascript&#58;`` arrives here as ``javascript:``). Then, as the
    WHATWG URL parser does: strip leading/trailing C0 controls and spaces, remove every ASCII tab
    and newline anywhere, and lower-case (schemes are case-insensitive).
    """
    value = value.strip(_C0_AND_SPACE)
    value = re.sub(r"[\t\n\r]", "", value)
    return value.lower()


def url_scheme(value: str) -> str | None:
    """The scheme of a URL, or None when the URL is relative.

    Relative means it starts with "#", "/" or "?", or has no ":" before the first "/", "?" or "#",
    or what precedes that ":" is not a syntactically valid scheme (``%6a...:``,
    ``java\u200bscript:``),
    which browsers resolve against the page URL instead of executing.
    """
    value = _normalise_url(value)
    if value.startswith(("#", "/", "?")):
        return None
    head = re.split(r"[/?#]", value, maxsplit=1)[0]
    if ":" not in head:
        return None
    match = _SCHEME.match(head)
    return match.group(1) if match else None


def violations(rendered: str) -> list[str]:
    """Everything in ``rendered`` that lies outside the allow-lists, described one per entry."""
    found: list[str] = []
    for tag, attrs in parse(rendered).elements:
        if is_table_scroll(tag, attrs):
            continue
        if tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                found.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                found.append(f"style= on <{tag}>")
            elif name == "rel" and tag == "a":
                if value != LINK_REL:
                    found.append(f"rel={value!r} on <a>")
            elif name not in allowed:
                found.append(f"attribute {name}= on <{tag}>")
            elif name == "class":
                extra = set(value.split()) - ALLOWED_CLASSES.get(tag, set())
                if extra:
                    found.append(f"class {sorted(extra)} on <{tag}>")
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    found.append(f"url {name}={value!r} on <{tag}>")
    return found


PAYLOAD_PARAMS = [pytest.param(text, id=pid) for pid, text in PAYLOADS]
FENCED_PARAMS = [pytest.param(text, id=pid) for pid, text in PAYLOADS if pid.startswith("fenced-")]
FENCE_INFO_PARAMS = [
    pytest.param(text, id=pid) for pid, text in PAYLOADS if pid.startswith("fence-info-")
]


# --- the checker itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01\x02javascript:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&#x3A;alert(1)",
        "javascript&colon;alert(1)",
        "java&Tab;script:alert(1)",
        "&#x6A;avascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "VBScript:x",
    ],
)
def test_checker_flags_dangerous_urls(href):
    # ``href`` is written into the attribute verbatim, so character references are decoded once.
    assert violations(f'<a href="{href}">x</a>')


@pytest.mark.parametrize(
    "markup",
    [
        "<script>x</script>",
        '<p onclick="x">x</p>',
        '<p style="x">x</p>',
        '<div class="evil">x</div>',
        '<a rel="opener">x</a>',
        '<img src="x" srcset="y">',
        '<code class="language-python x">',
    ],
)
def test_checker_flags_disallowed_markup(markup):
    assert violations(markup)


@pytest.mark.parametrize(
    "url",
    [
        "#frag", "/path", "?q=1", "relative/page", "page.html#a:b", "https://x.example", "HTTPS://X",
        "mailto:a@b.c", "%6A%61%76%61%73%63%72%69%70%74:alert(1)", "java\u200bscript:alert(1)",
        "\u2028javascript:alert(1)", "java\ufffdscript:alert(1)", "java   script:alert(1)",
    ],
)  # fmt: skip
def test_checker_treats_safe_or_schemeless_urls_as_allowed(url):
    # The last five are relative URLs to a browser: their text before ":" is not a valid scheme.
    assert url_scheme(url) in {None, *URL_SCHEMES}


def test_corpus_has_at_least_sixty_distinct_payloads():
    ids = [pid for pid, _ in PAYLOADS]
    assert len(PAYLOADS) >= 60
    assert len(set(ids)) == len(ids)
    assert len({text for _, text in PAYLOADS}) == len(PAYLOADS)


# --- structural checks over the XSS corpus --------------------------------------------------------


@pytest.mark.parametrize("text", PAYLOAD_PARAMS)
def test_payload_renders_as_markup(text):
    assert isinstance(render_markdown(text), Markup)


@pytest.mark.parametrize("text", PAYLOAD_PARAMS)
def test_payload_yields_only_allowed_elements(text):
    tags = {tag for tag, _ in parse(render_markdown(text)).elements}
    assert tags <= ALLOWED_TAGS, sorted(tags - ALLOWED_TAGS)


@pytest.mark.parametrize("text", PAYLOAD_PARAMS)
def test_payload_yields_no_event_handlers_or_styles(text):
    names = {name for _, attrs in parse(render_markdown(text)).elements for name, _ in attrs}
    assert not {n for n in names if n.startswith("on") or n == "style"}


@pytest.mark.parametrize("text", PAYLOAD_PARAMS)
def test_payload_yields_only_allowed_attributes_classes_and_urls(text):
    assert violations(render_markdown(text)) == []


@pytest.mark.parametrize("text", PAYLOAD_PARAMS)
def test_sanitize_html_is_idempotent_on_rendered_payload(text):
    out = _render(text)  # the sanitised HTML, before tables get their scroll boxes
    assert sanitize_html(out) == out


@pytest.mark.parametrize("text", FENCED_PARAMS)
def test_fenced_payload_stays_escaped_text_inside_pre_code(text):
    parsed = parse(render_markdown(text))
    assert [tag for tag, _ in parsed.elements] == ["pre", "code"]
    assert "<" in "".join(parsed.text)


@pytest.mark.parametrize("text", FENCE_INFO_PARAMS)
def test_payload_in_fence_info_string_stays_escaped_text_inside_code(text):
    parsed = parse(render_markdown(text))
    assert [tag for tag, _ in parsed.elements] in (["pre", "code"], ["p", "code"])
    assert "<" in "".join(parsed.text)


def test_xss_corpus_has_no_violations():
    found = {pid: violations(render_markdown(text)) for pid, text in PAYLOADS}
    total = sum(len(v) for v in found.values())
    print(
        f"\nXSS corpus: {len(PAYLOADS)} payloads, {total} disallowed elements/attributes/urls found"
    )
    assert total == 0, {pid: v for pid, v in found.items() if v}


# --- behaviour ---------------------------------------------------------------------------------


def test_table_syntax_renders_a_table_in_a_focusable_labelled_scroll_box():
    out = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    elements = parse(out).elements
    assert is_table_scroll(*elements[0])
    assert dict(elements[0][1])["aria-label"] == "Table of a, b, scrolls sideways"
    assert elements[1][0] == "table"
    assert {"thead", "tbody", "tr", "th", "td"} <= {tag for tag, _ in elements}
    assert str(out).rstrip().endswith("</table></div>")


def test_every_table_gets_its_own_scroll_box():
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    out = str(render_markdown(table + "Between.\n\n" + table))
    assert out.count('<div class="table-scroll"') == 2
    assert out.count("</table></div>") == 2


@pytest.mark.parametrize(
    "text",
    [
        '<table tabindex="0" role="region" aria-label="x"><tr><td>1</td></tr></table>',
        '<div class="table-scroll" tabindex="0" role="region" aria-label="x">hi</div>',
        '<p tabindex="3" role="button">click</p>',
    ],
)
def test_user_supplied_tabindex_role_and_label_are_stripped(text):
    elements = parse(render_markdown(text)).elements
    user_attrs = [attrs for tag, attrs in elements if not is_table_scroll(tag, attrs)]
    names = {name for attrs in user_attrs for name, _ in attrs}
    assert not names & {"tabindex", "role", "aria-label"}
    assert violations(render_markdown(text)) == []


def test_tables_on_one_page_get_different_names():
    named = "| Indicator | Target |\n|---|---|\n| 1 | 2 |\n\n"
    unnamed = "<table><tr><td>1</td></tr></table>\n\n"
    labels = [
        dict(attrs)["aria-label"]
        for tag, attrs in parse(render_markdown(named + unnamed + unnamed)).elements
        if is_table_scroll(tag, attrs)
    ]
    assert labels == [
        "Table of Indicator, Target, scrolls sideways",
        "Table 2, scrolls sideways",
        "Table 3, scrolls sideways",
    ]


def test_text_that_looks_like_a_table_tag_gets_no_scroll_box():
    out = str(render_markdown("Write `<table>` or &lt;table&gt; in text."))
    assert "table-scroll" not in out


def test_fenced_code_keeps_script_as_escaped_text_in_pre_code():
    out = str(render_markdown("```python\n<script>alert(1)</script>\n```"))
    assert out.startswith('<pre><code class="language-python">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<script" not in out


def test_footnotes_produce_a_footnote_list():
    out = render_markdown("Claim[^1].\n\n[^1]: The source.")
    elements = parse(out).elements
    assert ("div", [("class", "footnote")]) in elements
    assert ("li", [("id", "fn:1")]) in elements
    assert ("sup", [("id", "fnref:1")]) in elements
    assert "The source." in out


def test_toc_marker_produces_toc_linking_to_heading_anchors():
    out = render_markdown("[TOC]\n\n# First heading\n\n## Second heading\n\ntext")
    elements = parse(out).elements
    assert ("div", [("class", "toc")]) in elements
    hrefs = [dict(a)["href"] for t, a in elements if t == "a"]
    ids = {dict(a).get("id") for t, a in elements if t in {"h1", "h2"}}
    assert hrefs == ["#first-heading", "#second-heading"]
    assert ids == {"first-heading", "second-heading"}


@pytest.mark.parametrize(
    "url", ["http://example.org/a", "https://example.org/a?b=1#c", "mailto:someone@example.org"]
)
def test_allowed_scheme_links_survive_with_noopener(url):
    elements = parse(render_markdown(f"[link]({url})")).elements
    (attrs,) = [dict(a) for t, a in elements if t == "a"]
    assert attrs["href"] == url
    assert "noopener" in attrs["rel"].split()


@pytest.mark.parametrize("url", ["/resources/42", "../up", "page.html", "#section", "?page=2"])
def test_relative_links_survive(url):
    elements = parse(render_markdown(f"[link]({url})")).elements
    assert [dict(a)["href"] for t, a in elements if t == "a"] == [url]


def test_links_get_rel_noopener_noreferrer_nofollow():
    out = render_markdown(
        '[a](https://a.example) <https://b.example> <a href="/c" rel="opener">c</a>'
    )
    rels = [dict(a).get("rel") for t, a in parse(out).elements if t == "a"]
    assert rels == [LINK_REL] * 3


def test_footnotes_do_not_leak_between_calls():
    first = render_markdown("One[^a].\n\n[^a]: Only in the first document.")
    second = render_markdown("Two, plain paragraph.")
    third = render_markdown("Three[^a].")
    assert "Only in the first document." in first
    assert "Only in the first document." not in second
    assert "footnote" not in second
    assert "Only in the first document." not in third
    assert "fn:a" not in third


@pytest.mark.parametrize("text", ["", None])
def test_empty_or_none_input_gives_empty_markup(text):
    out = render_markdown(text)
    assert isinstance(out, Markup)
    assert out == ""


def test_plain_text_strips_tags_and_unescapes_entities():
    text = "# Title\n\nSome **bold** & <em>raw</em> text &amp; [a link](https://x.example) &lt;3"
    assert plain_text(text) == "Title. Some bold & raw text & a link <3"


def test_plain_text_never_runs_a_heading_into_the_next_sentence():
    text = "## Introduction\n\nThe roadmap sets goals.\n\n### Why?\n\nBecause."
    assert plain_text(text) == "Introduction. The roadmap sets goals. Why? Because."


def test_plain_text_separates_list_items_and_keeps_inline_text_together():
    text = "Steps:\n\n- map the *system*\n- choose priorities\n\nDone"
    assert plain_text(text) == "Steps: map the system. choose priorities. Done"


@pytest.mark.parametrize("text", ["", None])
def test_plain_text_of_empty_or_none_is_empty_string(text):
    assert plain_text(text) == ""


def test_plain_text_drops_script_content():
    assert "alert" not in plain_text("before <script>alert(1)</script> after")


def test_large_document_renders():
    block = (
        "## Section {n}\n\nA paragraph with **bold**, *italic*, `code` and a [link](https://x.example/{n}).\n\n"
        "| a | b |\n|---|---|\n| {n} | <img src=x onerror=alert({n})> |\n\n"
        "```python\nprint({n})  # <script>\n```\n\n- item\n- item\n\n"
    )
    parts, size, n = [], 0, 0
    while size < 200_000:
        part = block.format(n=n)
        parts.append(part)
        size += len(part)
        n += 1
    text = "[TOC]\n\n" + "".join(parts)
    out = render_markdown(text)
    print(f"\nlarge document: {len(text)} chars of Markdown -> {len(out)} chars of HTML")
    assert len(text) >= 200_000
    assert str(out).count("<table>") == n
    assert violations(out) == []


def test_heading_base_shifts_headings_and_prefixes_their_ids():
    out = str(render_markdown("# Top\n\n## Inner\n\n###### Deep", heading_base=3, id_prefix="s--"))
    assert '<h3 id="s--top">Top</h3>' in out
    assert '<h4 id="s--inner">Inner</h4>' in out
    assert '<h6 id="s--deep">Deep</h6>' in out  # never past h6


def test_heading_base_output_is_still_sanitised():
    text = "# T\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    assert violations(render_markdown(text, heading_base=2, id_prefix="p--")) == []
