"""The ``flask hub ...`` commands, run through Flask's CLI runner against the test app.

Click 8.2+ keeps stderr apart in the runner: ``result.stdout`` and ``result.stderr`` are separate,
``result.output`` interleaves both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from hub.accounts.models import Role, User
from hub.config import PROJECT_ROOT
from hub.countries.models import Country, PartnershipStatus
from hub.documents.models import Kind, Status
from hub.extensions import db
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests import factories
from tests.factories import content_file


def brief(folder: Path, slug: str, country: str = "GHA", body: str = "Body text.\n") -> Path:
    front = f"kind: policy_brief\ntitle: Brief {slug}\ncountry: {country}"
    return content_file(folder, f"{slug}.md", front, body)


def found(q: str) -> list[str]:
    return [hit.slug for hit in search(SearchRequest(q=q), viewer=None).hits]


def drop_from_index(doc_id: int) -> None:
    """Lose one entry from the live Whoosh index, as a crash or a hand edit could."""
    writer = indexing.get_store().open().writer()
    writer.delete_by_term("id", str(doc_id))
    writer.commit()


@pytest.fixture
def indexed_brief(app):
    doc = factories.document(kind=Kind.POLICY_BRIEF, body="Notes on echidnaform clusters.")
    indexing.catch_up()
    return doc


# --- load-content ---


def test_load_content_prints_the_summary_and_exits_0(runner, tmp_path):
    brief(tmp_path, "alpha")
    brief(tmp_path, "beta")

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert result.exit_code == 0
    assert result.stdout == "2 created, 0 updated, 0 unchanged, 0 conflicts, 0 rejected\n"
    assert result.stderr == ""


def test_load_content_twice_reports_everything_unchanged(runner, tmp_path):
    brief(tmp_path, "alpha")
    runner.invoke(args=["hub", "load-content", str(tmp_path)])

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert (result.exit_code, result.stdout) == (
        0, "0 created, 0 updated, 1 unchanged, 0 conflicts, 0 rejected\n"
    )  # fmt: skip


def test_load_content_names_a_rejected_file_on_stderr_and_exits_1(runner, tmp_path):
    brief(tmp_path, "good")
    bad = brief(tmp_path, "bad", country="XXX")

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr == f"rejected {bad}: unknown country code 'XXX'\n"
    assert result.stdout == "1 created, 0 updated, 0 unchanged, 0 conflicts, 1 rejected\n"


def test_load_content_with_a_missing_path_exits_1(runner, tmp_path):
    missing = tmp_path / "nope"

    result = runner.invoke(args=["hub", "load-content", str(missing)])

    assert result.exit_code == 1
    assert result.stderr == f"rejected {missing}: no such file or folder\n"


def test_load_content_without_a_path_is_a_usage_error(runner):
    result = runner.invoke(args=["hub", "load-content"])

    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_load_content_makes_the_documents_searchable_when_it_ends(app, runner, tmp_path):
    brief(tmp_path, "searchable", body="A study of tenrecology.\n")

    runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert found("tenrecology") == ["searchable"]


def test_load_content_exits_1_when_the_index_cannot_be_updated(app, runner, tmp_path):
    brief(tmp_path, "alpha")
    indexing.catch_up()  # this host has joined the log; its next catch-up crashes
    app.config["INDEX_FAULTS"] = {"before_index_commit"}

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr == "search index not updated: before_index_commit\n"


def test_load_content_reports_a_conflict_on_stderr_keeps_the_hub_version_and_exits_0(
    app, runner, tmp_path
):
    from hub.documents.models import Document

    path = brief(tmp_path, "alpha")
    runner.invoke(args=["hub", "load-content", str(tmp_path)])
    db.session.execute(update(Document).values(title="Edited in the Hub"))
    db.session.commit()
    brief(tmp_path, "alpha", body="Changed in the repository.\n")

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert result.exit_code == 0
    assert result.stdout == "0 created, 0 updated, 0 unchanged, 1 conflict, 0 rejected\n"
    conflict, advice = result.stderr.splitlines()
    assert conflict.startswith(f"conflict {path}: 'alpha' not updated: it was changed in the Hub")
    assert advice.startswith("Warning: this file was not loaded")
    assert "--force" in advice
    assert db.session.scalar(select(Document.title)) == "Edited in the Hub"


def test_load_content_with_force_lets_the_file_win_and_names_the_revision_to_restore(
    app, runner, tmp_path
):
    from hub.documents import editing
    from hub.documents.models import Document

    path = brief(tmp_path, "alpha")
    runner.invoke(args=["hub", "load-content", str(tmp_path)])
    doc = db.session.scalar(select(Document))
    editor = factories.user(role=Role.EDITOR, country_code=None)
    data = editing.DocumentInput(title="Edited in the Hub", body=doc.body, country="GHA")
    editing.update(doc, data, expected_version=doc.version, by=editor)
    brief(tmp_path, "alpha", body="Changed in the repository.\n")

    result = runner.invoke(args=["hub", "load-content", "--force", str(tmp_path)])

    assert result.exit_code == 0
    assert result.stdout == "0 created, 1 updated, 0 unchanged, 0 conflicts, 0 rejected\n"
    assert result.stderr == (
        f"forced {path}: 'alpha' updated although it was changed in the Hub since it was last "
        "loaded as revision 1 (now revision 2, latest: edited); revision 2 holds the version "
        "before this load, to restore from its history\n"
    )
    db.session.expire_all()
    assert (doc.title, len(doc.revisions)) == ("Brief alpha", 3)


# --- check-index ---


def test_check_index_exits_0_on_a_consistent_index(runner, indexed_brief):
    result = runner.invoke(args=["hub", "check-index"])

    assert result.exit_code == 0
    assert result.stdout.startswith("missing 0, extra 0, stale 0, changes pending 0 ")


def test_check_index_exits_1_when_a_document_is_missing_from_the_index(runner, indexed_brief):
    drop_from_index(indexed_brief.id)

    result = runner.invoke(args=["hub", "check-index"])

    assert result.exit_code == 1
    assert result.stdout.startswith("missing 1, extra 0, stale 0")
    assert result.stderr == f"  missing: document ids {indexed_brief.id}\n"


def test_check_index_exits_1_after_a_crash_before_the_index_commit(app, runner):
    indexing.catch_up()  # this host has joined the log; its next catch-up crashes
    app.config["INDEX_FAULTS"] = {"before_index_commit"}
    factories.document(kind=Kind.POLICY_BRIEF)
    with pytest.raises(indexing.SimulatedCrash):
        indexing.catch_up()
    app.config["INDEX_FAULTS"] = set()

    result = runner.invoke(args=["hub", "check-index"])

    assert result.exit_code == 1
    assert result.stdout.startswith("missing 1, extra 0, stale 0, changes pending ")
    assert "changes pending 0 " not in result.stdout


def test_check_index_repair_puts_the_missing_document_back(app, runner, indexed_brief):
    drop_from_index(indexed_brief.id)

    result = runner.invoke(args=["hub", "check-index", "--repair"])

    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "repaired"
    assert indexing.check().ok
    assert found("echidnaform") == [indexed_brief.slug]


# --- reindex ---


def test_reindex_prints_the_number_of_indexed_documents(runner, app):
    factories.document(kind=Kind.POLICY_BRIEF)
    factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    factories.document(kind=Kind.POLICY_BRIEF, status=Status.DRAFT)

    result = runner.invoke(args=["hub", "reindex"])

    assert result.exit_code == 0
    assert result.stdout.startswith("Indexed 2 documents in ")


def test_reindex_makes_unindexed_documents_searchable(runner, app):
    factories.document(kind=Kind.POLICY_BRIEF, slug="late", body="About solenodontics.")

    runner.invoke(args=["hub", "reindex"])

    assert found("solenodontics") == ["late"]


# --- load-reference ---


@pytest.fixture
def countries_file(tmp_path) -> Path:
    """The repository's Partnership facts if present, else a minimal file with Ghana."""
    repo_file = PROJECT_ROOT / "content" / "countries.yml"
    if repo_file.is_file():
        return repo_file
    path = tmp_path / "countries.yml"
    path.write_text("- iso3: GHA\n  partnership_status: pilot\n  co_chair: true\n")
    return path


def test_load_reference_sets_ghana_as_a_co_chairing_pilot(app, runner, countries_file):
    result = runner.invoke(args=["hub", "load-reference", "--countries", str(countries_file)])

    ghana = db.session.scalar(select(Country).where(Country.iso3 == "GHA"))
    assert result.exit_code == 0, result.output
    assert (ghana.partnership_status, ghana.is_co_chair) == (PartnershipStatus.PILOT, True)


def test_load_reference_loads_the_un_country_groups(app, runner, countries_file):
    from hub.applications.models import CountryGroup, CountryGroupMembership

    result = runner.invoke(args=["hub", "load-reference", "--countries", str(countries_file)])

    assert result.exit_code == 0, result.output
    assert "LDC, LLDC and SIDS memberships:" in result.output
    groups = {
        (m.iso3, m.group)
        for m in db.session.scalars(
            select(CountryGroupMembership).where(CountryGroupMembership.iso3.in_(["NPL", "FJI"]))
        )
    }
    # Nepal is least developed and landlocked; Fiji is a small island developing State.
    assert groups == {
        ("NPL", CountryGroup.LDC),
        ("NPL", CountryGroup.LLDC),
        ("FJI", CountryGroup.SIDS),
    }


def test_load_reference_with_an_unknown_country_code_fails(app, runner, tmp_path):
    path = tmp_path / "countries.yml"
    path.write_text("- iso3: XXX\n  partnership_status: pilot\n")

    result = runner.invoke(args=["hub", "load-reference", "--countries", str(path)])

    assert result.exit_code == 1
    assert f"{path}: unknown country code 'XXX'" in result.stderr


# --- load-content without reference data ---


@pytest.fixture
def without_reference_data(app):
    """A database migrated but never given `hub load-reference`. On PostgreSQL the reference
    tables outlive the test, so they are loaded again afterwards."""
    from hub.countries.reference import load_countries
    from hub.sdg.models import SdgGoal, SdgIndicator, SdgTarget
    from hub.sdg.reference import load_sdgs
    from tests.conftest import PG_URL, REFERENCE

    for model in (SdgIndicator, SdgTarget, SdgGoal, Country):
        db.session.query(model).delete()
    db.session.commit()
    yield
    if PG_URL:
        db.session.rollback()
        load_sdgs(REFERENCE / "sdg")
        load_countries(REFERENCE / "m49_regions.csv")


@pytest.mark.usefixtures("without_reference_data")
def test_load_content_without_reference_data_stops_with_one_message(runner, tmp_path):
    brief(tmp_path, "alpha", country="ETH")
    brief(tmp_path, "beta", country="GHA")

    result = runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "flask --app wsgi hub load-reference" in result.stderr
    assert "unknown country code" not in result.stderr


@pytest.mark.usefixtures("without_reference_data")
def test_load_content_without_reference_data_loads_nothing(runner, tmp_path):
    from hub.documents.models import Document

    brief(tmp_path, "alpha")

    runner.invoke(args=["hub", "load-content", str(tmp_path)])

    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


# --- create-user ---

PASSWORD = "a long and unusual passphrase 42"


def create_user(runner, *options: str):
    args = ["hub", "create-user", "--email", "new@example.org", "--name", "New Person"]
    return runner.invoke(args=[*args, *options, "--password", PASSWORD])


def new_user() -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == "new@example.org"))


def test_create_user_without_role_is_a_usage_error_and_creates_nothing(runner):
    result = create_user(runner, "--country", "GHA")

    assert result.exit_code == 2
    assert "Missing option '--role'" in result.stderr
    assert new_user() is None


def test_create_user_makes_an_admin_without_a_country(runner):
    result = create_user(runner, "--role", "admin")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Created admin new@example.org\n"
    assert (new_user().role, new_user().country) == (Role.ADMIN, None)


def test_create_user_makes_a_focal_point_of_the_given_country(runner):
    result = create_user(runner, "--role", "focal_point", "--country", "GHA")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Created focal_point new@example.org for Ghana\n"
    assert new_user().country.iso3 == "GHA"


def test_create_user_refuses_a_focal_point_without_a_country(runner):
    result = create_user(runner, "--role", "focal_point")

    assert result.exit_code == 2
    assert "a focal point belongs to one country: add --country" in result.stderr
    assert new_user() is None


@pytest.mark.parametrize("role, words", [("admin", "an administrator"),
                                         ("editor", "a Secretariat editor")])  # fmt: skip
def test_create_user_refuses_a_country_for_a_staff_role(runner, role, words):
    result = create_user(runner, "--role", role, "--country", "GHA")

    assert result.exit_code == 2
    assert f"--country is only for focal points; {words} works for every country" in result.stderr
    assert new_user() is None


def test_create_user_with_an_unknown_country_says_so_and_creates_nothing(runner):
    result = create_user(runner, "--role", "focal_point", "--country", "XYZ")

    assert result.exit_code == 1
    assert "Unknown country code “XYZ”" in result.stderr
    assert new_user() is None


@pytest.mark.usefixtures("without_reference_data")
def test_create_user_focal_point_without_reference_data_says_to_load_it(runner):
    result = create_user(runner, "--role", "focal_point", "--country", "GHA")

    assert result.exit_code == 1
    assert "flask --app wsgi hub load-reference" in result.stderr
    assert new_user() is None


def test_create_user_with_a_weak_password_creates_nothing(runner):
    args = ["hub", "create-user", "--email", "new@example.org", "--name", "New Person"]
    result = runner.invoke(args=[*args, "--role", "admin", "--password", "short"])

    assert result.exit_code == 1
    assert new_user() is None


def test_create_user_asks_for_the_password_twice_when_not_given(runner):
    args = ["hub", "create-user", "--email", "new@example.org", "--name", "New Person"]
    result = runner.invoke(args=[*args, "--role", "editor"], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert new_user().role is Role.EDITOR
