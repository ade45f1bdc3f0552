"""Guidebook topics: ``topics:`` in a content file ties a brief or experience to guidebook sections;
the loader checks the slugs, and a section page lists the tagged documents its viewer may read."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.accounts.models import Role
from hub.content.loader import load_paths
from hub.content.parser import Rejected, parse_file
from hub.documents.models import Document, Kind, Status, Visibility
from hub.extensions import db
from hub.guidebook import topics
from hub.search import indexing
from tests import factories
from tests.factories import content_file
from tests.web import login


def section_file(folder: Path, slug: str, extra: str = "") -> Path:
    front = f"kind: guidebook_section\ntitle: Section {slug}\n{extra}"
    return content_file(folder / "guidebook", f"{slug}.md", front, "Section text.\n")


def brief_file(folder: Path, slug: str, extra: str = "") -> Path:
    front = f"kind: policy_brief\ntitle: Brief {slug}\ncountry: GHA\n{extra}"
    return content_file(folder / "briefs", f"{slug}.md", front, "Brief text.\n")


def doc(slug: str) -> Document:
    db.session.expire_all()
    return db.session.scalar(select(Document).where(Document.slug == slug))


def reasons(report) -> dict[str, str]:
    return {Path(path).name: reason for path, reason in report.rejected}


# --- parsing ---


def test_topics_are_read_as_slugs_in_order_without_repeats(tmp_path):
    path = brief_file(tmp_path, "b", "topics: [financing, vision-and-targets, financing]")

    assert parse_file(path).topics == ["financing", "vision-and-targets"]


def test_a_topic_that_is_not_a_slug_is_rejected_naming_it(tmp_path):
    path = brief_file(tmp_path, "b", "topics: [Financing The Roadmap]")

    try:
        parse_file(path)
    except Rejected as exc:
        assert "bad topic 'Financing The Roadmap'" in exc.reason
    else:
        raise AssertionError("a topic with spaces was accepted")


def test_a_guidebook_section_cannot_have_topics(tmp_path):
    path = section_file(tmp_path, "s", "topics: [other]")

    try:
        parse_file(path)
    except Rejected as exc:
        assert "'topics' is for briefs and experiences" in exc.reason
    else:
        raise AssertionError("a section with topics was accepted")


# --- loading ---


def test_loader_links_a_brief_to_the_sections_it_names(app, tmp_path):
    section_file(tmp_path, "financing")
    section_file(tmp_path, "governance")
    brief_file(tmp_path, "b", "topics: [governance, financing]")

    report = load_paths([tmp_path])

    assert report.rejected == []
    assert [s.slug for s in doc("b").topics] == ["financing", "governance"]


def test_sections_load_before_the_briefs_that_name_them_in_the_same_load(app, tmp_path):
    # content/briefs/ sorts before content/guidebook/, so a load in file order would reject.
    section_file(tmp_path, "zeta-section")
    brief_file(tmp_path, "a-brief", "topics: [zeta-section]")

    report = load_paths([tmp_path])

    assert (report.rejected, sorted(report.created)) == ([], ["a-brief", "zeta-section"])


def test_unknown_topic_rejects_the_file_with_a_clear_reason(app, tmp_path):
    brief_file(tmp_path, "b", "topics: [no-such-section]")

    report = load_paths([tmp_path])

    assert reasons(report) == {
        "b.md": "unknown topic 'no-such-section': no guidebook section has that slug"
    }
    assert doc("b") is None


def test_a_topic_naming_a_brief_instead_of_a_section_is_rejected(app, tmp_path):
    brief_file(tmp_path, "other")
    load_paths([tmp_path])
    brief_file(tmp_path, "b", "topics: [other]")

    report = load_paths([tmp_path / "briefs" / "b.md"])

    assert reasons(report) == {"b.md": "unknown topic 'other': no guidebook section has that slug"}


def test_changing_only_the_topics_updates_the_document(app, tmp_path):
    section_file(tmp_path, "one")
    section_file(tmp_path, "two")
    brief_file(tmp_path, "b", "topics: [one]")
    load_paths([tmp_path])
    brief_file(tmp_path, "b", "topics: [two]")

    report = load_paths([tmp_path])

    assert (report.updated, report.unchanged.count("b")) == (["b"], 0)
    assert [s.slug for s in doc("b").topics] == ["two"]


def test_reloading_the_same_topics_changes_nothing(app, tmp_path):
    section_file(tmp_path, "one")
    brief_file(tmp_path, "b", "topics: [one]")
    load_paths([tmp_path])

    report = load_paths([tmp_path])

    assert report.summary() == "0 created, 0 updated, 2 unchanged, 0 conflicts, 0 rejected"


def test_removing_the_topics_removes_the_tags(app, tmp_path):
    section_file(tmp_path, "one")
    brief_file(tmp_path, "b", "topics: [one]")
    load_paths([tmp_path])
    brief_file(tmp_path, "b")

    report = load_paths([tmp_path])

    assert report.updated == ["b"]
    assert doc("b").topics == []


# --- who sees what ---


def _tagged(section: Document, **kwargs) -> Document:
    kwargs.setdefault("commit", False)
    document = factories.document(**kwargs)
    document.topics = [section]
    db.session.commit()
    return document


def test_section_lists_only_published_public_tagged_documents_for_the_public(app):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None, title="Money")
    _tagged(section, title="Public brief")
    _tagged(section, title="Members brief", visibility=Visibility.MEMBERS)
    _tagged(section, title="Draft brief", status=Status.DRAFT)
    factories.document(title="Untagged brief")

    listed = topics.tagged_to(section, viewer=None)

    assert [d.title for d in listed] == ["Public brief"]


def test_section_lists_members_only_tagged_documents_for_a_logged_in_viewer(app):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    _tagged(section, title="Public brief", kind=Kind.COUNTRY_EXPERIENCE)
    _tagged(section, title="Members brief", visibility=Visibility.MEMBERS)
    viewer = factories.user(role=Role.FOCAL_POINT, country_code="SRB")

    listed = topics.tagged_to(section, viewer=viewer)

    assert sorted(d.title for d in listed) == ["Members brief", "Public brief"]


def test_a_brief_page_names_only_published_sections_as_its_topics(app, client):
    shown = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None, title="Shown")
    draft = factories.document(
        kind=Kind.GUIDEBOOK_SECTION, country_code=None, title="Hidden draft section",
        status=Status.DRAFT,
    )  # fmt: skip
    brief = factories.document(title="Tagged brief", commit=False)
    brief.topics = [shown, draft]
    db.session.commit()

    page = client.get(f"/briefs/{brief.slug}").get_data(as_text=True)

    assert "Guidebook topics" in page
    assert f'href="/guidebook/{shown.slug}"' in page
    assert "Hidden draft section" not in page


def test_section_page_shows_tagged_documents_with_country_and_example_label(app, client):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    brief = _tagged(section, title="Tagged example brief", country_code="KEN", is_example=True)
    hidden = _tagged(section, title="Tagged members brief", visibility=Visibility.MEMBERS)
    indexing.catch_up()

    page = client.get(f"/guidebook/{section.slug}").get_data(as_text=True)
    part = page[page.index("Country experiences and briefs on this topic") :]
    item = part[: part.index("</li>")]

    assert f'href="/briefs/{brief.slug}"' in item
    assert "Kenya" in item and ">Example<" in item
    assert hidden.title not in page


def test_section_page_shows_members_only_tagged_documents_after_login(app, client):
    section = factories.document(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    hidden = _tagged(section, title="Tagged members brief", visibility=Visibility.MEMBERS)
    login(client, factories.user(role=Role.FOCAL_POINT, country_code="SRB"))

    page = client.get(f"/guidebook/{section.slug}").get_data(as_text=True)

    assert hidden.title in page
