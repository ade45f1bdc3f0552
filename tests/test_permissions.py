"""The issue-6 branches of the one access rule, called directly (the route matrix checks the views).

Each case names the actor, the action and the object, and the answer the rule in
hub/permissions.py promises; the objects are stand-ins with only the attributes the rule reads
(country_id, author_id), as an offer, a need or a post would carry them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask_login import AnonymousUserMixin

from hub.accounts.models import Role
from hub.permissions import Action, can
from tests import factories


@dataclass
class Owned:
    country_id: int | None
    author_id: int | None = None


@pytest.fixture
def people(app):
    with app.app_context():
        yield {
            "public": AnonymousUserMixin(),
            "gha": factories.user(country_code="GHA"),
            "gha2": factories.user(country_code="GHA"),
            "srb": factories.user(country_code="SRB"),
            "editor": factories.user(role=Role.EDITOR, country_code=None),
            "admin": factories.user(role=Role.ADMIN, country_code=None),
            "disabled_editor": factories.user(role=Role.EDITOR, country_code=None, is_active=False),
        }


STAFF_ONLY = [
    Action.APPLICATION_REVIEW,
    Action.MATCH_RECORD,
    Action.DISCUSSION_MODERATE,
    Action.REPORTING_MANAGE,
]
MEMBERS = [
    Action.CONTACT_DETAILS_VIEW,
    Action.MATCH_VIEW,
    Action.DISCUSSION_READ,
    Action.DISCUSSION_POST,
    Action.NOTIFICATIONS_VIEW,
]


@pytest.mark.parametrize("action", STAFF_ONLY)
def test_secretariat_actions_are_for_active_staff_only(people, action):
    answers = {name: can(person, action) for name, person in people.items()}
    assert answers == {
        "public": False,
        "gha": False,
        "gha2": False,
        "srb": False,
        "editor": True,
        "admin": True,
        "disabled_editor": False,
    }


@pytest.mark.parametrize("action", MEMBERS)
def test_member_actions_need_an_active_account(people, action):
    answers = {name: can(person, action) for name, person in people.items()}
    assert answers == {
        "public": False,
        "gha": True,
        "gha2": True,
        "srb": True,
        "editor": True,
        "admin": True,
        "disabled_editor": False,
    }


@pytest.mark.parametrize(
    "action", [Action.PROFILE_EDIT, Action.OFFER_NEED_CREATE, Action.OFFER_NEED_EDIT]
)
def test_a_focal_point_acts_only_for_their_own_country(people, action):
    ghana = factories.country("GHA")
    ghana_item = Owned(country_id=ghana.id)
    obj = ghana if action is not Action.OFFER_NEED_EDIT else ghana_item
    assert can(people["gha"], action, obj)
    assert not can(people["srb"], action, obj)
    assert not can(people["public"], action, obj)
    assert can(people["editor"], action, obj)
    assert not can(people["disabled_editor"], action, obj)
    # Something with no country belongs to no focal point.
    assert not can(people["gha"], action, Owned(country_id=None))


def test_posts_are_edited_by_their_author_their_country_or_staff(people):
    ghana = factories.country("GHA")
    post = Owned(country_id=ghana.id, author_id=people["gha2"].id)
    assert can(people["gha2"], Action.POST_EDIT, post)  # the author
    assert can(people["gha"], Action.POST_EDIT, post)  # a focal point of the same country
    assert not can(people["srb"], Action.POST_EDIT, post)
    assert not can(people["public"], Action.POST_EDIT, post)
    assert can(people["admin"], Action.POST_EDIT, post)
    # A staff author keeps editing their own post; a focal point cannot touch it.
    staff_post = Owned(country_id=None, author_id=people["editor"].id)
    assert can(people["editor"], Action.POST_EDIT, staff_post)
    assert not can(people["gha"], Action.POST_EDIT, staff_post)
