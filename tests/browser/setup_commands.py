"""Running the Hub's own commands (migrations, loaders, seeds) to set up a Hub for browser tests.

One runner for the session Hub (conftest) and the tests that start a Hub of their own: a failing
or hanging command fails the test with its output, instead of a bare CalledProcessError."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETUP_TIMEOUT_S = 180.0


def run_setup(args: list[str], env: dict[str, str], *, timeout: float = SETUP_TIMEOUT_S) -> None:
    try:
        done = subprocess.run(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"set-up command timed out after {timeout:.0f} s: {' '.join(args)}")
    if done.returncode != 0:
        pytest.fail(
            f"set-up command failed (exit {done.returncode}): {' '.join(args)}\n"
            f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-4000:]}"
        )
