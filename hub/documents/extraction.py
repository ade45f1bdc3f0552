"""PDF text extraction, run in a child process with memory and time limits.

A broken or hostile PDF can make a parser spin or allocate without bound; in a child process with
RLIMIT_AS and a deadline it can only fail itself, and the attachment is marked "failed".
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 768 * 1024 * 1024
CPU_SECONDS = 30
WALL_SECONDS = 45
MAX_TEXT_CHARS = 2_000_000
WORKER = Path(__file__).with_name("extract_worker.py")


@dataclass
class Extraction:
    ok: bool
    text: str = ""
    page_count: int | None = None
    error: str = ""


def _limit_child() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def extract_text(path: Path) -> Extraction:
    """Extract text page by page (pages joined with form feeds); never raises for a bad PDF."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv: our interpreter, our worker, a stored path
            [sys.executable, "-I", str(WORKER), str(path), str(MAX_TEXT_CHARS)],
            capture_output=True,
            timeout=WALL_SECONDS,
            preexec_fn=_limit_child,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extraction(ok=False, error="text extraction took too long")
    if done.returncode != 0:
        return Extraction(ok=False, error="the PDF could not be read")
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return Extraction(ok=False, error="the PDF could not be read")
    if not result.get("ok"):
        return Extraction(ok=False, error=result.get("error", "the PDF could not be read"))
    return Extraction(ok=True, text=result["text"], page_count=result["pages"])
