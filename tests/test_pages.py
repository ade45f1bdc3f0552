"""Every public page: what it shows, its status codes, and what it hides."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from hub.countries.models import PartnershipStatus
from hub.documents import revisions
from hub.documents.attachments import attachment_from_file
from hub.documents.models import Area, Kind, Status, Visibility
from hub.extensions import db
from hub.search import indexing
from tests import factories


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)
        if tag == "h1":
            self.h1 += 1


def links(html: bytes) -> _Links:
    parser = _Links()
    parser.feed(html.decode())
    return parser


@pytest.fixture
def ghana_pilot(app):
    ghana = factories.country("GHA")
    ghana.partnership_status = PartnershipStatus.PILOT
    ghana.is_co_chair = True
    ghana.profile = "Ghana **co-chairs** the Partnership."
    db.session.commit()
    return ghana


def publish(**kwargs):
    doc = factories.document(**kwargs)
    indexing.catch_up()
    return doc


# --- home ----------------------------------------------------------------------------------------


def test_home_lists_latest_briefs_with_example_label(client):
    publish(title="Mini-grid brief", is_example=True)
    html = client.get("/").data.decode()
    assert "Mini-grid brief" in html
    assert 'class="label example"' in html


def test_home_offers_browsing_by_kind_country_sdg_and_area(client, ghana_pilot):
    hrefs = links(client.get("/").data).hrefs
    assert "/guidebook/" in hrefs and "/briefs/" in hrefs and "/experiences/" in hrefs
    assert "/countries/gha" in hrefs
    assert all(f"/sdgs/{n}" in hrefs for n in range(1, 18))
    assert {"/areas/capabilities", "/areas/knowledge_flows", "/areas/collaboration"} <= set(hrefs)


def test_home_explains_the_hub_when_nothing_is_published(client):
    html = client.get("/").data.decode()
    assert "Nothing has been published yet." in html
    assert "Partnership in Action on STI for SDGs Roadmaps" in html


# --- document pages ------------------------------------------------------------------------------


def test_brief_page_shows_rendered_body_and_metadata(client):
    doc = publish(
        title="Clean cooking",
        body="Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        goals=[7],
        targets=["9.5"],
        areas=[Area.CAPABILITIES],
        tags=["energy"],
        published_on=date(2025, 4, 2),
    )
    html = client.get(f"/briefs/{doc.slug}").data.decode()
    assert "<table>" in html
    assert 'href="/sdgs/7"' in html and 'href="/sdgs/9"' in html
    assert "9.5" in html and "National STI capabilities" in html and "energy" in html
    assert "Apr 2, 2025" in html
    assert "Added to the Hub" in html


def test_document_page_shows_last_revision_date_once_the_text_changed(client):
    doc = publish()
    assert b"Last revised" not in client.get(f"/briefs/{doc.slug}").data
    doc.body = "Revised body."
    revisions.record(doc, note="edited")
    db.session.commit()
    html = client.get(f"/briefs/{doc.slug}").data.decode()
    assert "Last revised" in html


def test_experience_has_its_own_canonical_url(client):
    doc = publish(kind=Kind.COUNTRY_EXPERIENCE, title="Peer sessions")
    assert client.get(f"/experiences/{doc.slug}").status_code == 200
    html = client.get(f"/experiences/{doc.slug}").data.decode()
    assert f'<link rel="canonical" href="/experiences/{doc.slug}">' in html


def test_document_under_the_wrong_kind_path_is_not_found(client):
    doc = publish(kind=Kind.COUNTRY_EXPERIENCE)
    assert client.get(f"/briefs/{doc.slug}").status_code == 404


def test_example_document_is_labelled_on_its_page(client):
    doc = publish(is_example=True)
    html = client.get(f"/briefs/{doc.slug}").data.decode()
    assert "This is illustrative content" in html


def test_non_example_document_carries_no_example_label(client):
    doc = publish(is_example=False)
    assert b'class="label example"' not in client.get(f"/briefs/{doc.slug}").data


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ARCHIVED]
)
def test_unpublished_document_page_is_not_found(client, status):
    doc = publish(status=status)
    assert client.get(f"/briefs/{doc.slug}").status_code == 404


def test_members_only_document_is_not_found_for_the_public(client):
    doc = publish(visibility=Visibility.MEMBERS)
    assert client.get(f"/briefs/{doc.slug}").status_code == 404


def test_user_markdown_cannot_inject_script_into_the_page(client):
    doc = publish(body="<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    html = client.get(f"/briefs/{doc.slug}").data.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


def test_title_is_escaped_on_every_listing(client):
    publish(title="<img src=x onerror=alert(1)>")
    for url in ("/", "/briefs/", "/countries/gha"):
        assert b"<img src=x onerror" not in client.get(url).data


# --- attachments ---------------------------------------------------------------------------------


def _with_attachment(tmp_path, *, status=Status.PUBLISHED):
    source = tmp_path / "annex.pdf"
    source.write_bytes(factories.pdf_bytes("Annex text"))
    doc = factories.document(status=status, commit=False)
    doc.attachments.append(attachment_from_file(source, filename="annex.pdf"))
    db.session.commit()
    indexing.catch_up()
    return doc, doc.attachments[0]


def test_attachment_is_listed_and_downloads_as_attachment(client, tmp_path):
    doc, attachment = _with_attachment(tmp_path)
    html = client.get(f"/briefs/{doc.slug}").data.decode()
    url = f"/attachments/{attachment.id}/annex.pdf"
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; sandbox; frame-ancestors 'none'"
    )


def test_attachment_of_a_draft_cannot_be_downloaded(client, tmp_path):
    _doc, attachment = _with_attachment(tmp_path, status=Status.DRAFT)
    assert client.get(f"/attachments/{attachment.id}/annex.pdf").status_code == 404


def test_attachment_with_another_file_name_is_not_found(client, tmp_path):
    _doc, attachment = _with_attachment(tmp_path)
    assert client.get(f"/attachments/{attachment.id}/other.pdf").status_code == 404


def test_attachment_whose_file_is_gone_gives_a_clear_404(client, tmp_path):
    _doc, attachment = _with_attachment(tmp_path)
    from hub.documents.files import path_for

    path_for(attachment.stored_name).unlink()
    response = client.get(f"/attachments/{attachment.id}/annex.pdf")
    assert response.status_code == 404
    assert b"missing from storage" in response.data


# --- guidebook -----------------------------------------------------------------------------------


def _guidebook():
    g = dict(kind=Kind.GUIDEBOOK_SECTION, country_code=None)
    intro = factories.document(title="Introduction", position=1, **g)
    prepare = factories.document(title="Preparing", position=2, **g)
    scope = factories.document(title="Scope", position=1, parent=prepare, **g)
    vision = factories.document(title="Vision", position=2, parent=prepare, **g)
    indexing.catch_up()
    return intro, prepare, scope, vision


def test_guidebook_tree_lists_sections_in_reading_order(client):
    _guidebook()
    html = client.get("/guidebook/").data.decode()
    order = [html.index(t) for t in ("Introduction", "Preparing", "Scope", "Vision")]
    assert order == sorted(order)
    assert 'class="depth-1"' in html


def test_guidebook_section_links_previous_and_next(client):
    intro, prepare, scope, vision = _guidebook()
    html = client.get(f"/guidebook/{scope.slug}").data.decode()
    assert f'rel="prev" href="/guidebook/{prepare.slug}"' in html
    assert f'rel="next" href="/guidebook/{vision.slug}"' in html


def test_first_guidebook_section_has_no_previous_link(client):
    intro, *_ = _guidebook()
    assert b'rel="prev"' not in client.get(f"/guidebook/{intro.slug}").data


def test_empty_guidebook_says_so(client):
    assert b"no published sections yet" in client.get("/guidebook/").data


# --- countries -----------------------------------------------------------------------------------


def test_country_page_shows_profile_status_and_documents(client, ghana_pilot):
    publish(title="Ghana brief", country_code="GHA")
    publish(title="Kenya brief", country_code="KEN")
    html = client.get("/countries/gha").data.decode()
    assert "<strong>co-chairs</strong>" in html
    assert "Pilot country" in html and "co-chair of the Partnership" in html
    assert "Western Africa" in html
    assert "Ghana brief" in html and "Kenya brief" not in html


def test_country_code_is_case_insensitive(client):
    assert client.get("/countries/GHA").status_code == 200


def test_unknown_country_is_not_found(client):
    assert client.get("/countries/xyz").status_code == 404


def test_country_index_groups_partners_by_region(client, ghana_pilot):
    publish(country_code="SRB")
    html = client.get("/countries/").data.decode()
    assert re.search(r"<h2 id=\"region-\d+-h\">Africa</h2>", html) and re.search(
        r"<h2 id=\"region-\d+-h\">Europe</h2>", html
    )
    assert "Ghana" in html and "Serbia" in html
    assert "Norway" not in html


# --- SDGs ----------------------------------------------------------------------------------------


def test_sdg_index_lists_all_17_goals(client):
    html = client.get("/sdgs/").data.decode()
    assert len(re.findall(r'href="/sdgs/\d+"', html)) == 17


def test_sdg_page_lists_its_targets_and_documents(client):
    publish(title="Energy brief", goals=[7])
    publish(title="Water brief", goals=[6])
    html = client.get("/sdgs/7").data.decode()
    assert 'id="target-7.1"' in html and 'id="target-7.b"' in html
    assert "Energy brief" in html and "Water brief" not in html
    assert "Affordable and clean energy" in html


def test_targets_imply_their_goal_on_the_goal_page(client):
    publish(title="Target-only brief", targets=["17.6"])
    assert b"Target-only brief" in client.get("/sdgs/17").data


@pytest.mark.parametrize("number", [0, 18, 99])
def test_sdg_outside_1_to_17_is_not_found(client, number):
    response = client.get(f"/sdgs/{number}")
    assert response.status_code == 404
    assert b"There are 17 SDGs" in response.data


# --- listings ------------------------------------------------------------------------------------


def test_brief_listing_paginates(client, app):
    app.config["PER_PAGE"] = 10
    for i in range(25):
        factories.document(title=f"Brief {i:02d}", commit=False)
    db.session.commit()
    page3 = client.get("/briefs/?page=3").data.decode()
    assert len(re.findall(r'<article class="card">', page3)) == 5
    assert "Page 3 of 3" in page3
    assert 'rel="prev" href="/briefs/?page=2"' in page3


def test_listing_filters_by_country_sdg_and_area(client):
    publish(title="Match", country_code="KEN", goals=[9], areas=[Area.COLLABORATION])
    publish(title="Other country", country_code="GHA", goals=[9], areas=[Area.COLLABORATION])
    publish(title="Other goal", country_code="KEN", goals=[4], areas=[Area.COLLABORATION])
    html = client.get("/briefs/?country=ken&sdg=9&area=collaboration").data.decode()
    assert "Match" in html and "Other country" not in html and "Other goal" not in html
    assert "Clear filters" in html


def test_area_page_lists_documents_of_every_kind_in_that_area(client):
    publish(title="Brief in area", areas=[Area.KNOWLEDGE_FLOWS])
    publish(title="Experience in area", kind=Kind.COUNTRY_EXPERIENCE, areas=[Area.KNOWLEDGE_FLOWS])
    publish(title="Brief elsewhere", areas=[Area.CAPABILITIES])
    html = client.get("/areas/knowledge_flows").data.decode()
    assert "Brief in area" in html and "Experience in area" in html
    assert "Brief elsewhere" not in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("page=abc", b"must be a whole number"),
        ("page=0", b"must be between"),
        ("sdg=18", b"must be between"),
        ("area=space", b"Unknown value for"),
        ("country=GH", b"three-letter ISO code"),
    ],
)
def test_bad_listing_parameters_give_400_with_a_message(client, query, message):
    response = client.get(f"/briefs/?{query}")
    assert response.status_code == 400
    assert message in response.data


def test_page_past_the_end_shows_an_empty_listing(client):
    publish()
    response = client.get("/briefs/?page=50")
    assert response.status_code == 200
    assert b"No documents match" in response.data


# --- search page ---------------------------------------------------------------------------------


def test_search_results_link_to_canonical_urls_with_snippets(client):
    doc = publish(title="Geothermal pilot", body="A geothermal pilot near the rift valley.")
    html = client.get("/search?q=geothermal").data.decode()
    assert f'href="/briefs/{doc.slug}"' in html
    assert "<mark>geothermal</mark>" in html.lower()
    assert "Ghana" in html and "Policy brief" in html and "Mar 1, 2025" in html


def test_search_result_for_an_example_is_labelled(client):
    publish(body="Quinoa value chains.", is_example=True)
    assert b'class="label example"' in client.get("/search?q=quinoa").data


def test_empty_search_explains_how_to_search(client):
    response = client.get("/search")
    assert response.status_code == 200
    assert b"Use quotes for an exact phrase" in response.data


def test_search_without_results_suggests_what_to_try(client):
    html = client.get("/search?q=zzyzx").data.decode()
    assert "No results for" in html and "Check the spelling" in html


def test_overlong_search_gives_400_with_the_limit(client):
    response = client.get("/search?q=" + "a" * 300)
    assert response.status_code == 400
    assert b"at most 256 characters" in response.data


def test_search_echo_is_escaped(client):
    html = client.get('/search?q="><script>alert(1)</script>').data.decode()
    assert "<script>alert(1)" not in html


# --- errors, headers, about ----------------------------------------------------------------------


def test_missing_document_gives_the_same_helpful_404(client):
    response = client.get("/briefs/no-such-brief")
    assert response.status_code == 404
    assert b"Not Found" in response.data and b"could not find that page" in response.data


def test_favicon_is_served(client):
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"


def test_unknown_page_gives_a_helpful_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"could not find that page" in response.data
    assert b'href="/search"' in response.data


def test_unexpected_error_gives_a_500_page_without_traceback(app, client):
    def broken():
        raise RuntimeError("secret internal detail /work/main/hub/x.py")

    app.add_url_rule("/test-broken", view_func=broken)
    response = client.get("/test-broken")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"Traceback" not in response.data and b"secret internal detail" not in response.data


def test_unexpected_error_under_the_api_gives_a_json_500_without_traceback(app, client):
    """Once a bug: the JSON error body used a class property as its title, so the error
    handler itself failed to serialise and Flask's bare 500 page went out instead."""

    def broken():
        raise RuntimeError("secret internal detail /work/main/hub/x.py")

    app.add_url_rule("/api/v1/test-broken", view_func=broken)
    response = client.get("/api/v1/test-broken")
    assert response.status_code == 500
    assert response.get_json()["error"]["title"] == "Internal Server Error"
    assert b"secret internal detail" not in response.data


def test_method_not_allowed_gives_405_page(client):
    response = client.post("/search")
    assert response.status_code in (400, 405)  # CSRF may answer first; never a 500


def test_oversized_request_gives_413_with_the_limit(app, client):
    def upload():
        from flask import request

        return str(len(request.form))

    app.add_url_rule("/test-upload", view_func=upload, methods=["POST"])
    app.config["MAX_CONTENT_LENGTH"] = 1024
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/test-upload", data={"f": "x" * 5000})
    assert response.status_code == 413
    assert b"larger than the limit" in response.data


def test_about_page_attributes_the_sdg_data(client):
    html = client.get("/about").data.decode()
    assert "open-sdg/sdg-translations" in html and "MIT" in html
    assert "United Nations Statistics Division" in html


def test_health_reports_ok(client):
    assert client.get("/health").get_json() == {"status": "ok"}


PUBLIC_URLS = ["/", "/guidebook/", "/briefs/", "/experiences/", "/countries/", "/sdgs/", "/sdgs/3",
               "/search?q=roadmap", "/about", "/areas/collaboration", "/countries/gha",
               "/contact", "/privacy", "/accessibility", "/search-api"]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_page_has_one_h1_and_security_headers(client, url):
    publish(body="roadmap")
    response = client.get(url)
    assert response.status_code == 200
    assert links(response.data).h1 == 1
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_internal_link_on_public_pages_resolves(client, url, ghana_pilot):
    publish(body="roadmap", goals=[3], areas=[Area.COLLABORATION])
    for href in links(client.get(url).data).hrefs:
        if href.startswith("/") and not href.startswith("//"):
            assert client.get(href).status_code == 200, href
