"""The one place where a view's change is committed or undone (hub/outcomes.py), and the check
that views leave it there instead of writing their own try / except / rollback / flash."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from flask import get_flashed_messages
from sqlalchemy import select, text

from hub.documents.models import Tag
from hub.errors import Conflict, HubError, Invalid, NotAllowed
from hub.extensions import db
from hub.outcomes import attempt, run_and_flash

HUB = Path(importlib.import_module("hub").__file__).parent
VIEW_MODULES = sorted({*HUB.glob("*/views.py"), *HUB.glob("*/*_views.py"), *HUB.glob("*/api.py")})


def _stored_tags() -> set[str]:
    """What the database holds, read on a connection of its own (not the session's)."""
    with db.engine.connect() as connection:
        return {name for (name,) in connection.execute(text("SELECT name FROM tags"))}


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


def test_block_that_ends_normally_is_committed(request_context):
    with attempt() as outcome:
        db.session.add(Tag(name="kept"))
    assert outcome.ok and "kept" in _stored_tags()


def test_domain_error_undoes_the_block_and_flashes_its_message(request_context):
    with attempt() as outcome:
        db.session.add(Tag(name="undone"))
        db.session.flush()
        raise Invalid("Give the discussion a title.")
    assert (outcome.status, outcome.message) == (400, "Give the discussion a title.")
    assert "undone" not in _stored_tags()
    assert db.session.scalar(select(Tag).where(Tag.name == "undone")) is None
    assert get_flashed_messages(with_categories=True) == [("error", "Give the discussion a title.")]


def test_error_the_view_shows_in_its_page_is_not_flashed(request_context):
    with attempt(shown_in_page=(Conflict,)) as outcome:
        raise Conflict("Someone else saved first.")
    assert outcome.status == 409 and get_flashed_messages() == []


def test_refusal_is_undone_and_raised_again_for_the_error_page(request_context):
    with pytest.raises(NotAllowed), attempt():
        db.session.add(Tag(name="refused"))
        db.session.flush()
        raise NotAllowed()
    assert "refused" not in _stored_tags() and get_flashed_messages() == []


def test_error_that_is_not_a_domain_error_is_not_swallowed(request_context):
    with pytest.raises(ZeroDivisionError), attempt():
        _ = 1 / 0


def test_run_and_flash_says_done_only_when_the_call_worked(request_context):
    worked = run_and_flash(lambda: db.session.add(Tag(name="moved")), "Moved.")
    failed = run_and_flash(lambda: (_ for _ in ()).throw(Conflict("Too late.")), "Moved.")
    assert (worked, failed) == (True, False)
    assert get_flashed_messages(with_categories=True) == [
        ("message", "Moved."),
        ("error", "Too late."),
    ]


def _handled_domain_errors(path: Path) -> list[str]:
    """``except`` clauses of a view module that catch a domain error (HubError or a child)."""
    module = importlib.import_module(".".join(path.relative_to(HUB.parent).with_suffix("").parts))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for name in names:
            caught = eval(ast.unparse(name), vars(module))  # noqa: S307 (our own source)
            if isinstance(caught, type) and issubclass(caught, HubError):
                found.append(f"{path.relative_to(HUB)}:{node.lineno} except {ast.unparse(name)}")
    return found


def _session_endings(path: Path) -> list[str]:
    """Calls of ``<something>.session.commit()`` or ``.rollback()`` in a view module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
            and ast.unparse(node.func.value).endswith("session")
        ):
            found.append(f"{path.relative_to(HUB)}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_the_check_reads_every_view_module(app):
    names = {str(p.relative_to(HUB)) for p in VIEW_MODULES}
    assert {"workspace/views.py", "workspace/guidebook_views.py", "search/api.py"} <= names
    assert len(VIEW_MODULES) >= 15


def test_no_view_catches_a_domain_error_itself(app):
    found = [line for path in VIEW_MODULES for line in _handled_domain_errors(path)]
    assert len(found) == 0, found


def test_no_view_commits_or_rolls_back_the_session_itself(app):
    found = [line for path in VIEW_MODULES for line in _session_endings(path)]
    assert len(found) == 0, found
