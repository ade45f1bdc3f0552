"""The Whoosh schema: which document facts are searchable, filterable and stored for results.

Text is indexed once, in the fields of the document's language group (``title_fr``, ``body_fr``,
``pdf_fr``), so each language gets its own stemming. The raw texts that snippets are cut from are
stored separately, and the body and PDF fields keep character offsets so a snippet is found from the
postings instead of by re-analysing the whole text. ``words`` holds the unstemmed vocabulary that
"did you mean" suggestions are drawn from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pickle import dumps

from whoosh import formats
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.system import pack_uint

from hub.search.analysis import GROUPS, analyzer_for, vocabulary_analyzer

# Bumped whenever the schema or analysis changes; a mismatch makes start-up rebuild the index.
SCHEMA_VERSION = 5

TEXT_KINDS = ("title", "body", "pdf")
# Facet fields: the query's filters and the counts shown beside results.
FACET_FIELDS = ("kind", "country", "region", "goals", "areas", "year", "language")


def text_field(kind: str, group: str) -> str:
    return f"{kind}_{group}"


class SpanCharacters(formats.Characters):
    """Whoosh's ``Characters`` postings (each occurrence's position and character span), built
    from the analyzer's ``spans`` when it has them (``WordAnalyzer``): the same bytes, without a
    Token object and two dictionary updates per word, a sixth of a rebuild's CPU. Other
    analyzers and calls take Whoosh's own path; reading is Whoosh's own."""

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


def _spanned(field: TEXT) -> TEXT:
    field.format = SpanCharacters(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    fields: dict[str, object] = {
        "id": ID(stored=True, unique=True),
        "slug": ID(stored=True),
        "kind": ID(stored=True),
        "country": ID(stored=True),
        "region": ID(stored=True),
        "language": ID(stored=True),
        "year": ID(stored=True),
        "goals": KEYWORD(stored=True, commas=True),
        "targets": KEYWORD(stored=True, commas=True),
        "areas": KEYWORD(stored=True, commas=True),
        "tags": KEYWORD(stored=True, commas=True, lowercase=True),
        "published": DATETIME(stored=True, sortable=True),
        "labels": KEYWORD(stored=True, commas=True),
        "example": BOOLEAN(stored=True),
        "content_hash": STORED(),
        # What results show and snippets are cut from.
        "title": STORED(),
        "summary": STORED(),
        "body": STORED(),
        "pdf": STORED(),
        # Where each attachment's pages start in ``pdf``: [[filename, [page offsets...]], ...]
        "pdf_pages": STORED(),
        "words": TEXT(analyzer=vocabulary_analyzer(), phrase=False, spelling=False),
    }
    for group in GROUPS:
        analyzer = analyzer_for(group)
        fields[text_field("title", group)] = TEXT(analyzer=analyzer)
        fields[text_field("body", group)] = _spanned(TEXT(analyzer=analyzer, chars=True))
        fields[text_field("pdf", group)] = _spanned(TEXT(analyzer=analyzer, chars=True))
    return Schema(**fields)
