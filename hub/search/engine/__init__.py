"""The search engine: the Hub's extensions of Whoosh, and the only code that reaches inside it.

Everything else in ``hub.search`` uses Whoosh through its documented interface (schemas, fields,
analyzers, the query parser, query objects, searchers and readers) and imports what it needs of
the engine from this package, never from its modules. The package pins what it relies on: the
internals below are those of whoosh-reloaded 2.7.5 exactly, and tests/search compares each
extension's output with Whoosh's own (docs/search.md says how to check an upgrade).

What the rest of the Hub uses (the interface):

* opening an index folder: ``open_index``, ``create_index``, ``open_searcher``,
  ``index_folder`` (hub.search.store keeps the generations around them);
* locks: ``HolderLock`` (every index lock, Whoosh's write lock included: records its holder,
  broken only when that process is gone from this host), ``Holder``, ``lock_events``;
* writing: ``WRITER_OPTIONS`` for every writer (``update_document``/``delete_by_term`` are
  Whoosh's own), ``rebuild_writer`` for a full rebuild;
* searching: ``live_searcher``/``forget_searcher``; ``match_mask`` (the bit set of documents
  a query matches), ``term_masks`` (each word's bit set); ``top_matches``/``rank_matches``/
  ``top_docs`` (ranking within a bit set and a CPU-time deadline, ``BudgetedFilter``);
  ``TimeLimit``;
* bit sets: ``mask_of``, ``MaskSet``, ``value_masks`` (each keyword value's documents, for
  facets and permission labels);
* scoring: ``SafeOr``/``safe_or``, ``summed_terms``, ``tune_bm25``;
* schema: ``SpanCharacters``/``spanned_format`` (postings with character spans);
* caches: ``kept_with`` (results kept per searcher or reader, dropped with it).

The Whoosh internals relied on (module: name, what for):

* whoosh.codec.whoosh3: ``W3Codec``, ``W3Segment``, ``W3PostingsWriter`` (its buffers
  ``_ids``, ``_weights``, ``_values``, ``_maxweight``, ``_minlength``, ``_maxlength``,
  ``_blocklimit``, ``_inlinelimit`` and ``_write_block``), ``W3PerDocReader`` (``_cached_reader``,
  ``_doccount``), ``_lenfield``, ``LENGTHS_COLUMN``, and the length column reader's ``_dbfile``,
  ``_basepos``, ``_count``: the writer codec (codec.py) and length bytes read once (scoring).
* whoosh.codec.whoosh3 ``W3LeafMatcher``: ``_ids``, ``_values``, ``_read_ids``, ``_read_values``,
  ``_next_block``, ``block_max_id``, and whoosh.matching.wrappers ``FilterMatcher.child``:
  postings read a block at a time (postings.py).
* whoosh.writing ``SegmentWriter``: ``_check_state``, ``_doc_boost``, ``_field_boost``,
  ``_check_fields``, ``_added``, ``docnum``, ``perdocwriter``, ``fieldwriter`` and its
  ``_postwriter``, ``_flush_segment``, ``_close_segment``, ``_finalize_segment``, the ``_lk``
  argument: the rebuild's segment writer (bulk.py).
* whoosh.multiproc ``MpWriter``/``SubWriterTask``: ``_new_task``, ``_process_file``, the task's
  queues and ``running``: the rebuild's processes (bulk.py), which Whoosh forks (they inherit
  every descriptor, lock files included: locks.py).
* whoosh.filedb.filestore ``FileStorage.lock``/``temp_storage`` (overridden: locks that name
  their holder, temporary files inside the index folder) and whoosh.index ``clean_files``
  skipping names that start with "." (storage.py).
* whoosh.filedb.structfile ``BufferFile``/``StructFile`` (``_buf``, ``_name``, ``subset``) and
  whoosh.filedb.filestore ``FileStorage._fpath``: files read through memory maps (storage.py).
* whoosh.filedb.compound: a compound segment's storage overlay keeps the folder's storage as
  ``b``: the key of the per-segment bit set cache (bitsets.py).
* whoosh.searching ``Searcher._ix``: whether a cached searcher is still current (searching.py).
* whoosh.collectors ``FilterCollector``: ``_allow``, ``offset``, ``child.matches()``,
  ``collect_matches``: a filter with a time budget (searching.py).
* whoosh.query ``Or.matcher_type``/``Or.DEFAULT_MATCHER``: the union matcher (scoring.py).
* whoosh.scoring ``BM25FScorer``: ``_score``, ``_maxquality``, ``avgfl``, ``dfl``; a segment
  reader's ``_perdoc``: scoring with per-group statistics and loaded lengths (scoring.py).
* whoosh.formats ``Characters``/``Positions`` value encoding (``pack_uint`` count, then a pickle
  of position deltas; whoosh.system ``_INT_SIZE``): postings written from spans (formats.py)
  and phrases checked from positions (phrases.py).
"""

from __future__ import annotations

from hub.search.engine.bitsets import MaskSet, mask_of, value_masks
from hub.search.engine.bulk import WRITER_OPTIONS, rebuild_writer
from hub.search.engine.caches import kept_with
from hub.search.engine.formats import SpanCharacters, spanned_format
from hub.search.engine.locks import Holder, HolderLock, lock_events
from hub.search.engine.matchset import match_mask, term_masks
from hub.search.engine.scoring import SafeOr, safe_or, summed_terms, tune_bm25
from hub.search.engine.searching import (
    BudgetedFilter,
    TimeLimit,
    forget_searcher,
    live_searcher,
    rank_matches,
    top_docs,
    top_matches,
)
from hub.search.engine.storage import create_index, index_folder, open_index, open_searcher

# The Whoosh release every internal above was read from and the differential tests passed on;
# tests/search/test_engine.py fails on any other until the upgrade checklist is done.
WHOOSH_VERSION = "2.7.5"

__all__ = [
    "WHOOSH_VERSION",
    "WRITER_OPTIONS",
    "BudgetedFilter",
    "Holder",
    "HolderLock",
    "MaskSet",
    "SafeOr",
    "SpanCharacters",
    "TimeLimit",
    "create_index",
    "forget_searcher",
    "index_folder",
    "kept_with",
    "live_searcher",
    "lock_events",
    "mask_of",
    "match_mask",
    "open_index",
    "open_searcher",
    "rank_matches",
    "rebuild_writer",
    "safe_or",
    "spanned_format",
    "summed_terms",
    "term_masks",
    "top_docs",
    "top_matches",
    "tune_bm25",
    "value_masks",
]
