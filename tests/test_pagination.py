"""The one pager (hub/pagination.py) and the page links every list prints with it."""

from __future__ import annotations

from sqlalchemy import select

from hub.accounts.models import Role
from hub.pagination import MAX_PER_PAGE, Page, paginate
from hub.sdg.models import SdgGoal
from tests import factories
from tests.web import login

GOALS = select(SdgGoal).order_by(SdgGoal.number)  # the 17 SDGs, loaded with the reference data


def _numbers(page: Page) -> list[int]:
    return [goal.number for goal in page.items]


def test_a_page_holds_its_slice_of_the_list_in_order(app):
    assert _numbers(paginate(GOALS, 2, 5)) == [6, 7, 8, 9, 10]


def test_a_page_knows_the_total_and_how_many_pages_it_fills(app):
    page = paginate(GOALS, 1, 5)
    assert (page.total, page.pages) == (17, 4)


def test_the_last_page_holds_the_rest(app):
    assert _numbers(paginate(GOALS, 4, 5)) == [16, 17]


def test_a_page_past_the_end_is_empty_and_keeps_its_number(app):
    page = paginate(GOALS, 9, 5)
    assert (page.items, page.page, page.has_next, page.total) == ([], 9, False, 17)


def test_page_numbers_below_one_read_as_the_first_page(app):
    assert _numbers(paginate(GOALS, 0, 5)) == [1, 2, 3, 4, 5]


def test_no_page_is_larger_than_the_maximum(app):
    assert paginate(GOALS, 1, 10_000).per_page == MAX_PER_PAGE


def test_previous_and_next_numbers_exist_only_inside_the_list():
    first, middle, last = Page([], 1, 5, 17), Page([], 2, 5, 17), Page([], 4, 5, 17)
    assert (first.prev_num, middle.prev_num, middle.next_num, last.next_num) == (None, 1, 3, None)


def test_an_empty_list_fills_no_page():
    assert Page([], 1, 20, 0).pages == 0


def test_mapping_a_page_changes_its_items_and_keeps_its_place():
    page = Page([1, 2], 3, 2, 9).map(lambda items: [str(i) for i in items])
    assert (page.items, page.page, page.per_page, page.total) == (["1", "2"], 3, 2, 9)


def test_the_first_number_is_the_position_of_the_first_item_in_the_whole_list():
    assert Page([], 3, 20, 100).first_number == 41


def test_discussions_past_the_last_page_show_an_empty_list(client):
    member = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    login(client, member)
    response = client.get("/discussions/?page=50")
    assert response.status_code == 200
    assert "No discussions yet." in response.get_data(as_text=True)


def test_notifications_past_the_last_page_show_an_empty_list(client):
    member = factories.user(role=Role.FOCAL_POINT, country_code="GHA")
    login(client, member)
    response = client.get("/notifications/?page=50")
    assert response.status_code == 200
    assert "No notifications yet." in response.get_data(as_text=True)
