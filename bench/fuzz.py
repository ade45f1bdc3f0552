"""T-35: fuzz ``render_markdown()`` and the PDF text extraction with Hypothesis, for a set time.

Each target runs for ``HUB_FUZZ_SECONDS`` (default 600, or the first argument) in batches of
Hypothesis examples with fresh seeds, with the generators and invariants of
tests/security/fuzzing.py. Printed per target: executions run, uncaught exceptions, invariant
violations, inputs over 1 CPU second, and the slowest input. The PDF target runs the worker's
function in this process (fast), and one input in 50 through the sandboxed ``extract_text``
(a child process each; its figure is the child's CPU time, start-up included).

    .venv/bin/python bench/fuzz.py          # ten minutes each
    .venv/bin/python bench/fuzz.py 30       # thirty seconds each

Any crashing or slow input it finds belongs in tests/security/fuzz_corpus/ as a regression case.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, seed, settings

from tests.security.fuzzing import (
    Outcome,
    extract_in_process,
    extract_in_sandbox,
    markdown_texts,
    pdf_files,
    render_once,
)

SLOW_SECONDS = 1.0
BATCH = 200


@dataclass
class Tally:
    runs: int = 0
    exceptions: int = 0
    violations: int = 0
    slow: int = 0
    slowest: float = 0.0
    slowest_input: Any = None
    problems: list[str] = field(default_factory=list)

    def add(self, value: Any, outcome: Outcome) -> None:
        self.runs += 1
        for problem in outcome.problems:
            if ": " in problem and problem.split(":")[0].endswith(("Error", "Exception")):
                self.exceptions += 1
            else:
                self.violations += 1
            if len(self.problems) < 10:
                self.problems.append(f"{problem} <- {value!r:.120}")
        if outcome.seconds > SLOW_SECONDS:
            self.slow += 1
        if outcome.seconds > self.slowest:
            self.slowest, self.slowest_input = outcome.seconds, value


def fuzz(name: str, strategy: Any, target: Callable[[Any], Outcome], seconds: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    batch = 0
    while time.monotonic() < deadline:
        batch += 1

        @seed(batch)
        @settings(
            max_examples=BATCH,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def run(value: Any) -> None:
            if time.monotonic() < deadline:
                tally.add(value, target(value))

        run()
    slowest = f"{tally.slowest:.3f} s: {tally.slowest_input!r:.100}"
    print(f"== {name}")
    print(f"executions run: {tally.runs}")
    print(f"uncaught exceptions: {tally.exceptions}")
    print(f"invariant violations: {tally.violations}")
    print(f"inputs over {SLOW_SECONDS:g} s: {tally.slow}")
    print(f"slowest input: {slowest}")
    for problem in tally.problems:
        print(f"  {problem}")
    return tally


def _pdf(data: bytes, counter: list[int] = [0]) -> Outcome:  # noqa: B006 - a call counter
    counter[0] += 1
    return extract_in_sandbox(data) if counter[0] % 50 == 0 else extract_in_process(data)


def main() -> int:
    seconds = float(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HUB_FUZZ_SECONDS", 600))
    os.nice(10)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a warning per malformed file
    print(f"T-35 fuzzing, {seconds:g} s per target")
    tallies = [
        fuzz("render_markdown()", markdown_texts, render_once, seconds),
        fuzz("PDF text extraction", pdf_files, _pdf, seconds),
    ]
    bad = sum(t.exceptions + t.violations + t.slow for t in tallies)
    print(f"T-35 figure: exceptions + violations + inputs over 1 s = {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
