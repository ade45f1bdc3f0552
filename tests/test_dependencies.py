"""The dependency rules hold: pyproject.toml pins Whoosh exactly, requirements.lock installs an
exact, hash-checked release of everything pyproject.toml asks for (see the README, "Dependencies"),
and no installed library that parses untrusted input is older than its security floor (T-37,
standing in for pip-audit, which cannot reach its advisory database here).

`make install` installs only from the lock with `pip --require-hashes`, so a lock that has drifted
from pyproject.toml, or an entry without hashes, would break a fresh clone or let it install
something nobody reviewed; these tests catch that before it lands.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK_TEXT = (ROOT / "requirements.lock").read_text(encoding="utf-8")


def lock_entries(text: str) -> list[tuple[Requirement, list[str]]]:
    """Each entry of a pip requirements file with hashes: the requirement and its --hash values."""
    entries = []
    logical = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        code = line.split(" #", 1)[0].strip()
        if code.endswith("\\"):
            logical += code[:-1] + " "
            continue
        logical += code
        if logical.strip():
            requirement, *options = logical.split()
            hashes = [o.removeprefix("--hash=") for o in options if o.startswith("--hash=")]
            entries.append((Requirement(requirement), hashes))
        logical = ""
    return entries


def locked_versions() -> dict[str, Version]:
    """Locked package name (canonical) -> its one exact version."""
    versions = {}
    for requirement, _ in lock_entries(LOCK_TEXT):
        (spec,) = requirement.specifier
        versions[canonicalize_name(requirement.name)] = Version(spec.version)
    return versions


def pyproject_requirements() -> list[tuple[str, Requirement]]:
    """Every requirement pyproject.toml declares, with where it is declared: the runtime list,
    each optional extra `make install` installs, and the build backend that builds the Hub."""
    project = PYPROJECT["project"]
    found = [("dependencies", Requirement(r)) for r in project["dependencies"]]
    for extra, requirements in project["optional-dependencies"].items():
        found += [(f"extra {extra}", Requirement(r)) for r in requirements]
    found += [("build-system", Requirement(r)) for r in PYPROJECT["build-system"]["requires"]]
    return found


def test_whoosh_reloaded_is_pinned_to_one_exact_release():
    # hub/search relies on Whoosh internals (docs/search.md): a range would let a release in that
    # nobody has checked those parts against.
    (whoosh,) = [
        r
        for _, r in pyproject_requirements()
        if canonicalize_name(r.name) == canonicalize_name("whoosh-reloaded")
    ]
    (spec,) = whoosh.specifier
    assert spec.operator in ("==", "===")
    assert "*" not in spec.version


def test_every_locked_package_has_an_exact_version_and_sha256_hashes():
    entries = lock_entries(LOCK_TEXT)
    assert entries, "requirements.lock lists no package"
    for requirement, hashes in entries:
        specs = list(requirement.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{requirement} is not exact"
        assert "*" not in specs[0].version, f"{requirement} is not exact"
        assert hashes, f"{requirement} has no hash"
        assert all(h.startswith("sha256:") and len(h) == 71 for h in hashes), requirement


@pytest.mark.parametrize(
    ("declared_in", "requirement"),
    pyproject_requirements(),
    ids=[f"{where}: {r}" for where, r in pyproject_requirements()],
)
def test_lock_holds_a_release_of_each_package_pyproject_requires(declared_in, requirement):
    locked = locked_versions()
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{requirement} ({declared_in}) is missing from requirements.lock"
    assert requirement.specifier.contains(locked[name], prereleases=True), (
        f"requirements.lock has {name}=={locked[name]}, outside {requirement} ({declared_in}); "
        "run `make lock`"
    )


# Security floors: the oldest release of each library that the Hub accepts, and why. A test asserts
# the installed release and pyproject.toml's declared range both sit on or above each floor, so
# neither a stale environment nor a fresh `make lock` can bring a known-vulnerable release back.
SECURITY_FLOORS = {
    # Uploaded PDFs: releases before 6.10.2 lack fixes for crafted files that loop or exhaust
    # memory, which the extractor's sandbox would otherwise have to absorb.
    "pypdf": ("6.10.2", "crafted-PDF loops and memory blow-ups fixed"),
    # safe_join() accepted Windows device names before 3.1.4.
    "Werkzeug": ("3.1.4", "safe_join device-name fix"),
    # Signing with SECRET_KEY_FALLBACKS used the wrong key before 3.1.1.
    "Flask": ("3.1.1", "session signing with key fallbacks fixed"),
    # Sandbox escapes through |attr and str.format fixed in 3.1.5 and 3.1.6.
    "Jinja2": ("3.1.6", "sandbox escapes fixed"),
    # The sanitizer: the releases hub/markup.py is tested against (the newest at the time).
    "nh3": ("0.3.8", "the sanitizer's HTML cleaner, at its tested release"),
    "Markdown": ("3.11.4", "the sanitizer's Markdown parser, at its tested release"),
}


def floor_violations() -> list[str]:
    """Each installed library below its floor, as a line saying which and why."""
    return [
        f"{name} {installed_version(name)} < {floor} ({why})"
        for name, (floor, why) in SECURITY_FLOORS.items()
        if Version(installed_version(name)) < Version(floor)
    ]


def test_installed_libraries_are_on_or_above_their_security_floors():
    violations = floor_violations()
    print(f"T-37 floors violated: {len(violations)} of {len(SECURITY_FLOORS)}")
    assert violations == []


@pytest.mark.parametrize("name", sorted(SECURITY_FLOORS))
def test_pyproject_admits_no_release_below_the_security_floor(name):
    # A range such as ">=3.0" would let `make lock` pick an old release on a fresh resolve.
    floor = Version(SECURITY_FLOORS[name][0])
    (requirement,) = [
        r
        for where, r in pyproject_requirements()
        if where == "dependencies" and canonicalize_name(r.name) == canonicalize_name(name)
    ]
    lowest_allowed = [
        spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")
    ]
    assert lowest_allowed, f"{requirement} sets no lower bound"
    assert max(Version(v) for v in lowest_allowed) >= floor, f"{requirement} admits < {floor}"
    assert locked_versions()[canonicalize_name(name)] >= floor
