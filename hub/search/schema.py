"""The Whoosh schema: which document facts are searchable, filterable and stored for results.

Text is indexed once, in the fields of the document's language group (``title_fr``, ``body_fr``,
``pdf_fr``), so each language gets its own stemming. The raw texts that snippets are cut from are
stored separately, and the body and PDF fields keep character offsets (the engine's
``SpanCharacters`` postings) so a snippet is found from the postings instead of by re-analysing the
whole text. ``words`` holds the unstemmed vocabulary that "did you mean" suggestions are drawn from.
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from hub.search.analysis import GROUPS, analyzer_for, vocabulary_analyzer

# Indexes written before the engine package pickled their schema naming this class here: the
# name keeps them readable (docs/search.md).
from hub.search.engine import SpanCharacters as SpanCharacters
from hub.search.engine import spanned_format

# Bumped whenever the schema or analysis changes; a mismatch makes start-up rebuild the index.
SCHEMA_VERSION = 5

TEXT_KINDS = ("title", "body", "pdf")
# Facet fields: the query's filters and the counts shown beside results.
FACET_FIELDS = ("kind", "country", "region", "goals", "areas", "year", "language")


def text_field(kind: str, group: str) -> str:
    return f"{kind}_{group}"


def _spanned(field: TEXT) -> TEXT:
    field.format = spanned_format(field.format.field_boost)
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
