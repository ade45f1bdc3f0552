"""The Hub's Markdown renders what Python-Markdown renders, in work linear in the text.

``hub.markdown_linear`` replaces some of Python-Markdown's processors with linear ones. Two
kinds of test guard it: its output is compared with the library's own (content corpus, test
fixtures, generated text), and the work a render does is counted (Python lines executed, with
``sys.settrace``) for an input and the same input four times over. Linear work grows about 4x;
the library's processors grew 6.7x to 15x on these inputs. Inputs whose slow part ran
in C (regular expressions) are checked by CPU time instead, with a margin of more than 10x.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.config import PROJECT_ROOT
from hub.markup import EXTENSION_CONFIGS, EXTENSIONS, _markdown, plain_text, render_markdown


def stock(text: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS).convert(
        text
    )


def ours(text: str) -> str:
    return _markdown(EXTENSION_CONFIGS).convert(text)


CORPUS = sorted(
    [*(PROJECT_ROOT / "content").rglob("*.md"), *(PROJECT_ROOT / "tests").rglob("*.md")]
)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_corpus_renders_as_python_markdown_renders_it(path: Path):
    text = path.read_text(encoding="utf-8")
    assert ours(text) == stock(text)


def test_corpus_is_not_empty():
    assert len(CORPUS) >= 30


# Pieces of the syntax the replaced processors read: links, images, references, footnotes,
# tables with code spans, nested lists and quotes, headings and the [TOC] marker, complete raw
# HTML. (An unclosed start tag with no ">" after it is the one known difference: see
# test_unclosed_start_tag_stays_text.)
ATOMS = [
    "[", "]", "(", ")", "!", "'", '"', " ", "a", "b", "\n", "*", "_", "`", "\\", ":", "^", "-",
    "#", "|", "=", "/", "&", "[a](b)", "](", "[^1]", "\n\n[^1]: note\n", '\n\n[a]: /u "t"\n',
    "![x]", "http://x", "[a]", "  ", "a|b\n-|-\n", "\n| x | y |\n|---|---|\n", "<b>", "</b>",
    "<div>\n", "\n</div>", "\n\n", "``", "\\`", "&amp;", '<a href="x">', "</a>", "<!-- c -->",
    "    ", "\n> ", "\n- ", "\n1. ", "***", "[TOC]", '[a](b "t")', "[a](<b c>)", "(x)",
]  # fmt: skip
texts = st.lists(st.sampled_from(ATOMS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(texts)
def test_generated_text_renders_as_python_markdown_renders_it(text: str):
    assert ours(text) == stock(text)


def test_unclosed_start_tag_stays_text():
    assert ours("x <a y\n\nz") == stock("x <a y\n\nz") == "<p>x &lt;a y</p>\n<p>z</p>"


def lines_executed(render: Callable[[str], object], text: str) -> int:
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        render(text)
    finally:
        sys.settrace(None)
    return count


# name: (unit repeated, repeats). For 4x the text, the library ran 6.7x to 15x the lines;
# linear code runs about 4x at most.
GROWING = {
    "inline links": ("[a](/x) ", 150),
    "images": ("![a](b)", 150),
    "reference links": ("[a][r] ", 150),
    "unclosed parentheses": ("[a](", 150),
    "unclosed bracket then link": ("[ [a](b) ", 150),
    "table cells with code": ("`a`|", 150),
    "nested emphasis": ("*", 150),
    "nested quotes": (">", 60),
    "nested list of quotes": ("- > ", 30),
}


@pytest.mark.parametrize("unit, repeats", GROWING.values(), ids=GROWING.keys())
def test_work_grows_linearly_with_the_text(unit: str, repeats: int):
    def text(n: int) -> str:
        body = unit * n
        if unit == "*":
            body = "*" * n + "a" + "*" * n
        if "|" in unit:
            body = "a|b\n-|-\n" + body
        return body + "\n\n[r]: /u\n"

    small = lines_executed(ours, text(repeats))
    large = lines_executed(ours, text(4 * repeats))
    assert large < 5.5 * small, (small, large)


# Regular-expression scans (in C) that the library repeated from every "<a" or "[^".
C_SPEED = {
    "unclosed start tags": "<a " * 20_000,
    "unclosed start tags with values": "<a b=" * 12_000,
    "unclosed autolinks": "<http://a" * 6_600,
    "unclosed footnote references": "[^" * 30_000,
}


@pytest.mark.parametrize("text", C_SPEED.values(), ids=C_SPEED.keys())
def test_long_unclosed_markup_renders_in_a_bounded_cpu_time(text: str):
    """60,000 characters: the library needed 20 s or more for each; the Hub needs well under
    0.3 s. The bound is 3 s of this process's CPU time."""
    started = time.process_time()
    render_markdown(text)
    plain_text(text)
    assert time.process_time() - started < 3.0


def test_deep_nesting_renders_without_recursion_error():
    text = "*" * 5_000 + "a" + "*" * 5_000
    assert "a" in str(render_markdown(text))
