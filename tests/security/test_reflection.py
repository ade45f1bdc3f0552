"""T-16: reflected input in HTML text, attributes and JSON; markup created only by the sanitizer."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from tests.markup.xss_payloads import PAYLOADS

HUB = Path(__file__).resolve().parents[2] / "hub"
REFLECTING_URLS = ["/search?q={}", "/briefs/?country={}", "/briefs/?sdg={}", "/briefs/?page={}",
                   "/login?next={}", "/guidebook/x/diff?from={}&to=2"]  # fmt: skip
DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "math", "base", "frame"}


class _Elements(HTMLParser):
    """Elements and attributes as a browser builds them: escaped text in a value stays text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


def _injected(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_t16_reflected_parameters_never_come_back_as_markup(client):
    checks = leaks = 0
    for _id, payload in PAYLOADS:
        for pattern in REFLECTING_URLS:
            response = client.get(pattern.format(quote(payload[:200])))
            checks += 1
            body = response.data.decode()
            # The page's own markup has none of these; any hit is the payload as markup.
            if _injected(body):
                leaks += 1
            assert response.status_code < 500
    print(f"T-16: reflected checks {checks}, payloads echoed as markup {leaks}")
    assert leaks == 0


def test_t16_json_responses_are_typed_and_nosniff(client):
    response = client.get("/health")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_t16_markup_is_made_only_by_the_sanitizer():
    offenders = []
    for path in HUB.rglob("*"):
        if path.suffix not in {".py", ".html"} or path.name == "markup.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"\|\s*safe\b",
            r"\bMarkup\(",
            r"render_template_string",
            r"autoescape\s+false",
        ):
            offenders += [f"{path.relative_to(HUB)}: {pattern}" for _ in re.findall(pattern, text)]
    print(f"T-16: |safe / Markup( / render_template_string outside hub/markup.py: {len(offenders)}")
    assert offenders == []


def test_t16_checker_sees_injected_markup_and_ignores_escaped_text():
    assert _injected('<p><img src=x onerror="alert(1)"></p>') == ["img", "img[onerror]"]
    assert _injected('<input value="&lt;img src=x onerror=alert(1)&gt;">') == []
