"""Posts are Markdown rendered only through hub.markup.render_markdown: no script gets through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from hub.forum import service
from tests.forum.conftest import client_for, started
from tests.markup.xss_payloads import PAYLOADS
from tests.web import post

DANGEROUS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "form",
             "frame", "meta", "link"}  # fmt: skip
CHOSEN = {"script-plain", "img-onerror", "svg-onload", "details-ontoggle", "script-in-list"}
PAYLOAD_TEXTS = [text for name, text in PAYLOADS if name in CHOSEN] + [
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<form action="https://evil.example"><input name=p></form>',
]


class _Posts(HTMLParser):
    """Elements inside the posts list (<ol class="posts">) as a browser parses them."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "ol" and ("class", "posts") in attrs:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "ol":
            self.depth += 1
        if tag in DANGEROUS and tag != "form":
            self.found.append(tag)
        if tag == "form" and not dict(attrs).get("action", "").startswith("/discussions/"):
            self.found.append("form")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag}[{name}={value}]")

    def handle_endtag(self, tag):
        if self.depth and tag == "ol":
            self.depth -= 1


def _injected(html: str) -> list[str]:
    parser = _Posts()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOAD_TEXTS)
def test_hostile_markdown_in_posts_is_neutralised(app, brief, gha, srb, payload):
    thread = started(brief, gha, title=payload[:200], body=payload)
    service.reply(thread, f"Reply: {payload}", by=srb)
    page = client_for(app, srb).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert '<ol class="posts">' in page
    assert _injected(page) == []
    assert "<script>" not in page


def test_markdown_in_posts_renders_as_html(app, brief, gha, srb):
    thread = started(brief, gha, body="Some **bold** and [a link](https://example.org).")
    page = client_for(app, srb).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert 'href="https://example.org"' in page and 'rel="noopener noreferrer nofollow"' in page


def test_an_edit_is_sanitised_too(app, brief, gha):
    thread = started(brief, gha, body="Harmless")
    first = thread.posts[0]
    ghana = client_for(app, gha)
    hostile = {"body": "<img src=x onerror=alert(1)> edited", "version": str(first.version)}
    post(ghana, f"/discussions/posts/{first.id}/edit", hostile)
    page = ghana.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert _injected(page) == []
    history = ghana.get(f"/discussions/posts/{first.id}/history").get_data(as_text=True)
    assert "onerror" not in history


def test_the_checker_sees_an_injected_handler():
    assert _injected('<ol class="posts"><li><img src=x onerror=alert(1)></li></ol>') == [
        "img[onerror]"
    ]
