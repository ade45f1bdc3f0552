"""The Whoosh schema: which document facts are searchable, filterable and stored for results."""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

# Bumped whenever the schema or analysis changes; a mismatch makes start-up rebuild the index.
SCHEMA_VERSION = 1

TEXT_FIELDS = ("title", "summary", "body", "attachments")


def text_analyzer() -> Analyzer:
    """Words, lower-cased and accent-folded, English stop words out, then stemmed."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter()
    )


def build_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        slug=ID(stored=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        summary=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        attachments=TEXT(analyzer=analyzer, stored=True),
        country=ID(stored=True),
        region=ID(stored=True),
        language=ID(stored=True),
        goals=KEYWORD(stored=True, commas=True),
        targets=KEYWORD(stored=True, commas=True),
        areas=KEYWORD(stored=True, commas=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        published=DATETIME(stored=True, sortable=True),
        labels=KEYWORD(stored=True, commas=True),
        example=BOOLEAN(stored=True),
        content_hash=STORED(),
    )
