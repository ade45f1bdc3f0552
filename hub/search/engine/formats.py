"""A postings format that writes Whoosh's ``Characters`` values from an analyzer's spans."""

from __future__ import annotations

from collections.abc import Iterator
from pickle import dumps

from whoosh import formats
from whoosh.system import pack_uint


class SpanCharacters(formats.Characters):
    """Whoosh's ``Characters`` postings (each occurrence's position and character span), built
    from the analyzer's ``spans`` when it has them (``WordAnalyzer``): the same bytes, without a
    Token object and two dictionary updates per word, a sixth of a rebuild's CPU. Other
    analyzers and calls take Whoosh's own path; reading is Whoosh's own.

    The schema pickled in every index names this class as ``hub.search.schema.SpanCharacters``
    (where it was first defined) or by its own module; both names must keep loading."""

    def word_values(
        self, value: object, analyzer: object, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        spans = getattr(analyzer, "spans", None)
        if spans is None or not isinstance(value, str) or set(kwargs) - {"mode"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        # Per term: the last position and end character, and the deltas Characters.encode()
        # makes (position, start from the last end, length), built as the words come.
        seen: dict[str, list] = {}
        for text, pos, startchar, endchar in spans(value):
            entry = seen.get(text)
            if entry is None:
                seen[text] = [pos, endchar, [(pos, startchar, endchar - startchar)]]
            else:
                entry[2].append((pos - entry[0], startchar - entry[1], endchar - startchar))
                entry[0], entry[1] = pos, endchar
        boost = self.field_boost
        for text, (_, _, deltas) in seen.items():
            count = len(deltas)
            # As Whoosh: the weight is the sum of each token's boost (1.0) times the field's.
            yield text, count, float(count) * boost, pack_uint(count) + dumps(deltas, 2)


def spanned_format(field_boost: float) -> SpanCharacters:
    """The format for a text field whose postings keep character spans (snippets need them)."""
    return SpanCharacters(field_boost=field_boost)
