"""Markdown render time on hostile inputs: Python-Markdown as shipped against the Hub's renderer.

For each pathological input (many links, unclosed brackets and parentheses, unclosed start tags,
nested emphasis, backticks, tables, deep lists and quotes, ...) at a given size, prints the CPU
seconds of one conversion by stock Python-Markdown (the Hub's extensions, nothing replaced) and by
the Hub's converter (``hub.markup._markdown``, with ``hub.markdown_linear``), then the Hub's full
``render_markdown`` (Markdown + nh3) on the same text. All figures are CPU seconds (the machine
is shared). Stock conversions run in a child process limited to 60 CPU seconds.

    .venv/bin/python bench/markdown_render.py               # 12,000 and 20,000 characters
    .venv/bin/python bench/markdown_render.py --sizes 200000 --hub-only   # the Hub alone

20,000 characters is the limit of forum posts, peer offers and country priorities; document
bodies accept 200,000. The target: every accepted text well under a second.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_SECONDS = 60  # CPU seconds a stock conversion may use

CASES: dict[str, Callable[[int], str]] = {
    "links [a](/n)": lambda n: "".join(f"[a](/{i % 10})" for i in range(n // 6)),
    "links with spaces": lambda n: "[a](/x) " * (n // 8),
    "images": lambda n: "![a](b)" * (n // 7),
    "reference links": lambda n: "[a][r] " * (n // 7) + "\n\n[r]: /x\n",
    "unclosed [": lambda n: "[" * n,
    "unclosed [a](": lambda n: "[a](" * (n // 4),
    "unclosed [ then link": lambda n: "[ [a](b) " * (n // 9),
    "unclosed [^": lambda n: "[^" * (n // 2),
    "unclosed <a": lambda n: "<a " * (n // 3),
    "unclosed <a b=": lambda n: "<a b=" * (n // 5),
    "unclosed <http://a": lambda n: "<http://a" * (n // 9),
    "many <": lambda n: "<" * n,
    "many &": lambda n: "&" * n,
    "nested emphasis *": lambda n: "*" * (n // 2) + "a" + "*" * (n // 2),
    "nested emphasis _": lambda n: "_" * (n // 2) + "a" + "_" * (n // 2),
    "alternating *_": lambda n: "*_" * (n // 2),
    "backticks": lambda n: "`" * n,
    "a` pairs": lambda n: "a`" * (n // 2),
    "table cells `|": lambda n: "a|b\n-|-\n" + "`|" * (n // 2),
    "table cells `a`|": lambda n: "a|b\n-|-\n" + "`a`|" * (n // 4),
    "deep blockquote": lambda n: ">" * n + " a",
    "nested list of quotes": lambda n: "- > " * (n // 4) + "a",
    "ordered list items": lambda n: "1. a\n" * (n // 5),
    "setext headings": lambda n: "a\n=\n" * (n // 4),
    "hash headings": lambda n: "# a\n" * (n // 4),
    "footnote references": lambda n: "[^1] " * (n // 5) + "\n\n[^1]: x\n",
    "normal prose (content/)": None,  # filled in below
}


def _prose(n: int) -> str:
    root = Path(__file__).resolve().parent.parent / "content"
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.md")))
    return (text * (n // len(text) + 1))[:n]


CASES["normal prose (content/)"] = _prose


def _stock_seconds(text: str) -> float:
    import markdown

    from hub.markup import EXTENSION_CONFIGS, EXTENSIONS

    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    started = time.process_time()
    try:
        md.convert(text)
    except RecursionError:
        return -1.0
    return time.process_time() - started


def _stock_child(text: str, out: multiprocessing.Queue) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (LIMIT_SECONDS, LIMIT_SECONDS + 1))
    out.put(_stock_seconds(text))


def stock(text: str) -> str:
    """Stock Python-Markdown's CPU seconds, in a child with a CPU-time limit."""
    out: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_stock_child, args=(text, out))
    child.start()
    child.join()
    if child.exitcode != 0:
        return f">{LIMIT_SECONDS}"
    seconds = out.get()
    return "RecursionError" if seconds < 0 else f"{seconds:.3f}"


def hub(text: str) -> tuple[float, float]:
    from hub.markup import EXTENSION_CONFIGS, _markdown, _render

    md = _markdown(EXTENSION_CONFIGS)
    started = time.process_time()
    md.convert(text)
    converted = time.process_time() - started
    _render.cache_clear()
    started = time.process_time()
    _render(text)
    return converted, time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[12_000, 20_000])
    parser.add_argument("--hub-only", action="store_true", help="skip stock Python-Markdown")
    args = parser.parse_args()
    os.nice(10)
    worst = 0.0
    print(f"{'input':26s} {'chars':>7s} {'stock s':>14s} {'Hub s':>8s} {'render s':>9s}")
    for size in args.sizes:
        for name, make in CASES.items():
            text = make(size)
            before = "-" if args.hub_only else stock(text)
            converted, rendered = hub(text)
            worst = max(worst, rendered)
            print(
                f"{name:26s} {len(text):7d} {before:>14s} {converted:8.3f} {rendered:9.3f}",
                flush=True,
            )
    print(f"slowest Hub render (Markdown + nh3): {worst:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
