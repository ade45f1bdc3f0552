#!/usr/bin/env python3
"""How far behind PyPI the Hub's direct dependencies are (T-37's second figure).

Lists every package pyproject.toml names (runtime, extras, build backend) that `pip list
--outdated` reports, and counts those whose installed release is behind the latest *minor*
release (3.1.x installed while 3.2 is out); patch-only gaps are listed but not counted. It asks
PyPI, so it is a `make outdated` target of its own and never part of `make test`.

Usage (from the repository root): .venv/bin/python tools/outdated.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def direct_dependencies() -> set[str]:
    """Canonical names of every package pyproject.toml declares."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = list(project["dependencies"]) + list(pyproject["build-system"]["requires"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    return {canonicalize_name(Requirement(r).name) for r in declared}


def outdated() -> list[dict]:
    """pip's view of installed packages with a newer release on the index."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--outdated", "--format", "json",
         "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def behind_minor(installed: Version, latest: Version) -> bool:
    return (latest.major, latest.minor) > (installed.major, installed.minor)


def main() -> int:
    direct = direct_dependencies()
    rows = [p for p in outdated() if canonicalize_name(p["name"]) in direct]
    behind = 0
    for p in sorted(rows, key=lambda p: p["name"].lower()):
        minor = behind_minor(Version(p["version"]), Version(p["latest_version"]))
        behind += minor
        gap = "behind a minor release" if minor else "patch only"
        print(f"{p['name']:<24} {p['version']:>12} -> {p['latest_version']:<12} {gap}")
    print(f"T-37 direct dependencies: {len(direct)}; with a newer release: {len(rows)}; "
          f"behind the latest minor release: {behind}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
