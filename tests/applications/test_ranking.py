"""The priority ranking: a stated example ranks as the Partnership's criteria say, the weights
change it, and the Secretariat sees the reasons and edits the weights."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub.accounts.models import Role
from hub.applications import ranking, review
from hub.applications.models import (
    ApplicationStatus,
    Commitment,
    CountryGroup,
    CountryGroupMembership,
    PriorityWeight,
)
from hub.applications.reference import load_country_groups
from hub.countries.models import PartnershipStatus
from hub.errors import Invalid
from hub.extensions import db
from tests import factories
from tests.applications.conftest import GROUPS_CSV, make_application
from tests.web import login, post

G = CountryGroup
# The six pilot countries: three in Africa (two in Eastern Africa), India, Serbia and Ukraine.
PILOTS = [
    ("Africa", "Eastern Africa"),
    ("Africa", "Western Africa"),
    ("Africa", "Eastern Africa"),
    ("Asia", "Southern Asia"),
    ("Europe", "Southern Europe"),
    ("Europe", "Eastern Europe"),
]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _candidate(key, name, region, sub, groups, initiatives, commitment, minute=0):
    return ranking.Candidate(
        key,
        name,
        region,
        sub,
        frozenset(groups),
        initiatives,
        commitment,
        T0.replace(minute=minute),
    )


EXAMPLE = [
    _candidate(1, "Germany", "Europe", "Western Europe", set(), 3, Commitment.HEAD_OF_GOVERNMENT),
    _candidate(2, "Malawi", "Africa", "Eastern Africa", {G.LDC, G.LLDC}, 2, Commitment.MINISTER),
    _candidate(3, "Fiji", "Oceania", "Melanesia", {G.SIDS}, 1, Commitment.HEAD_OF_GOVERNMENT),
    _candidate(4, "Bolivia", "Americas", "South America", {G.LLDC}, 0, Commitment.NONE),
    _candidate(5, "Nepal", "Asia", "Southern Asia", {G.LDC, G.LLDC}, 1, Commitment.SENIOR_OFFICIAL),
]


def test_stated_example_ranks_as_the_criteria_say():
    """Default weights (diversity 2, development 3, initiatives 1, commitment 2). Malawi: an LDC
    and LLDC with a minister's endorsement outranks Nepal (the same groups, a weaker endorsement,
    in a sub-region that has a pilot too); Fiji (SIDS, a region with no member, the head of
    government) comes next; Germany (no development need) and Bolivia (no commitment, no
    initiatives) last."""
    ranked = ranking.rank(EXAMPLE, PILOTS, ranking.DEFAULT_WEIGHTS)
    assert [(r.rank, r.candidate.name, r.score) for r in ranked] == [
        (1, "Malawi", 7.25),
        (2, "Nepal", 6.63),
        (3, "Fiji", 5.83),
        (4, "Germany", 4.33),
        (5, "Bolivia", 3.5),
    ]
    malawi = [str(r) for r in ranked[0].reasons]
    assert malawi == [
        "Africa has 3 of 6 pilot and member countries (+0.25)",
        "Eastern Africa has 2 of 6 pilot and member countries (+0.33)",
        "Least developed country (LDC) (+3.0)",
        "Landlocked developing country (LLDC) (+1.5)",
        "2 existing STI/SDG initiative(s) named (+0.67)",
        "Endorsed by a minister (+1.5)",
    ]
    fiji = [str(r) for r in ranked[2].reasons]
    assert "Melanesia has 0 of 6 pilot and member countries (+1.0)" in fiji
    assert "Small island developing State (SIDS) (+1.5)" in fiji
    germany = [str(r) for r in ranked[3].reasons]
    assert "Not on the UN lists of LDCs, LLDCs or SIDS (+0.0)" in germany


def test_weighting_geographic_diversity_heavily_lifts_the_unrepresented_regions():
    weights = {**ranking.DEFAULT_WEIGHTS, ranking.DIVERSITY: 10.0}
    ranked = ranking.rank(EXAMPLE, PILOTS, weights)
    assert [r.candidate.name for r in ranked] == ["Fiji", "Bolivia", "Nepal", "Germany", "Malawi"]


def test_a_tie_goes_to_the_earlier_application():
    twin = [
        _candidate(9, "Later", "Oceania", "Polynesia", set(), 0, Commitment.NONE, minute=5),
        _candidate(8, "Earlier", "Oceania", "Polynesia", set(), 0, Commitment.NONE, minute=1),
    ]
    assert [r.candidate.name for r in ranking.rank(twin, PILOTS, ranking.DEFAULT_WEIGHTS)] == [
        "Earlier",
        "Later",
    ]


def test_initiatives_are_counted_one_per_line_up_to_three():
    assert ranking.count_initiatives("- A\n\n* B\n  C  \n-\n") == 3
    many = _candidate(1, "X", "Asia", "Central Asia", set(), 7, Commitment.NONE)
    reason = ranking.rank([many], [], ranking.DEFAULT_WEIGHTS)[0].reasons[-2]
    assert str(reason) == "7 existing STI/SDG initiative(s) named (counted up to 3) (+1.0)"


@pytest.mark.parametrize("bad", ["-1", "11", "abc", "", "nan"])
def test_weights_outside_0_to_10_are_refused_with_the_criterion_named(bad):
    values = {c: "1" for c in ranking.CRITERIA} | {ranking.COMMITMENT: bad}
    with pytest.raises(ValueError, match="High-level political commitment"):
        ranking.validate_weights(values)


def test_the_reference_list_loads_and_replaces_the_groups(app, tmp_path):
    assert load_country_groups(GROUPS_CSV) == 44 + 32 + 39
    groups = {(m.iso3, m.group) for m in db.session.scalars(select(CountryGroupMembership))}
    assert {("MWI", G.LDC), ("MWI", G.LLDC), ("FJI", G.SIDS), ("BOL", G.LLDC)} <= groups
    assert ("STP", G.LDC) not in groups and ("STP", G.SIDS) in groups  # graduated in 2024
    smaller = tmp_path / "groups.csv"
    smaller.write_text("# comment\niso3,group\nNPL,LDC\n", encoding="utf-8")
    assert load_country_groups(smaller) == 1
    assert db.session.scalars(select(CountryGroupMembership.iso3)).all() == ["NPL"]
    smaller.write_text("iso3,group\nXXX,LDC\n", encoding="utf-8")
    with pytest.raises(Invalid, match="unknown country code"):
        load_country_groups(smaller)


def _pilots() -> None:
    for iso3 in ("ETH", "GHA", "IND", "KEN", "SRB", "UKR"):
        factories.country(iso3).partnership_status = PartnershipStatus.PILOT
    db.session.commit()


def test_the_priority_page_ranks_open_applications_with_reasons(app, country_groups):
    _pilots()
    make_application("DEU", initiatives="A\nB\nC", commitment=Commitment.HEAD_OF_GOVERNMENT)
    make_application("MWI", initiatives="A\nB", commitment=Commitment.MINISTER)
    make_application(
        "FJI",
        status=ApplicationStatus.WAITLISTED,
        initiatives="A",
        commitment=Commitment.HEAD_OF_GOVERNMENT,
    )
    make_application("BOL", status=ApplicationStatus.DECLINED)  # closed: not ranked
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    html = client.get("/applications/review/priority").data.decode()
    order = [html.index(name) for name in ("Malawi", "Fiji", "Germany")]
    assert order == sorted(order)
    assert "Bolivia" not in html
    assert "Least developed country (LDC) (+3.0)" in html
    assert "Eastern Africa has 2 of 6 pilot and member countries (+0.33)" in html
    assert 'name="development" value="3.0"' in html


def test_staff_edit_the_weights_and_the_ranking_follows(app):
    _pilots()
    make_application("MWI", commitment=Commitment.NONE)
    make_application("FJI", commitment=Commitment.HEAD_OF_GOVERNMENT)
    editor = factories.user(role=Role.EDITOR, country_code=None)
    client = app.test_client()
    login(client, editor)
    seen = review.weights_fingerprint(review.weights())
    url = "/applications/review/priority"
    data = {
        "seen": seen,
        "diversity": "0",
        "development": "0",
        "initiatives": "0",
        "commitment": "5",
    }
    assert post(client, url, data).status_code == 303
    assert review.weights()[ranking.COMMITMENT] == 5.0
    row = db.session.get(PriorityWeight, ranking.COMMITMENT)
    assert row.updated_by_id == editor.id
    ranked = review.priority(by=editor)
    assert [r.candidate.name for r in ranked] == ["Fiji", "Malawi"]


def test_a_bad_weight_is_refused_and_the_entry_kept(app):
    client = app.test_client()
    login(client, factories.user(role=Role.EDITOR, country_code=None))
    seen = review.weights_fingerprint(review.weights())
    data = {
        "seen": seen,
        "diversity": "12",
        "development": "3",
        "initiatives": "1",
        "commitment": "2",
    }
    response = post(client, "/applications/review/priority", data)
    html = response.data.decode()
    assert response.status_code == 400
    assert "must be between 0 and 10" in html and 'name="diversity" value="12"' in html
    assert review.weights() == ranking.DEFAULT_WEIGHTS


def test_weights_changed_meanwhile_are_a_conflict(app):
    first = factories.user(role=Role.EDITOR, country_code=None)
    seen = review.weights_fingerprint(review.weights())
    review.save_weights({c: "1" for c in ranking.CRITERIA}, seen=seen, by=first)
    client = app.test_client()
    login(client, factories.user(role=Role.ADMIN, country_code=None))
    data = {
        "seen": seen,
        "diversity": "4",
        "development": "4",
        "initiatives": "4",
        "commitment": "4",
    }
    response = post(client, "/applications/review/priority", data)
    assert response.status_code == 409
    assert "Someone else changed the weights" in response.data.decode()
    assert set(review.weights().values()) == {1.0}
