"""One page of a longer list: the one way every listing pages (documents, notifications,
discussions, search results), and what the ``pagination`` macro in ``_macros.html`` prints.

Page numbers come from ``?page=N`` through ``hub.http.int_arg`` (1 to 10,000, else 400). A page
past the end is an empty page with a link back, not an error: the list may have shrunk since the
link was made.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from hub.extensions import db

MAX_PER_PAGE = 100  # whatever a deployment sets, no page asks the database for more rows

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int  # 1-based
    per_page: int
    total: int  # items on all pages

    @property
    def pages(self) -> int:
        """How many pages the list fills (0 for an empty list)."""
        return math.ceil(self.total / self.per_page) if self.per_page else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first_number(self) -> int:
        """The position in the whole list of this page's first item (for ``<ol start>``)."""
        return (self.page - 1) * self.per_page + 1

    def map(self, change: Callable[[list[T]], list[U]]) -> Page[U]:
        """The same page with its items turned into something else (rows into summaries)."""
        return replace(self, items=change(self.items))  # type: ignore[arg-type, return-value]


def paginate(stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    """Page ``page`` of what ``stmt`` selects, ``per_page`` rows each, with the total count.

    ``stmt`` must be ordered with a unique last key, so a row never shows on two pages.
    """
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(list(rows.unique().scalars()), page, per_page, total or 0)
