"""SDG badges show white text on the goal's colour: each colour must give WCAG AA contrast.

The ratios are computed from hub/static/hub.css itself, so a colour changed there is checked.
Badges use small text (about 14 px), so the AA threshold for normal text applies: 4.5:1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "hub" / "static" / "hub.css"
AA_NORMAL_TEXT = 4.5
RULE = re.compile(r"\.sdg-(\d+)\s*\{\s*background:\s*#([0-9a-fA-F]{6})\s*;?\s*\}")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour written as six hex digits."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def sdg_backgrounds() -> dict[int, str]:
    return {int(n): colour for n, colour in RULE.findall(CSS.read_text(encoding="utf-8"))}


def test_contrast_ratio_matches_known_values():
    assert contrast_ratio("ffffff", "000000") == pytest.approx(21.0)
    assert contrast_ratio("ffffff", "ffffff") == pytest.approx(1.0)
    # The SDG 2 colour that axe measured at 4.46:1 before it was darkened.
    assert contrast_ratio("ffffff", "9c6f1e") == pytest.approx(4.46, abs=0.01)


def test_every_goal_has_exactly_one_badge_colour():
    found = RULE.findall(CSS.read_text(encoding="utf-8"))
    numbers = sorted(int(n) for n, _ in found)
    assert numbers == list(range(1, 18)), f"`.sdg-N {{ background: #rrggbb; }}` rules: {numbers}"


def test_badge_text_is_white():
    rule = re.search(r"\.sdg\s*\{[^}]*\}", CSS.read_text(encoding="utf-8"))
    assert rule and re.search(r"(?<![-\w])color:\s*#fff\b", rule.group(0)), rule


@pytest.mark.parametrize("number", range(1, 18))
def test_white_text_on_each_sdg_colour_meets_aa(number):
    colour = sdg_backgrounds()[number]
    ratio = contrast_ratio("ffffff", colour)
    assert ratio >= AA_NORMAL_TEXT, f"SDG {number} #{colour}: white text at {ratio:.2f}:1"
