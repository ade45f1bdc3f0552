"""T-15: sanitizer invariants over 10,000 generated Markdown and HTML fragments (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.markup import _render, render_markdown, sanitize_html

from .test_render_markdown import violations
from .xss_payloads import PAYLOADS

# Pieces attackers and Markdown combine: tags, attributes, schemes, entities, Markdown syntax,
# and slices of the payload corpus.
ATOMS = [
    "<script>", "</script>", "<img", " src=x", " onerror=alert(1)", ">", "<a href=\"", "\">",
    "javascript:", "jav&#x09;ascript:", "&#106;avascript:", "data:text/html,", "vbscript:",
    "<svg", "<math", "<iframe", " srcdoc=", " style=\"x:expression(1)\"", "<style>", "<!--", "-->",
    "<![CDATA[", "]]>", "[x](", ")", "![i](", "<http://a>", "<javascript:alert(1)>", "[r]: ",
    "\n", "\n\n", "```", "`", "**", "# ", "| a | b |\n|---|---|\n", "[^1]", "[^1]: n", "[TOC]",
    "&lt;", "&amp;", "\"", "'", " ", "alert(1)", "<details open ontoggle=alert(1)>", "<form",
    " formaction=", "<base href=", "<object data=", "<noscript><p title=\"", "</noscript>",
]  # fmt: skip
ATOMS += [text[:40] for _id, text in PAYLOADS] + [text[-40:] for _id, text in PAYLOADS]

fragments = st.lists(st.sampled_from(ATOMS) | st.text(max_size=8), max_size=14).map("".join)

EXAMPLES = 10_000


def test_generated_fragments_render_only_allowed_markup_and_are_stable():
    """One test runs the property and reports the T-15 figure from its own run, so the figure
    never depends on which test ran before it (or on which xdist worker)."""
    stats = {"examples": 0, "violations": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(fragments)
    def check(text: str) -> None:
        stats["examples"] += 1
        rendered = str(render_markdown(text))
        found = violations(rendered)
        stats["violations"] += len(found)
        assert found == []
        sanitized = _render(text) if text else ""  # before tables get their scroll boxes
        assert sanitize_html(sanitized) == sanitized  # sanitize(sanitize(x)) == sanitize(x)

    try:
        check()
    finally:
        _render.cache_clear()
    print(
        f"T-15: generated examples run {stats['examples']}, violations {stats['violations']} "
        "(element not allow-listed, on* attribute, scheme outside http/https/mailto/relative, "
        "style attribute, sanitize not idempotent)"
    )
    assert stats["examples"] >= EXAMPLES
