"""Keeping the search index in step with the database: the change log, catch-up, check, repair,
rebuild.

Everything runs against the real SQLite database and a real Whoosh index in tmp_path. Crashes are
simulated only through the project's own fault hook, ``app.config["INDEX_FAULTS"]``. Tests run
with ``INDEX_FOLLOW = "inline"`` (each commit is caught up at once); those about what happens
before a catch-up use the ``deferred`` fixture, as a host whose follower has not run yet.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from hub import create_app
from hub.accounts.models import Role
from hub.documents import service
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Attachment, Document, ExtractionStatus, Status, Visibility
from hub.extensions import db
from hub.search import indexing
from hub.search.indexing import SimulatedCrash
from hub.search.models import IndexChange
from hub.search.query import SearchRequest, search, text_query
from tests import factories

MARKERS = ("\ue000", "\ue001")


# --- helpers: read the database and the index the way an operator would ---


def titles(q: str, viewer=None, **filters: str) -> list[str]:
    return sorted(h.title for h in search(SearchRequest(q, filters=filters), viewer=viewer).hits)


def log_rows(document_id: int | None = None) -> int:
    stmt = select(func.count(IndexChange.id))
    if document_id is not None:
        stmt = stmt.where(IndexChange.document_id == document_id)
    return db.session.scalar(stmt)


def pending() -> int:
    """Rows of the log this host's index has not applied."""
    return indexing.check().pending


@pytest.fixture
def deferred(app):
    """A host that has joined the log (built its index) and whose follower has not run since:
    commits no longer reach the index by themselves, only an explicit catch_up() does."""
    indexing.catch_up()
    app.config["INDEX_FOLLOW"] = "thread"
    return app


def index_doc_count() -> int:
    with indexing.get_store().open().searcher() as searcher:
        return searcher.doc_count()


def stored_entries() -> dict[str, dict]:
    with indexing.get_store().open().searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def delete_entry_directly(doc_id: int) -> None:
    """Remove an entry behind the change log's back, as a lost write would."""
    writer = indexing.get_store().open().writer(timeout=1)
    writer.delete_by_term("id", str(doc_id))
    writer.commit()


def generation_dirs(app) -> list[str]:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("v"))


def attach_text(doc: Document, text: str, filename: str = "annex.pdf") -> Attachment:
    attachment = Attachment(
        filename=filename,
        stored_name=f"{uuid.uuid4().hex}.pdf",
        size=len(text),
        sha256="0" * 64,
        text=text,
        extraction_status=ExtractionStatus.OK,
    )
    doc.attachments.append(attachment)
    return attachment


def published(title: str, **kwargs) -> Document:
    kwargs.setdefault("body", "Plain body words.")
    kwargs.setdefault("summary", "Short summary.")
    return factories.document(title=title, **kwargs)


# --- the change log is written in the document's own transaction ---


def test_new_published_document_writes_its_change_row_in_the_same_transaction(app):
    doc = published("Solar clinics", commit=False)
    db.session.flush()

    assert log_rows(doc.id) >= 1
    db.session.commit()
    assert log_rows(doc.id) >= 1


def test_rolled_back_new_document_leaves_no_change_row(app):
    doc = published("Solar clinics", commit=False)
    db.session.flush()
    doc_id = doc.id
    db.session.rollback()

    assert db.session.get(Document, doc_id) is None
    assert log_rows() == 0


def test_rolled_back_edit_leaves_no_change_row(app):
    doc = published("Solar clinics")
    before = log_rows(doc.id)

    doc.title = "Wind clinics"
    db.session.flush()
    assert log_rows(doc.id) == before + 1
    db.session.rollback()

    assert log_rows(doc.id) == before


def test_caught_up_document_is_searchable_and_the_log_keeps_its_row_for_other_hosts(deferred):
    doc = published("Solar clinics")

    indexing.catch_up()

    assert titles("solar") == ["Solar clinics"]
    assert pending() == 0
    assert log_rows(doc.id) >= 1


def test_document_not_yet_caught_up_is_not_yet_searchable(deferred):
    published("Solar clinics")

    assert titles("solar") == []


def test_inline_following_makes_a_commit_searchable_without_an_explicit_catch_up(app):
    published("Solar clinics")

    assert titles("solar") == ["Solar clinics"]
    assert pending() == 0


def test_edited_title_is_searchable_and_old_title_is_not(app):
    doc = published("Solar clinics")
    indexing.catch_up()

    doc.title = "Geothermal clinics"
    db.session.commit()
    indexing.catch_up()

    assert titles("geothermal") == ["Geothermal clinics"]
    assert titles("solar") == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_document_that_leaves_published_status_drops_out_of_search(app, status):
    doc = published("Solar clinics")
    indexing.catch_up()

    doc.status = status
    db.session.commit()
    indexing.catch_up()

    assert titles("solar") == []
    assert index_doc_count() == 0


def test_deleted_document_drops_out_of_search(app):
    doc = published("Solar clinics")
    indexing.catch_up()

    db.session.delete(doc)
    db.session.commit()
    indexing.catch_up()

    assert titles("solar") == []
    assert index_doc_count() == 0


def test_changing_only_the_tags_updates_the_entry(app):
    doc = published("Solar clinics", tags=["energy"])
    indexing.catch_up()

    service.set_tags(doc, ["health"])
    db.session.commit()
    indexing.catch_up()

    assert stored_entries()[str(doc.id)]["tags"] == "health"


# --- who may find what ---


def test_members_only_document_is_absent_from_anonymous_search(app):
    published("Solar clinics for members", visibility=Visibility.MEMBERS)
    published("Solar clinics for everyone")
    indexing.catch_up()

    results = search(SearchRequest("solar"), viewer=None)

    assert [h.title for h in results.hits] == ["Solar clinics for everyone"]
    assert results.total == 1


def test_members_only_document_is_not_counted_in_anonymous_listing(app):
    published("Solar clinics for members", visibility=Visibility.MEMBERS)
    published("Solar clinics for everyone")
    indexing.catch_up()

    results = search(SearchRequest(""), viewer=None)

    assert results.total == 1
    assert [h.title for h in results.hits] == ["Solar clinics for everyone"]


def test_members_only_document_is_found_by_a_signed_in_viewer(app):
    published("Solar clinics for members", visibility=Visibility.MEMBERS)
    indexing.catch_up()
    member = factories.user(role=Role.FOCAL_POINT, country_code="KEN")

    assert titles("solar", viewer=member) == ["Solar clinics for members"]


def test_public_document_turned_members_only_leaves_anonymous_search(app):
    doc = published("Solar clinics")
    indexing.catch_up()

    doc.visibility = Visibility.MEMBERS
    db.session.commit()
    indexing.catch_up()

    assert titles("solar") == []


# --- requests (inline following: tests and scripts) ---


def test_change_committed_by_a_request_is_searchable_when_the_response_returns(app, client):
    with app.app_context():  # set-up in its own context, as a loader run would be
        doc_id = published("Borehole maintenance").id
        indexing.catch_up()

    def rename(doc_id: int) -> str:
        doc = db.session.get(Document, doc_id)
        doc.title = "Groundwater stewardship"
        db.session.commit()
        return "renamed"

    app.add_url_rule("/_test/rename/<int:doc_id>", view_func=rename, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False

    response = client.post(f"/_test/rename/{doc_id}")

    assert response.status_code == 200
    assert titles("groundwater") == ["Groundwater stewardship"]
    assert titles("borehole") == []
    assert pending() == 0


def test_request_whose_index_update_crashes_still_answers_and_leaves_the_change_pending(
    app, client
):
    with app.app_context():
        doc_id = published("Borehole maintenance").id
        indexing.catch_up()

    def rename(doc_id: int) -> str:
        doc = db.session.get(Document, doc_id)
        doc.title = "Groundwater stewardship"
        db.session.commit()
        return "renamed"

    app.add_url_rule("/_test/rename/<int:doc_id>", view_func=rename, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["INDEX_FAULTS"] = {"before_index_commit"}

    response = client.post(f"/_test/rename/{doc_id}")

    assert response.status_code == 200
    app.config["INDEX_FAULTS"] = set()
    assert pending() >= 1
    assert titles("borehole") == ["Borehole maintenance"]


# --- crashes around the index commit ---


def test_crash_before_index_commit_raises_and_leaves_the_change_pending(deferred):
    published("Solar clinics")
    deferred.config["INDEX_FAULTS"] = {"before_index_commit"}

    with pytest.raises(SimulatedCrash):
        indexing.catch_up()

    deferred.config["INDEX_FAULTS"] = set()
    assert pending() >= 1
    assert titles("solar") == []


def test_crash_before_index_commit_releases_the_writer_lock(deferred):
    published("Solar clinics")
    deferred.config["INDEX_FAULTS"] = {"before_index_commit"}

    with pytest.raises(SimulatedCrash):
        indexing.catch_up()

    writer = indexing.get_store().open().writer(timeout=0.1)
    writer.cancel()


def test_catch_up_after_clearing_a_crash_before_commit_applies_the_change(deferred):
    published("Solar clinics")
    deferred.config["INDEX_FAULTS"] = {"before_index_commit"}
    with pytest.raises(SimulatedCrash):
        indexing.catch_up()

    deferred.config["INDEX_FAULTS"] = set()
    indexing.catch_up()

    assert titles("solar") == ["Solar clinics"]
    assert pending() == 0


def test_crash_after_index_commit_leaves_the_change_pending(deferred):
    published("Solar clinics")
    deferred.config["INDEX_FAULTS"] = {"after_index_commit"}

    with pytest.raises(SimulatedCrash):
        indexing.catch_up()

    deferred.config["INDEX_FAULTS"] = set()
    assert pending() >= 1
    assert titles("solar") == ["Solar clinics"]


def test_replaying_the_log_after_crash_after_commit_gives_an_identical_index(deferred):
    doc = published("Solar clinics")
    published("Wind clinics")
    deferred.config["INDEX_FAULTS"] = {"after_index_commit"}
    with pytest.raises(SimulatedCrash):
        indexing.catch_up()
    count_before, entries_before = index_doc_count(), stored_entries()

    deferred.config["INDEX_FAULTS"] = set()
    indexing.catch_up()

    assert index_doc_count() == count_before == 2
    assert stored_entries() == entries_before
    assert stored_entries()[str(doc.id)]["content_hash"] == indexing.entry_for(doc)["content_hash"]
    assert pending() == 0


def test_applying_the_same_change_rows_twice_keeps_one_entry_per_document(deferred):
    doc = published("Solar clinics")
    indexing.catch_up()

    indexing.enqueue(db.session, [doc.id])
    indexing.enqueue(db.session, [doc.id])
    db.session.commit()
    indexing.catch_up()

    assert index_doc_count() == 1
    assert search(SearchRequest("solar"), viewer=None).total == 1


def test_several_edits_before_a_catch_up_leave_one_entry_with_the_last_title(deferred):
    doc = published("Solar clinics")
    for title in ("Wind clinics", "Tidal clinics", "Hydro clinics"):
        doc.title = title
        db.session.commit()

    indexing.catch_up()

    assert index_doc_count() == 1
    assert titles("clinics") == ["Hydro clinics"]


# --- generations ---


def test_catch_up_writes_to_the_generation_made_by_a_rebuild(app):
    doc_id = published("Solar clinics").id
    indexing.catch_up()
    indexing.rebuild()  # note: rebuild() expunges the session, so reload the document

    doc = db.session.get(Document, doc_id)
    doc.title = "Geothermal clinics"
    db.session.commit()
    indexing.catch_up()

    assert titles("geothermal") == ["Geothermal clinics"]
    assert titles("solar") == []
    assert len(generation_dirs(app)) == 1


def test_catch_up_waiting_on_the_lock_during_a_rebuild_follows_the_swap(deferred):
    """A catch-up that starts while a rebuild holds the lock must end up writing to the new index.

    Once a bug: once the rebuild releases the old generation it prunes the folder at once, and
    the waiting writer's next lock attempt raises FileNotFoundError instead of following CURRENT.
    """
    doc_id = published("Solar clinics").id
    published("Wind clinics")
    indexing.catch_up()
    app = deferred
    app.config["INDEX_WRITER_TIMEOUT"] = 5.0
    errors: list[BaseException] = []
    committed = threading.Event()
    workers: list[threading.Thread] = []

    def edit_and_catch_up() -> None:
        with app.app_context():
            try:
                other = db.session.get(Document, doc_id)
                other.title = "Geothermal clinics"
                db.session.commit()
                committed.set()
                indexing.catch_up()
            except BaseException as exc:
                errors.append(exc)
            finally:
                committed.set()

    def progress(done: int, total: int) -> None:
        if done == 1:
            worker = threading.Thread(target=edit_and_catch_up)
            worker.start()
            workers.append(worker)
            assert committed.wait(5)

    indexing.rebuild(progress=progress)
    workers[0].join(10)

    assert errors == []
    assert titles("geothermal") == ["Geothermal clinics"]


# --- check and repair ---


def test_check_of_an_index_in_step_is_ok(app):
    published("Solar clinics")
    published("Wind clinics")
    indexing.catch_up()

    report = indexing.check()

    assert report.ok
    assert (report.missing, report.extra, report.stale, report.pending) == ([], [], [], 0)


def test_check_counts_change_rows_not_yet_applied(deferred):
    doc = published("Solar clinics")

    report = indexing.check()

    assert report.pending == log_rows(doc.id) >= 1
    assert report.missing == [doc.id]


def test_check_reports_a_document_missing_from_the_index(app):
    doc = published("Solar clinics")
    published("Wind clinics")
    indexing.catch_up()
    delete_entry_directly(doc.id)

    report = indexing.check()

    assert report.missing == [doc.id]
    assert not report.ok


def test_check_reports_an_entry_for_an_unknown_document_as_extra(app):
    doc = published("Solar clinics")
    indexing.catch_up()
    ghost = dict(indexing.entry_for(doc), id="99999", slug="ghost", title="Ghost")
    writer = indexing.get_store().open().writer(timeout=1)
    writer.add_document(**ghost)
    writer.commit()

    report = indexing.check()

    assert report.extra == [99999]
    assert not report.ok


def test_core_update_statement_writes_no_change_row(app):
    """The premise of the stale tests: a Core UPDATE does not go through the ORM flush hook."""
    doc = published("Solar clinics")
    before = log_rows()

    db.session.execute(update(Document).where(Document.id == doc.id).values(title="Changed"))
    db.session.commit()

    assert log_rows() == before


def test_check_reports_an_entry_for_a_document_unpublished_behind_the_log_as_extra(app):
    doc = published("Solar clinics")
    indexing.catch_up()
    db.session.execute(update(Document).where(Document.id == doc.id).values(status=Status.DRAFT))
    db.session.commit()

    report = indexing.check()

    assert report.extra == [doc.id]


def test_check_reports_a_document_changed_behind_the_log_as_stale(app):
    doc = published("Solar clinics")
    published("Wind clinics")
    indexing.catch_up()
    db.session.execute(
        update(Document).where(Document.id == doc.id).values(title="Geothermal clinics")
    )
    db.session.commit()

    report = indexing.check()

    assert report.stale == [doc.id]
    assert report.missing == [] and report.extra == []


def test_repair_fixes_missing_extra_and_stale_entries(app):
    missing = published("Solar clinics").id
    unpublished = published("Wind clinics").id
    stale = published("Tidal clinics").id
    indexing.catch_up()
    delete_entry_directly(missing)
    db.session.execute(
        update(Document).where(Document.id == unpublished).values(status=Status.DRAFT)
    )
    db.session.execute(update(Document).where(Document.id == stale).values(title="Hydro clinics"))
    db.session.commit()
    report = indexing.check()
    assert (report.missing, report.extra, report.stale) == ([missing], [unpublished], [stale])

    indexing.repair(report)

    assert indexing.check().ok
    assert titles("clinics") == ["Hydro clinics", "Solar clinics"]


# --- rebuild ---


def test_rebuild_points_current_at_a_new_generation(app):
    published("Solar clinics")
    indexing.catch_up()
    store = indexing.get_store()
    before = store.current_name()

    indexing.rebuild()

    after = store.current_name()
    assert after is not None and after != before
    assert (Path(app.config["SEARCH_INDEX_DIR"]) / "CURRENT").read_text().strip() == after


def test_rebuild_removes_old_generation_folders(app):
    published("Solar clinics")
    indexing.catch_up()
    indexing.rebuild()

    indexing.rebuild()

    assert generation_dirs(app) == [indexing.get_store().current_name()]


def test_search_finds_every_published_document_after_a_rebuild(app):
    published("Solar clinics")
    published("Wind clinics")
    published("Tidal clinics", status=Status.DRAFT)
    indexing.catch_up()

    report = indexing.rebuild()

    assert report.documents == 2
    assert titles("clinics") == ["Solar clinics", "Wind clinics"]


def test_rebuild_that_loses_documents_keeps_the_live_index(app, monkeypatch):
    """A writer process that dies takes its documents with it and Whoosh's MpWriter does not
    say so (an empty index at 50,000 briefs, once): such a build is refused, not swapped in."""
    published("Solar clinics")
    published("Wind clinics")
    indexing.catch_up()
    store = indexing.get_store()
    before = store.current_name()
    make_writer = indexing.rebuild_writer

    def losing_writer(ix, count):
        writer = make_writer(ix, count)
        add = writer.add_document
        kept = []

        def add_some(**fields):
            kept.append(fields)
            if len(kept) % 2:
                add(**fields)

        writer.add_document = add_some
        return writer

    monkeypatch.setattr(indexing, "rebuild_writer", losing_writer)
    with pytest.raises(indexing.IncompleteRebuild, match="indexed 1 of 2"):
        indexing.rebuild()

    assert store.current_name() == before
    assert titles("clinics") == ["Solar clinics", "Wind clinics"]
    assert generation_dirs(app) == [before]


def test_rebuild_leaves_nothing_pending_and_keeps_the_log(deferred):
    doc = published("Solar clinics")
    assert pending() >= 1

    indexing.rebuild()

    assert pending() == 0
    assert log_rows(doc.id) >= 1
    assert titles("solar") == ["Solar clinics"]


def test_rebuild_drops_entries_the_database_no_longer_has(app):
    doc = published("Solar clinics")
    indexing.catch_up()
    db.session.execute(update(Document).where(Document.id == doc.id).values(status=Status.DRAFT))
    db.session.commit()

    indexing.rebuild()

    assert titles("solar") == []


def test_search_during_a_rebuild_keeps_returning_results(app):
    for n in range(3):
        published(f"Solar clinics {n}")
    indexing.catch_up()
    totals: list[int] = []

    indexing.rebuild(progress=lambda done, total: totals.append(
        search(SearchRequest("solar"), viewer=None).total
    ))  # fmt: skip

    assert totals == [3, 3, 3]


def test_searcher_opened_before_a_rebuild_still_reads_after_the_swap(app):
    published("Solar clinics")
    indexing.catch_up()
    old_generation = indexing.get_store().current_name()
    searcher = indexing.get_store().searcher()  # the one way the Hub opens a searcher
    try:
        indexing.rebuild()
        assert old_generation not in generation_dirs(app)

        hits = searcher.search(text_query(searcher, "solar", []))

        assert [hit["title"] for hit in hits] == ["Solar clinics"]
    finally:
        searcher.close()


def test_a_searcher_reads_every_column_of_a_pruned_generation(app):
    """Segments are separate files and columns open lazily in Whoosh: the store opens them all
    with the searcher, so stored fields, field lengths (BM25) and the date sort still work."""
    published("Solar clinics", published_on=date(2024, 5, 1))
    published("Solar farms", published_on=date(2025, 5, 1))
    indexing.catch_up()
    searcher = indexing.get_store().searcher()
    try:
        indexing.rebuild()
        query = text_query(searcher, "solar", [])

        by_date = searcher.search(query, sortedby="published", reverse=True)
        by_score = searcher.search(query)

        assert [hit["title"] for hit in by_date] == ["Solar farms", "Solar clinics"]
        assert all(hit.score > 0 for hit in by_score)
        assert not list(indexing.get_store().root.rglob("*.seg"))  # separate files, no compound
    finally:
        searcher.close()


def test_mapped_storage_opens_an_empty_file(tmp_path):
    from hub.search.engine.storage import MappedFileStorage

    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "full").write_bytes(b"\x00\x00\x00\x07rest")

    assert MappedFileStorage(str(tmp_path)).open_file("empty").read() == b""
    full = MappedFileStorage(str(tmp_path)).open_file("full")
    assert full.read_int() == 7 and full.read(4) == b"rest"
    full.close()


# --- start-up check ---


def test_startup_check_repairs_an_index_missing_documents(app):
    doc = published("Solar clinics")
    published("Wind clinics")
    indexing.catch_up()
    delete_entry_directly(doc.id)

    report = indexing.startup_check()

    assert report is not None and report.missing == [doc.id]
    assert titles("solar") == ["Solar clinics"]
    assert indexing.check().ok


def test_startup_check_applies_the_changes_not_yet_caught_up(deferred):
    published("Solar clinics")

    indexing.startup_check()

    assert titles("solar") == ["Solar clinics"]
    assert pending() == 0


def test_startup_check_of_a_healthy_index_reports_nothing(app):
    published("Solar clinics")
    indexing.catch_up()

    assert indexing.startup_check() is None


def test_startup_check_rebuilds_when_the_index_folder_is_absent(app):
    published("Solar clinics")
    indexing.catch_up()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])

    indexing.startup_check()

    assert indexing.get_store().is_current_schema()
    assert titles("solar") == ["Solar clinics"]


def test_startup_check_rebuilds_when_the_index_folder_is_empty(app):
    published("Solar clinics")
    indexing.catch_up()
    root = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(root)
    root.mkdir()

    indexing.startup_check()

    assert titles("solar") == ["Solar clinics"]
    assert generation_dirs(app) == [indexing.get_store().current_name()]


def test_first_request_no_longer_runs_the_startup_check(app):
    """The start-up check moved to the follower (follower.py): a request never rebuilds."""
    published("Solar clinics")
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])

    fresh = create_app(dict(app.config, CHECK_INDEX_ON_START=True, INDEX_FOLLOW="thread"))
    with fresh.app_context():
        try:
            fresh.test_client().get("/search")

            assert not indexing.get_store().is_current_schema() or titles("solar") == []
        finally:
            db.session.remove()
            db.engine.dispose()


# --- attachments ---


def test_attachment_text_is_searchable_with_its_document(app):
    doc = published("Solar clinics")
    attach_text(doc, "Mangrove restoration finance.\fSecond page about seagrass.")
    db.session.commit()

    indexing.catch_up()

    hits = search(SearchRequest("seagrass"), viewer=None).hits
    assert [h.slug for h in hits] == [doc.slug]
    assert hits[0].snippet.source == "pdf"
    assert hits[0].snippet.page == 2


def test_removed_attachment_text_drops_out_of_search(app):
    doc = published("Solar clinics")
    attachment = attach_text(doc, "Mangrove restoration finance.")
    db.session.commit()
    indexing.catch_up()

    doc.attachments.remove(attachment)
    db.session.commit()
    indexing.catch_up()

    assert titles("mangrove") == []
    assert titles("solar") == ["Solar clinics"]


def test_text_extracted_from_a_stored_pdf_is_searchable(app, tmp_path):
    doc = published("Solar clinics")
    upload = tmp_path / "upload.pdf"
    upload.write_bytes(factories.pdf_bytes("Mangrove restoration finance"))
    attachment = attachment_from_file(upload, filename="annex.pdf")
    assert attachment.extraction_status is ExtractionStatus.OK, attachment.extraction_error
    doc.attachments.append(attachment)
    db.session.commit()

    indexing.catch_up()

    assert titles("mangrove") == ["Solar clinics"]


# --- entry_for ---


def test_entry_never_contains_snippet_marker_characters(app):
    doc = published(
        "Solar \ue000clinics\ue001",
        summary="Sum\ue001mary \ue000",
        body="Body \ue000with\ue001 markers",
    )
    attach_text(doc, "Annex \ue000text\ue001")
    db.session.commit()

    entry = indexing.entry_for(doc)

    texts = [v for v in entry.values() if isinstance(v, str)]
    assert not [t for t in texts if any(m in t for m in MARKERS)]
    assert entry["title"] == "Solar clinics"
    assert entry["body"] == "Summary \n\nBody with markers"


def test_entry_strips_marker_characters_written_as_html_entities(app):
    doc = published("Solar clinics", body="Body &#xE000;with&#57345; markers")

    entry = indexing.entry_for(doc)

    assert not any(m in entry["body"] for m in MARKERS)
    assert entry["body"].endswith("Body with markers")


def test_marker_characters_in_a_body_do_not_fake_highlights(app):
    published("Solar clinics", body="Plain \ue000fake\ue001 words about solar power.")
    indexing.catch_up()

    hit = search(SearchRequest("power"), viewer=None).hits[0]

    assert [text for text, is_match in hit.snippet.pieces if is_match] == ["power"]
