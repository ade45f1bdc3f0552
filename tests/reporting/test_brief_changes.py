"""What changed since a country's previous brief: only between briefs the viewer may read."""

from __future__ import annotations

from datetime import date

from hub.accounts.models import Role
from hub.documents.models import Kind, Status, Visibility
from hub.reporting.changes import changes_since_previous, previous_brief
from tests import factories
from tests.web import login

OLD_BODY = "We fund research.\nWe train engineers."
NEW_BODY = "We fund applied research.\nWe train engineers.\nWe open data."


def _brief(title: str, published_on: date, body: str = OLD_BODY, **kw):
    return factories.document(title=title, published_on=published_on, body=body, **kw)


def test_diff_page_shows_word_changes_against_the_previous_brief(app, client):
    _brief("Ghana 2024", date(2024, 3, 1))
    new = _brief("Ghana 2025", date(2025, 3, 1), body=NEW_BODY)
    html = client.get(f"/briefs/{new.slug}/changes").get_data(as_text=True)
    assert "Comparing “Ghana 2024”" in html
    assert "<ins>applied </ins>" in html or "<ins>applied</ins>" in html
    assert "<ins>We open data.</ins>" in html
    assert "<del>2024</del>" in html and "<ins>2025</ins>" in html  # the title changed too


def test_brief_page_links_to_the_changes_or_says_there_is_no_previous(app, client):
    first = _brief("Ghana 2024", date(2024, 3, 1))
    second = _brief("Ghana 2025", date(2025, 3, 1), body=NEW_BODY)
    html = client.get(f"/briefs/{second.slug}").get_data(as_text=True)
    assert (
        f'href="/briefs/{second.slug}/changes"' in html
        and "What changed since “Ghana 2024”" in html
    )
    first_html = client.get(f"/briefs/{first.slug}").get_data(as_text=True)
    assert "No earlier brief of this country in English to compare with." in first_html
    assert "/changes" not in first_html


def test_first_brief_gives_a_clear_message(app, client):
    only = _brief("Ghana 2024", date(2024, 3, 1))
    response = client.get(f"/briefs/{only.slug}/changes")
    assert response.status_code == 200
    assert "There is no earlier brief of this country" in response.get_data(as_text=True)


def test_other_countries_and_later_briefs_are_not_previous(app):
    _brief("Kenya 2024", date(2024, 6, 1), country_code="KEN")
    mine = _brief("Ghana 2024", date(2024, 3, 1))
    _brief("Ghana 2025", date(2025, 3, 1))
    assert previous_brief(mine, None) is None


def test_same_day_briefs_are_ordered_by_when_they_were_added(app):
    a = _brief("A", date(2025, 3, 1))
    b = _brief("B", date(2025, 3, 1))
    assert previous_brief(b, None).id == a.id and previous_brief(a, None) is None


def test_the_public_compares_with_the_newest_brief_it_may_read(app, client):
    public_old = _brief("Public 2023", date(2023, 3, 1))
    _brief("Members 2024", date(2024, 3, 1), visibility=Visibility.MEMBERS,
           body="Members-only wording nobody outside may see.")  # fmt: skip
    new = _brief("Public 2025", date(2025, 3, 1), body=NEW_BODY)
    html = client.get(f"/briefs/{new.slug}/changes").get_data(as_text=True)
    assert "Public 2023" in html and "nobody" not in html and "Members 2024" not in html
    assert previous_brief(new, None).id == public_old.id
    login(client, factories.user(country_code="SRB"))
    member = client.get(f"/briefs/{new.slug}/changes").get_data(as_text=True)
    assert "Members 2024" in member and "nobody" in member


def test_drafts_and_archived_briefs_are_never_the_previous_brief(app, client):
    _brief("Draft", date(2024, 3, 1), status=Status.DRAFT)
    _brief("Archived", date(2024, 4, 1), status=Status.ARCHIVED)
    new = _brief("Ghana 2025", date(2025, 3, 1))
    editor = factories.user(role=Role.EDITOR, country_code=None)
    assert previous_brief(new, editor) is None
    previous, changes = changes_since_previous(new, editor)
    assert previous is None and not changes


def test_changes_of_a_brief_the_viewer_may_not_read_are_not_found(app, client):
    _brief("Ghana 2024", date(2024, 3, 1))
    hidden = _brief("Ghana 2025", date(2025, 3, 1), visibility=Visibility.MEMBERS)
    draft = _brief("Ghana draft", date(2025, 6, 1), status=Status.DRAFT)
    assert client.get(f"/briefs/{hidden.slug}/changes").status_code == 404
    assert client.get(f"/briefs/{draft.slug}/changes").status_code == 404
    assert client.get("/briefs/no-such-brief/changes").status_code == 404


def test_experiences_have_no_changes_page(app, client):
    exp = factories.document(kind=Kind.COUNTRY_EXPERIENCE, published_on=date(2025, 1, 1))
    assert client.get(f"/briefs/{exp.slug}/changes").status_code == 404
    assert "Since the previous brief" not in client.get(f"/experiences/{exp.slug}").get_data(
        as_text=True
    )


def test_identical_text_says_so(app, client):
    _brief("Same", date(2024, 3, 1), summary="Same summary.")
    new = _brief("Same", date(2025, 3, 1), summary="Same summary.")
    html = client.get(f"/briefs/{new.slug}/changes").get_data(as_text=True)
    assert "The title, summary and text are the same in both briefs." in html


def test_a_brief_in_another_language_is_not_the_previous_brief(app):
    _brief("Note française", date(2024, 3, 1), language="fr",
           body="Une note sans rapport.")  # fmt: skip
    english = _brief("Ghana 2025", date(2025, 3, 1))
    assert previous_brief(english, None) is None


def test_the_previous_brief_in_the_same_language_is_found_past_another_language(app):
    older = _brief("Ghana 2023", date(2023, 3, 1))
    _brief("Note française", date(2024, 3, 1), language="fr")
    english = _brief("Ghana 2025", date(2025, 3, 1))
    assert previous_brief(english, None).id == older.id


def test_changes_page_says_when_no_brief_in_the_same_language_exists(app, client):
    _brief("Note française", date(2024, 3, 1), language="fr",
           body="Une note sans rapport.")  # fmt: skip
    english = _brief("Ghana 2025", date(2025, 3, 1))
    html = client.get(f"/briefs/{english.slug}/changes").get_data(as_text=True)
    assert "There is no earlier brief of this country in English" in html
    assert "Une note" not in html and "Note française" not in html
