"""Page structure: the printable guidebook, "At a glance" on documents, SDG targets."""

from __future__ import annotations

import re

from hub.documents.attachments import attachment_from_file
from hub.documents.models import Kind, Status, Visibility
from hub.extensions import db
from tests import factories
from tests.web import login


def section(title: str, **kwargs):
    return factories.document(kind=Kind.GUIDEBOOK_SECTION, title=title, **kwargs)


def test_print_page_has_every_published_section_in_guidebook_order(client, app):
    first = section("First step", position=1, body="## Inside\n\nFirst body.")
    section("Second step", position=2)
    section("A child of the first", parent=first, position=1)

    html = client.get("/guidebook/print").data.decode()

    headings = re.findall(r'<h(\d) id="section-[^"]+-h">([^<]+)</h\d>', html)
    assert headings == [("2", "First step"), ("3", "A child of the first"), ("2", "Second step")]
    assert "First body." in html
    # A section's own headings sit below its title, with ids that cannot clash with another's.
    assert f'<h3 id="{first.slug}--inside">Inside</h3>' in html


def test_print_page_starts_with_a_table_of_contents_linking_to_each_section(client, app):
    one = section("First step", position=1)
    two = section("Second step", position=2)

    html = client.get("/guidebook/print").data.decode()

    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group()
    assert re.findall(r'href="#([^"]+)"', toc) == [f"section-{one.slug}", f"section-{two.slug}"]
    assert f'id="section-{one.slug}"' in html and f'id="section-{two.slug}"' in html
    assert html.index(toc) < html.index(f'id="section-{one.slug}"')


def test_print_page_hides_drafts_and_members_only_sections_from_the_public(client, app):
    section("Published step")
    section("Draft step", status=Status.DRAFT)
    section("Members step", visibility=Visibility.MEMBERS)

    html = client.get("/guidebook/print").data.decode()

    assert "Published step" in html
    assert "Draft step" not in html and "Members step" not in html


def test_print_page_shows_members_only_sections_to_a_member(client, app):
    section("Members step", visibility=Visibility.MEMBERS)
    login(client, factories.user())

    assert "Members step" in client.get("/guidebook/print").data.decode()


def test_print_page_labels_example_sections_and_says_how_to_print(client, app):
    section("Example step", is_example=True)

    html = client.get("/guidebook/print").data.decode()

    assert 'class="label example"' in html
    assert "Print this page" in html


def test_guidebook_index_links_to_the_print_page(client, app):
    assert 'href="/guidebook/print"' in client.get("/guidebook/").data.decode()


def test_document_page_puts_pdf_and_sdgs_at_a_glance_before_the_text(client, tmp_path):
    source = tmp_path / "brief.pdf"
    source.write_bytes(factories.pdf_bytes("PDF words"))
    doc = factories.document(goals=[7], body="The text of the brief.", commit=False)
    doc.attachments.append(attachment_from_file(source, filename="brief.pdf"))
    db.session.commit()

    html = client.get(f"/briefs/{doc.slug}").data.decode()

    glance = html.index('class="at-a-glance"')
    assert glance < html.index("The text of the brief.")
    box = html[glance : html.index("</section>", glance)]
    assert "brief.pdf" in box and "sdg-7" in box
    # The aside's copies carry in-glance: hidden where the box shows, so none is read twice.
    assert '<ul class="attachments in-glance">' in html
    assert '<dt class="in-glance">SDGs</dt>' in html


def test_sdg_targets_are_a_list_without_automatic_numbers(client, app):
    html = client.get("/sdgs/9").data.decode()
    assert '<ul class="targets">' in html
    assert '<ol class="targets">' not in html
