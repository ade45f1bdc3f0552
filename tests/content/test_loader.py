"""Behaviour of ``hub.content.loader.load_paths`` against the real database, store and index.

Each test runs in the ``app`` fixture's context: a migrated SQLite copy with SDGs and countries, a
Whoosh index and a DATA_DIR under tmp_path. Content folders are written with ``content_file``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.config import PROJECT_ROOT
from hub.content.loader import load_paths
from hub.documents import files
from hub.documents.models import Document, ExtractionStatus, Kind, Status
from hub.extensions import db
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests.factories import content_file, pdf_bytes


def brief(folder: Path, slug: str, extra: str = "", body: str = "Body text.\n", **kw) -> Path:
    title = kw.get("title", f"Brief {slug}")
    front = f"kind: policy_brief\ntitle: {title}\ncountry: {kw.get('country', 'GHA')}\n{extra}"
    return content_file(folder, kw.get("name", f"{slug}.md"), front, body)


def section(folder: Path, slug: str, extra: str = "", name: str | None = None) -> Path:
    front = f"kind: guidebook_section\ntitle: Section {slug}\n{extra}"
    return content_file(folder, name or f"{slug}.md", front, "Section text.\n")


def doc(slug: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.slug == slug))


def found(q: str) -> list[str]:
    return [hit.slug for hit in search(SearchRequest(q=q), viewer=None).hits]


def stored_files() -> list[Path]:
    root = files.attachments_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def reasons(report) -> dict[str, str]:
    return {Path(path).name: reason for path, reason in report.rejected}


# --- created, updated, unchanged ---


def test_first_load_creates_every_document(app, tmp_path):
    folder = tmp_path / "content"
    for slug in ("alpha", "beta", "gamma"):
        brief(folder, slug)

    report = load_paths([folder])

    assert (sorted(report.created), report.updated, report.unchanged, report.rejected) == (
        ["alpha", "beta", "gamma"], [], [], []
    )  # fmt: skip
    assert report.ok
    assert report.summary() == "3 created, 0 updated, 0 unchanged, 0 conflicts, 0 rejected"


def test_second_load_of_the_same_files_changes_nothing(app, tmp_path):
    folder = tmp_path / "content"
    for slug in ("alpha", "beta", "gamma"):
        brief(folder, slug, "sdgs: [7, '17.6']\nareas: [capabilities]\ntags: [Solar]")
    load_paths([folder])

    report = load_paths([folder])

    assert report.summary() == "0 created, 0 updated, 3 unchanged, 0 conflicts, 0 rejected"


def test_editing_one_file_updates_only_that_document(app, tmp_path):
    folder = tmp_path / "content"
    for slug in ("alpha", "beta", "gamma"):
        brief(folder, slug)
    load_paths([folder])
    load_paths([folder])
    brief(folder, "beta", title="Brief beta, revised")

    report = load_paths([folder])

    assert (report.updated, sorted(report.unchanged)) == (["beta"], ["alpha", "gamma"])
    assert doc("beta").title == "Brief beta, revised"


def test_reload_without_published_keeps_the_date_it_was_given(app, tmp_path):
    folder = tmp_path / "content"
    path = brief(folder, "dated", "published: 2024-03-18")
    load_paths([folder])
    path.write_text(path.read_text().replace("published: 2024-03-18\n", ""))

    report = load_paths([folder])

    assert report.unchanged == ["dated"]
    assert doc("dated").published_on.isoformat() == "2024-03-18"


# --- revisions ---


def test_created_document_has_one_revision_with_its_content(app, tmp_path):
    brief(tmp_path, "alpha", "sdgs: ['17.6']", title="First title")

    load_paths([tmp_path])

    revisions = doc("alpha").revisions
    assert [r.number for r in revisions] == [1]
    assert revisions[0].snapshot["title"] == "First title"
    assert revisions[0].snapshot["targets"] == ["17.6"]
    assert revisions[0].note == "loaded from alpha.md"


def test_unchanged_reload_records_no_revision(app, tmp_path):
    brief(tmp_path, "alpha")
    load_paths([tmp_path])

    load_paths([tmp_path])

    assert len(doc("alpha").revisions) == 1


def test_changed_file_records_a_revision_with_the_new_content(app, tmp_path):
    brief(tmp_path, "alpha", title="First title")
    load_paths([tmp_path])
    brief(tmp_path, "alpha", title="Second title")

    load_paths([tmp_path])

    revisions = doc("alpha").revisions
    assert [r.number for r in revisions] == [1, 2]
    assert [r.snapshot["title"] for r in revisions] == ["First title", "Second title"]


# --- rejections that need the database ---


def test_unknown_country_code_is_rejected(app, tmp_path):
    brief(tmp_path, "nowhere", country="XXX")

    report = load_paths([tmp_path])

    assert reasons(report) == {"nowhere.md": "unknown country code 'XXX'"}
    assert doc("nowhere") is None


@pytest.mark.parametrize("code", ["1.z", "17.99"])
def test_sdg_target_that_does_not_exist_is_rejected(app, tmp_path, code):
    brief(tmp_path, "target", f"sdgs: ['{code}']")

    report = load_paths([tmp_path])

    assert reasons(report) == {"target.md": f"SDG target {code} does not exist"}
    assert doc("target") is None


def test_duplicate_slug_rejects_both_files_and_names_the_other(app, tmp_path):
    first = brief(tmp_path, "same", name="first.md")
    second = brief(tmp_path, "same", "slug: same", name="second.md")
    first.write_text(first.read_text().replace("country: GHA", "country: GHA\nslug: same"))

    report = load_paths([tmp_path])

    assert reasons(report) == {
        "first.md": f"duplicate slug 'same': also in {second}",
        "second.md": f"duplicate slug 'same': also in {first}",
    }
    assert doc("same") is None


def test_one_bad_file_does_not_stop_the_others(app, tmp_path):
    brief(tmp_path, "a-good")
    brief(tmp_path, "b-bad", country="XXX")
    (tmp_path / "c-broken.md").write_text("no front matter\n", encoding="utf-8")
    brief(tmp_path, "d-good")

    report = load_paths([tmp_path])

    assert sorted(report.created) == ["a-good", "d-good"]
    assert sorted(reasons(report)) == ["b-bad.md", "c-broken.md"]
    assert not report.ok


def test_files_and_folders_starting_with_underscore_or_dot_are_skipped(app, tmp_path):
    brief(tmp_path, "kept")
    brief(tmp_path, "draft-notes", name="_draft-notes.md")
    brief(tmp_path, "hidden", name=".hidden.md")
    brief(tmp_path / "_templates", "template")
    brief(tmp_path / ".git", "in-git")

    report = load_paths([tmp_path])

    assert (report.created, report.rejected) == (["kept"], [])


def test_path_that_does_not_exist_is_reported(app, tmp_path):
    missing = tmp_path / "no-such-folder"

    report = load_paths([missing])

    assert report.rejected == [(str(missing), "no such file or folder")]


def test_single_file_path_is_loaded(app, tmp_path):
    brief(tmp_path, "other")
    path = brief(tmp_path, "only-this")

    report = load_paths([path])

    assert report.created == ["only-this"]


# --- guidebook structure ---


def test_parent_in_the_same_load_is_loaded_before_its_child(app, tmp_path):
    # File order puts the child first: 'a-child.md' sorts before 'z-parent.md'.
    section(tmp_path, "a-child", "parent: z-parent\norder: 2")
    section(tmp_path, "z-parent")

    report = load_paths([tmp_path])

    assert report.created == ["z-parent", "a-child"]
    assert doc("a-child").parent.slug == "z-parent"
    assert doc("a-child").position == 2


def test_parent_that_does_not_exist_is_rejected(app, tmp_path):
    section(tmp_path, "orphan", "parent: nobody")

    report = load_paths([tmp_path])

    assert reasons(report) == {"orphan.md": "parent section 'nobody' not found"}


def test_parent_that_is_not_a_guidebook_section_is_rejected(app, tmp_path):
    brief(tmp_path, "a-brief")
    section(tmp_path, "b-section", "parent: a-brief")

    report = load_paths([tmp_path])

    assert reasons(report) == {"b-section.md": "parent section 'a-brief' not found"}


def test_parent_loop_across_two_loads_is_rejected(app, tmp_path):
    section(tmp_path, "top")
    section(tmp_path, "below", "parent: top")
    load_paths([tmp_path])
    section(tmp_path, "top", "parent: below")

    report = load_paths([tmp_path])

    assert reasons(report) == {"top.md": "parent 'below' would make a loop in the guidebook"}
    assert doc("top").parent is None


def test_changing_the_kind_of_an_existing_slug_is_rejected(app, tmp_path):
    brief(tmp_path, "shared")
    load_paths([tmp_path])
    section(tmp_path, "shared")

    report = load_paths([tmp_path])

    assert reasons(report) == {"shared.md": "slug 'shared' is already used by a policy_brief"}
    assert doc("shared").kind is Kind.POLICY_BRIEF


# --- attachments ---


def with_pdf(folder: Path, slug: str, content: bytes, pdf_name: str = "annex.pdf") -> Path:
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "files" / pdf_name).write_bytes(content)
    return brief(folder, slug, f"attachments: [files/{pdf_name}]")


def test_attachment_is_stored_under_data_dir_with_a_server_made_name(app, tmp_path):
    with_pdf(tmp_path / "content", "annexed", pdf_bytes("Annex text"), pdf_name="ghana-annex.pdf")

    load_paths([tmp_path / "content"])

    attachment = doc("annexed").attachments[0]
    assert attachment.filename == "ghana-annex.pdf"
    assert "ghana" not in attachment.stored_name
    assert stored_files() == [files.path_for(attachment.stored_name)]
    assert stored_files()[0].is_relative_to(Path(app.config["DATA_DIR"]))


def test_attachment_records_sha256_and_size(app, tmp_path):
    content = pdf_bytes("Annex text")
    with_pdf(tmp_path, "annexed", content)

    load_paths([tmp_path])

    attachment = doc("annexed").attachments[0]
    assert attachment.sha256 == files.sha256_of(tmp_path / "files" / "annex.pdf")
    assert attachment.size == len(content)


def test_attachment_text_is_extracted(app, tmp_path):
    with_pdf(tmp_path, "annexed", pdf_bytes("Irrigation pilots in the Volta basin", pages=2))

    load_paths([tmp_path])

    attachment = doc("annexed").attachments[0]
    assert attachment.extraction_status is ExtractionStatus.OK
    assert attachment.page_count == 2
    assert "Volta basin" in attachment.text


def test_words_only_in_the_pdf_are_searchable_right_after_the_load(app, tmp_path):
    with_pdf(tmp_path, "annexed", pdf_bytes("The quokkamarmalade protocol"))

    load_paths([tmp_path])

    assert found("quokkamarmalade") == ["annexed"]


def test_replacing_the_pdf_updates_the_attachment_and_removes_the_old_file(app, tmp_path):
    with_pdf(tmp_path, "annexed", pdf_bytes("Old annex wombatfirst"))
    load_paths([tmp_path])
    [old_file] = stored_files()
    with_pdf(tmp_path, "annexed", pdf_bytes("New annex numbatsecond"))

    report = load_paths([tmp_path])

    attachment = doc("annexed").attachments[0]
    assert report.updated == ["annexed"]
    assert stored_files() == [files.path_for(attachment.stored_name)]
    assert not old_file.exists()
    assert "numbatsecond" in attachment.text
    assert (found("wombatfirst"), found("numbatsecond")) == ([], ["annexed"])


def test_unchanged_pdf_keeps_its_stored_file_on_reload(app, tmp_path):
    with_pdf(tmp_path, "annexed", pdf_bytes("Annex text"))
    load_paths([tmp_path])
    before = doc("annexed").attachments[0].stored_name

    report = load_paths([tmp_path])

    assert report.unchanged == ["annexed"]
    assert doc("annexed").attachments[0].stored_name == before
    assert stored_files() == [files.path_for(before)]


def test_file_named_pdf_that_is_not_a_pdf_is_rejected_and_leaves_no_stored_file(app, tmp_path):
    with_pdf(tmp_path, "fake", b"<html>not a pdf</html>", pdf_name="fake.pdf")

    report = load_paths([tmp_path])

    assert reasons(report) == {"fake.md": "fake.pdf is not a PDF file"}
    assert stored_files() == []
    assert doc("fake") is None


def test_bad_second_attachment_removes_the_first_one_already_stored(app, tmp_path):
    (tmp_path / "good.pdf").write_bytes(pdf_bytes("fine"))
    (tmp_path / "bad.pdf").write_bytes(b"GIF89a")
    brief(tmp_path, "two", "attachments: [good.pdf, bad.pdf]")

    report = load_paths([tmp_path])

    assert reasons(report) == {"two.md": "bad.pdf is not a PDF file"}
    assert stored_files() == []


def test_broken_pdf_loads_with_extraction_failed(app, tmp_path):
    with_pdf(tmp_path, "broken", b"%PDF-1.4 garbage")

    report = load_paths([tmp_path])

    attachment = doc("broken").attachments[0]
    assert report.created == ["broken"]
    assert attachment.extraction_status is ExtractionStatus.FAILED
    assert attachment.extraction_error


# --- search index ---


def test_published_document_is_searchable_after_the_load(app, tmp_path):
    brief(tmp_path, "visible", body="Peer learning about bandicootery in Accra.\n")

    load_paths([tmp_path])

    assert found("bandicootery") == ["visible"]


def test_draft_document_is_not_searchable(app, tmp_path):
    brief(tmp_path, "hidden", "status: draft", body="Peer learning about bandicootery.\n")

    load_paths([tmp_path])

    assert doc("hidden").status is Status.DRAFT
    assert found("bandicootery") == []


def test_switching_a_document_to_draft_removes_it_from_search(app, tmp_path):
    brief(tmp_path, "later", body="Peer learning about bandicootery.\n")
    load_paths([tmp_path])
    brief(tmp_path, "later", "status: draft", body="Peer learning about bandicootery.\n")

    load_paths([tmp_path])

    assert found("bandicootery") == []


def test_index_failure_is_reported_and_the_documents_stay_loaded(app, tmp_path):
    brief(tmp_path, "alpha")
    indexing.catch_up()  # this host has joined the log; its next catch-up crashes
    app.config["INDEX_FAULTS"] = {"before_index_commit"}

    report = load_paths([tmp_path])

    assert report.index_error == "search index not updated: before_index_commit"
    assert not report.ok
    assert doc("alpha") is not None


# --- nothing is deleted ---


def test_removing_a_file_from_the_folder_deletes_nothing(app, tmp_path):
    brief(tmp_path, "stays", body="Words about pangolinium.\n")
    brief(tmp_path, "other")
    load_paths([tmp_path])
    (tmp_path / "stays.md").unlink()

    report = load_paths([tmp_path])

    assert report.summary() == "0 created, 0 updated, 1 unchanged, 0 conflicts, 0 rejected"
    assert doc("stays") is not None
    assert found("pangolinium") == ["stays"]


# --- the repository's own content ---


def test_repository_content_folder_loads_without_rejections(app):
    report = load_paths([PROJECT_ROOT / "content"])

    assert (report.rejected, report.index_error) == ([], None)
    assert report.created


# --- bugs ---


def test_same_file_reached_through_two_spellings_is_not_a_duplicate(app, tmp_path, monkeypatch):
    # Once a bug: collect_files deduped Path objects without resolving them, so "content" and
    # '/abs/.../content/x.md' name the same file twice and both copies are rejected as duplicates.
    brief(tmp_path / "content", "once")
    monkeypatch.chdir(tmp_path)

    report = load_paths([Path("content"), tmp_path / "content" / "once.md"])

    assert (report.created, report.rejected) == (["once"], [])


def test_published_value_with_a_time_is_rejected_naming_it(app, tmp_path):
    # Once a bug: a datetime passed as a date and made every reload an "update" with a revision.
    brief(tmp_path, "stamped", "published: 2024-05-01T10:00:00")

    report = load_paths([tmp_path])

    assert report.created == []
    assert "2024-05-01T10:00:00" in report.rejected[0][1]


def test_two_attachments_with_the_same_file_name_are_rejected_and_store_nothing(app, tmp_path):
    # Once a bug: attachments are matched by file name, so twins stored a stray copy on reload.
    for sub, text in (("a", "first report"), ("b", "second report")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.pdf").write_bytes(pdf_bytes(text))
    brief(tmp_path, "twins", "attachments: [a/report.pdf, b/report.pdf]")

    report = load_paths([tmp_path])

    assert "two attachments are named report.pdf" in report.rejected[0][1]
    assert stored_files() == []
