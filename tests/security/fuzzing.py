"""T-35 fuzzing targets: ``render_markdown()`` and the PDF text extraction, driven by Hypothesis.

Shared by the short run in ``make test`` (tests/security/test_fuzz_markdown_pdf.py) and the long
run (bench/fuzz.py). Each target takes one generated input, runs it, and returns what went
wrong (an exception, a broken invariant) and the CPU seconds it took; the callers count.

Markdown invariants: no exception; the HTML has no element, attribute or URL outside the
sanitizer's allow-lists (so no script, no event handler, no javascript: URL), checked with the
structural checker of tests/markup. PDF invariants: ``extract_text`` (the sandboxed child process)
never raises and says ok or failed; the worker's own function, run in this process for speed on
most inputs, never raises and always prints one JSON object.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import resource
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from hub.documents import extract_worker
from hub.documents.extraction import MAX_TEXT_CHARS, extract_text
from hub.markup import _render, render_markdown
from tests.markup.test_render_markdown import violations
from tests.markup.test_sanitizer_properties import ATOMS as XSS_ATOMS
from tests.security.pdf_corpus import FONT, HELLO, assemble, one_page, stream

CORPUS = Path(__file__).with_name("fuzz_corpus")

# Markdown syntax the renderer's own processors read, beside the sanitizer's attack pieces.
MARKDOWN_ATOMS = [
    "[", "]", "(", ")", "![", "[^", "<", ">", "&", "*", "_", "**", "__", "`", "``", "\\", "|",
    "#", "=", "-", ":", "'", '"', "\n", "\n\n", "    ", "\t", "> ", "- ", "1. ", "[a](b)",
    '[a](b "t")', "[a][r]", "\n\n[r]: /u\n", "[^1]", "\n\n[^1]: n\n", "a|b\n-|-\n", "<a ",
    "<b>", "</b>", "<div>\n", "\n</div>", "<!--", "-->", "<http://a>", "&amp;", "&#", "[TOC]",
    "```\n", "~~~\n", "\x02", "\x03", "klzzwxh:0", "wzxhzdk:0",
]  # fmt: skip

_pieces = st.sampled_from(MARKDOWN_ATOMS + XSS_ATOMS) | st.text(max_size=6)
# Mixed fragments, and runs of one piece: the slow inputs found so far were all long runs.
markdown_texts = st.one_of(
    st.lists(_pieces, max_size=60).map("".join),
    st.tuples(st.lists(_pieces, min_size=1, max_size=3).map("".join), st.integers(1, 1000)).map(
        lambda pair: pair[0] * pair[1]
    ),
)


@dataclass
class Outcome:
    """What one input did: problems found (empty when all held) and its CPU seconds."""

    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def render_once(text: str) -> Outcome:
    """Render ``text`` uncached and check the output against the sanitizer's allow-lists."""
    outcome = Outcome()
    _render.cache_clear()
    started = time.process_time()
    try:
        rendered = str(render_markdown(text))
    except Exception as exc:  # the finding, not a failure of the harness
        outcome.problems.append(f"{type(exc).__name__}: {exc}"[:200])
        rendered = ""
    outcome.seconds = time.process_time() - started
    outcome.problems += violations(rendered)
    return outcome


def _page_content(rng: random.Random) -> bytes:
    operators = [
        HELLO, b"BT /F1 12 Tf (x) Tj ET", b"[(a) 120 (b)] TJ", b"q 1 0 0 1 0 0 cm Q", b"BT", b"ET",
        b"(unclosed", b"<414243> Tj", b"/F1 0 Tf", b"T*", b"' \" ", b"1e999 0 Td", b"BI ID EI",
    ]  # fmt: skip
    return b"\n".join(rng.choice(operators) for _ in range(rng.randint(0, 12)))


def _structured_pdf(rng: random.Random) -> bytes:
    """A small PDF built object by object, with odd but plausible pieces."""
    content = _page_content(rng)
    choice = rng.randrange(5)
    if choice == 0:
        return one_page(content)
    if choice == 1:
        return one_page(zlib.compress(content), filters=b"/FlateDecode")
    if choice == 2:
        return one_page(content, resources=rng.choice([b"<< >>", b"null", b"<< /Font 9 0 R >>"]))
    if choice == 3:
        depth = rng.randint(1, 200)
        return assemble(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /X " + b"[" * depth + b"]" * depth
                + b" /Resources << /Font << /F1 5 0 R >> >> >>",
                stream(content),
                FONT,
            ]
        )  # fmt: skip
    kids = rng.randint(0, 5)
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>"
            % (b" ".join(b"3 0 R" for _ in range(kids)), rng.randint(-1, 10)),
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            stream(content),
        ]
    )


def _mutated(data: bytes, rng: random.Random) -> bytes:
    """Byte flips, insertions, deletions and truncation of a valid PDF."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out)) if out else 0
        action = rng.randrange(4)
        if action == 0 and out:
            out[at] = rng.randrange(256)
        elif action == 1:
            out[at:at] = rng.choice([b"(", b")", b"<<", b">>", b"[", b"]", b"R", b"0", b"/"])
        elif action == 2:
            del out[at : at + rng.randint(1, 16)]
        else:
            del out[at:]
    return bytes(out)


# A seed drives the structure (Hypothesis shrinks seeds), plus raw bytes after a PDF header.
pdf_files = st.one_of(
    st.tuples(st.integers(0, 2**32), st.booleans()).map(
        lambda pair: (
            _mutated(_structured_pdf(random.Random(pair[0])), random.Random(pair[0] + 1))
            if pair[1]
            else _structured_pdf(random.Random(pair[0]))
        )
    ),
    st.binary(max_size=400).map(lambda raw: b"%PDF-1.7\n" + raw),
)


def extract_in_process(data: bytes) -> Outcome:
    """The worker's function, in this process (no sandbox): it must print one JSON answer."""
    outcome = Outcome()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        printed = io.StringIO()
        started = time.process_time()
        try:
            with contextlib.redirect_stdout(printed):
                extract_worker.main(file.name, MAX_TEXT_CHARS)
        except Exception as exc:
            outcome.problems.append(f"{type(exc).__name__}: {exc}"[:200])
        outcome.seconds = time.process_time() - started
    try:
        answer = json.loads(printed.getvalue())
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        outcome.problems.append(f"worker printed {printed.getvalue()[:80]!r}")
    return outcome


def extract_in_sandbox(data: bytes) -> Outcome:
    """The real ``extract_text``: child process, memory and time limits. Its seconds are the
    child's CPU time, start-up (interpreter and pypdf import, about 0.2 s) included."""
    outcome = Outcome()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        before = _children_cpu()
        try:
            result = extract_text(Path(file.name))
        except Exception as exc:
            outcome.problems.append(f"{type(exc).__name__}: {exc}"[:200])
            result = None
        outcome.seconds = _children_cpu() - before
    if result is not None and not isinstance(result.ok, bool):
        outcome.problems.append(f"extract_text answered {result!r}"[:200])
    if result is not None and len(result.text) > 2 * MAX_TEXT_CHARS:
        outcome.problems.append(f"{len(result.text)} characters of text")
    return outcome


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def corpus_markdown() -> list[Path]:
    """Inputs once found slow or crashing, kept as regression cases."""
    return sorted((CORPUS / "markdown").glob("*.txt"))
