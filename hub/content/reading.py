"""Reading many content files at once, on every CPU the machine has.

Parsing a file and rendering its body to the plain text the search index reads (stored with the
document, hub/documents/body_text.py) need no database, and for a large load they are much of
the work: a load of thousands of files does them in worker processes, as a rebuild of the index
analyses documents in several processes. Smaller loads read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hub.content.parser import DocumentData, Rejected, parse_file
from hub.documents.body_text import columns_for

PARALLEL_FROM = 200  # files; fewer are read faster than worker processes start
MAX_PROCS = 4


def read_file(path: Path) -> DocumentData | str:
    """The file's checked data with its body's plain text made ahead, or why it is rejected."""
    try:
        data = parse_file(path)
    except Rejected as exc:
        return exc.reason
    data.stored_text = columns_for(data.body)
    return data


def read_files(paths: list[Path]) -> list[tuple[Path, DocumentData | str]]:
    """``read_file`` of each path, in the order given."""
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if procs < 2 or len(paths) < PARALLEL_FROM:
        return [(path, read_file(path)) for path in paths]
    # fork: the workers start with the modules already imported, and use no connection.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(procs, mp_context=context) as pool:
        chunksize = max(1, min(50, len(paths) // (procs * 4)))
        return list(zip(paths, pool.map(read_file, paths, chunksize=chunksize), strict=True))
