"""A large load: files in chunked transactions, read in worker processes, and one rebuild of the
index instead of thousands of incremental changes (hub/content/loader.py, reading.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from hub.content import reading
from hub.content.loader import REBUILD_FROM, load_paths, rebuild_is_faster
from hub.content.parser import parse_file
from hub.documents.body_text import columns_for
from hub.documents.models import Document, Tag
from hub.extensions import db
from hub.search import indexing
from hub.search.query import SearchRequest, search
from tests.factories import content_file


def brief(folder: Path, slug: str, extra: str = "", body: str = "Body text.\n") -> Path:
    front = f"kind: policy_brief\ntitle: Brief {slug}\ncountry: GHA\n{extra}"
    return content_file(folder, f"{slug}.md", front, body)


def found(q: str) -> list[str]:
    return sorted(hit.slug for hit in search(SearchRequest(q=q), viewer=None).hits)


def live_generation() -> str | None:
    return indexing.get_store().current_name()


def test_load_past_the_threshold_rebuilds_the_index_into_a_complete_one(app, tmp_path):
    brief(tmp_path / "first", "early", body="Notes on quokkanomics.\n")
    load_paths([tmp_path / "first"])
    before = live_generation()
    app.config["CONTENT_REBUILD_FROM"] = 5
    for n in range(6):
        brief(tmp_path / "bulk", f"bulk-{n}", body=f"Notes on quokkanomics, part {n}.\n")

    report = load_paths([tmp_path / "bulk"])

    assert (len(report.created), report.index_error) == (6, None)
    assert live_generation() != before
    assert indexing.check().ok
    assert found("quokkanomics") == ["bulk-0", "bulk-1", "bulk-2", "bulk-3", "bulk-4", "bulk-5",
                                     "early"]  # fmt: skip


def test_small_load_updates_the_live_index_in_place(app, tmp_path):
    brief(tmp_path / "first", "early")
    load_paths([tmp_path / "first"])
    before = live_generation()
    for n in range(3):
        brief(tmp_path / "more", f"more-{n}", body="Notes on wombatology.\n")

    report = load_paths([tmp_path / "more"])

    assert len(report.created) == 3
    assert live_generation() == before
    assert found("wombatology") == ["more-0", "more-1", "more-2"]


def test_rebuild_is_chosen_only_for_loads_large_against_the_index():
    assert rebuild_is_faster(10_000, 10_000)
    assert rebuild_is_faster(3_000, 12_000)
    assert not rebuild_is_faster(2_999, 12_000)
    assert not rebuild_is_faster(REBUILD_FROM - 1, 0)


def test_file_rejected_midway_leaves_its_neighbours_in_the_same_transaction_loaded(app, tmp_path):
    brief(tmp_path, "a-first")
    brief(tmp_path, "b-broken", "topics: [no-such-section]\nsdgs: [7]\ntags: [solar]")
    brief(tmp_path, "c-last")

    report = load_paths([tmp_path])

    assert (sorted(report.created), [Path(p).name for p, _r in report.rejected]) == (
        ["a-first", "c-last"], ["b-broken.md"]
    )  # fmt: skip
    slugs = db.session.scalars(select(Document.slug).order_by(Document.slug)).all()
    assert slugs == ["a-first", "c-last"]


def test_many_files_read_in_workers_as_they_read_one_by_one(tmp_path):
    paths = [
        brief(tmp_path, f"doc-{n:03}", body=f"# Part {n}\n\nText *{n}*.\n") for n in range(210)
    ]
    paths.insert(100, content_file(tmp_path, "bad.md", "kind: policy_brief\n", "No title.\n"))

    read = reading.read_files(paths)

    assert len(paths) >= reading.PARALLEL_FROM
    assert [path for path, _data in read] == paths
    assert read[100][1] == "missing title"
    one = read[7][1]
    assert one == replace(parse_file(paths[7]), stored_text=columns_for(one.body))


def test_new_tag_named_by_a_rejected_file_is_still_made_once_for_the_next_file(app, tmp_path):
    brief(tmp_path, "a-broken", "topics: [no-such-section]\ntags: [brand new, solar]")
    brief(tmp_path, "b-tagged", "tags: [brand new]")
    brief(tmp_path, "c-tagged", "tags: [brand new, solar]")

    report = load_paths([tmp_path])

    assert (sorted(report.created), [Path(p).name for p, _r in report.rejected]) == (
        ["b-tagged", "c-tagged"], ["a-broken.md"]
    )  # fmt: skip
    assert db.session.scalars(select(Tag.name).order_by(Tag.name)).all() == ["brand new", "solar"]
    tagged = db.session.scalar(select(Document).where(Document.slug == "c-tagged"))
    assert [t.name for t in tagged.tags] == ["brand new", "solar"]
