"""The people and guidebook sections the end-to-end journeys start from, made through the Hub's
own services: an administrator, a Secretariat editor, Ghana's focal point and, for each input
mode, a small published part of the guidebook (a part with two steps and a loose section) that
the curation journey rearranges.

Run as ``python -m tests.browser.journeys_seed seed OUT.json`` with the Hub's environment; the
fixture in ``test_journeys`` does so before gunicorn starts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # helpers only; marked like every module of this folder

PASSWORD = "long browser passphrase for walkthroughs 47"
ADMIN = "admin@journeys.test"
EDITOR = "editor@journeys.test"
GHANA_FP = "fp.gha@journeys.test"
MODES = ("mouse", "keyboard")
SECTION_BODY = "Start with the people who will carry the plan.\n\nThen list the instruments."


def section_titles(mode: str) -> dict[str, str]:
    """Titles of one mode's sections: a part, its two steps, and a loose top-level section."""
    return {
        "part": f"Journey part for the {mode} run",
        "first": f"Mapping stakeholders ({mode} run)",
        "second": f"Choosing instruments ({mode} run)",
        "loose": f"Setting targets ({mode} run)",
    }


def seed(out: str) -> None:
    from hub import create_app
    from hub.accounts import service as accounts
    from hub.accounts.models import Role
    from hub.documents import editing, workflow
    from hub.documents.models import Kind
    from hub.search import indexing

    app = create_app()
    with app.app_context(), app.test_request_context():
        people = {}
        for email, name, role, iso3 in (
            (ADMIN, "Journey Administrator", Role.ADMIN, None),
            (EDITOR, "Journey Editor", Role.EDITOR, None),
            (GHANA_FP, "Kofi Journey", Role.FOCAL_POINT, "GHA"),
        ):
            person = accounts.create_user(
                email=email, name=name, role=role, country_iso3=iso3, by=None
            )
            accounts.set_password(person, PASSWORD, reason="browser-test seed")
            people[email] = person
        editor = people[EDITOR]

        sections: dict[str, dict[str, dict]] = {}
        for index, mode in enumerate(MODES):
            titles = section_titles(mode)
            made = {}
            for key, parent, position in (
                ("part", None, 10 + index),
                ("first", "part", 1),
                ("second", "part", 2),
                ("loose", None, 20 + index),
            ):
                doc = editing.create(
                    Kind.GUIDEBOOK_SECTION,
                    editing.DocumentInput(
                        title=titles[key],
                        summary=f"Example: a section of the {mode} journey.",
                        body=SECTION_BODY,
                        parent_slug=made[parent]["slug"] if parent else None,
                        position=position,
                    ),
                    by=editor,
                )
                workflow.apply(doc, "publish", by=editor)
                made[key] = {"id": doc.id, "slug": doc.slug, "title": doc.title}
            sections[mode] = made
        indexing.catch_up()
    Path(out).write_text(json.dumps({"sections": sections}), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "seed":
        sys.exit("usage: python -m tests.browser.journeys_seed seed OUT.json")
    seed(sys.argv[2])
