"""Facet counts and filters as bit sets over the index's document numbers.

Counting facets document by document in Python costs seven dictionary updates per match, which on
a broad query over 50,000 documents is slower than the search itself. Instead, every facet value
(and every permission label) is kept as one Python integer used as a bit set, which the engine
builds once per segment from the postings (``value_masks``). A query's matches become one more
bit set; a count is then ``(matches & value).bit_count()`` and a filter is ``&``, whatever the
number of matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.search.engine import kept_with, value_masks
from hub.search.schema import FACET_FIELDS

# Tags are filtered on (a document page links each of its tags to a search for it) but never
# counted: there are too many of them to list beside the results.
FILTER_ONLY_FIELDS = ("tags",)
MASK_FIELDS = (*FACET_FIELDS, *FILTER_ONLY_FIELDS, "labels")


@dataclass
class FacetTable:
    """Per index reader: facet field -> value -> bit set of document numbers."""

    size: int
    masks: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def build(cls, reader: Any) -> FacetTable:
        """Bit sets of every facet value, tag and label of ``reader``, and of its live documents."""
        size, masks, live = value_masks(reader, MASK_FIELDS)
        masks["_live"] = {"": live}
        return cls(size=size, masks=masks)

    @property
    def live(self) -> int:
        return self.masks["_live"][""]

    def readable(self, labels: Iterable[str]) -> int:
        """The live documents a holder of ``labels`` (permissions.labels_for_user) may read."""
        return self.any_of("labels", labels) & self.live

    def any_of(self, name: str, values: Iterable[str]) -> int:
        result = 0
        for value in values:
            result |= self.masks.get(name, {}).get(value, 0)
        return result

    def counts(
        self, matches: int, names: Iterable[str] = FACET_FIELDS
    ) -> dict[str, dict[str, int]]:
        """How many of ``matches`` carry each value, values with no match left out."""
        result: dict[str, dict[str, int]] = {}
        for name in names:
            counted = {}
            for value, mask in self.masks.get(name, {}).items():
                n = (matches & mask).bit_count()
                if n:
                    counted[value] = n
            result[name] = counted
        return result


def table_for(searcher: Any) -> FacetTable:
    """The facet table of a searcher's reader, built on first use and kept with the searcher."""
    return kept_with(searcher, "facets", lambda: FacetTable.build(searcher.reader()))
