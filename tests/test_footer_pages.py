"""The footer's pages: contact, privacy, accessibility and the search API, public and linked from
every page; what they say follows the settings and the code they describe."""

from __future__ import annotations

import pytest

from tests.test_pages import links

FOOTER_PAGES = ["/contact", "/privacy", "/accessibility", "/search-api"]


@pytest.mark.parametrize("url", FOOTER_PAGES)
def test_footer_page_is_public_with_one_heading(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert links(response.data).h1 == 1


@pytest.mark.parametrize("page", ["/", "/briefs/", "/contact", "/no-such-page"])
def test_every_page_links_to_the_footer_pages(client, page):
    html = client.get(page).get_data(as_text=True)
    footer = html[html.index('<footer class="site">') :]
    for url in FOOTER_PAGES:
        assert f'href="{url}"' in footer, url


def test_contact_page_shows_the_configured_address(app, client):
    app.config["CONTACT_EMAIL"] = "hub-secretariat@example.org"
    html = client.get("/contact").get_data(as_text=True)
    assert 'href="mailto:hub-secretariat@example.org"' in html


def test_contact_page_without_an_address_says_how_to_reach_the_secretariat(client):
    html = client.get("/contact").get_data(as_text=True)
    assert "mailto:" not in html
    assert "no contact address set yet" in html and "UN DESA" in html


def test_contact_address_comes_from_the_environment(monkeypatch, tmp_path):
    from hub import config

    monkeypatch.setenv("HUB_CONTACT_EMAIL", "desk@example.org")
    assert config.load(str(tmp_path))["CONTACT_EMAIL"] == "desk@example.org"


def test_privacy_page_gives_the_search_retention_in_force(app, client):
    app.config["SEARCH_ANALYTICS_KEEP_DAYS"] = 90
    html = client.get("/privacy").get_data(as_text=True)
    assert "deleted after 90 days" in html
    assert "no record of who searched" in html


def test_privacy_page_names_the_default_search_retention(client):
    assert "deleted after 400 days" in client.get("/privacy").get_data(as_text=True)


def test_privacy_page_lists_the_cookies_with_the_remember_me_duration(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "It lasts 14 days" in html
    assert "no analytics, advertising or social media cookies" in html


def test_accessibility_page_states_the_target_and_how_to_report(client):
    html = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG) 2.1 at level AA" in html
    assert "axe-core" in html and "Nu HTML Checker" in html
    assert "400%" in html and "%%" not in html
    assert 'href="/contact"' in html


def test_api_page_examples_are_real_api_calls_that_answer(client):
    html = client.get("/search-api").get_data(as_text=True)
    examples = [h for h in links(html.encode()).hrefs if "/api/v1/search" in h]
    assert len(examples) >= 4
    for href in examples:
        response = client.get(href.replace("http://localhost", ""))
        assert response.status_code == 200, href
        assert {"total", "results", "facets", "suggestion"} <= set(response.get_json())


def test_api_page_shows_the_error_format_the_api_really_gives(client):
    html = client.get("/search-api").get_data(as_text=True)
    error = client.get("/api/v1/search?sdg=18").get_json()["error"]
    assert error["message"] in html.replace("&#34;", '"')
    assert '"title": "Bad Request"' in html.replace("&#34;", '"')


def test_api_page_gives_the_limits_in_force(client):
    html = client.get("/search-api").get_data(as_text=True)
    assert "at most 256 characters, 32 words and 8 levels of brackets" in html
    assert "between 1 and 100, 20 when left out" in html
