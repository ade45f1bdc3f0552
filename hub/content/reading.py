"""Which content files a load reads, and reading them: on every CPU the machine has.

Parsing a file and rendering its body to the plain text the search index reads (stored with the
document, hub/documents/body_text.py) need no database, and for a large load they are much of
the work: a load of thousands of files does them in worker processes, as a rebuild of the index
analyses documents in several processes. Smaller loads read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hub.content.parser import DocumentData, Rejected, parse_file
from hub.documents.body_text import columns_for
from hub.documents.models import Kind

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


def collect_files(paths: Iterable[Path], rejected: list[tuple[str, str]]) -> list[Path]:
    """Markdown files under the given paths, skipping names that start with '_' or '.'."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for candidate in sorted(path.rglob("*.md")):
                parts = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in parts):
                    continue
                found.append(candidate)
        else:
            rejected.append((str(path), "no such file or folder"))
    # The same file reached through two spellings of its path is loaded once.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _order_by_parent(items: list[tuple[Path, DocumentData]]) -> list[tuple[Path, DocumentData]]:
    """Parents before children when both are in the same load."""
    by_slug = {data.slug: (path, data) for path, data in items}
    ordered: list[tuple[Path, DocumentData]] = []
    seen: set[str] = set()

    def visit(slug: str, trail: tuple[str, ...]) -> None:
        if slug in seen or slug in trail:
            return
        path, data = by_slug[slug]
        if data.parent in by_slug:
            visit(data.parent, (*trail, slug))
        seen.add(slug)
        ordered.append((path, data))

    for _path, data in items:
        visit(data.slug, ())
    return ordered


def checked_in_order(
    paths: list[Path], rejected: list[tuple[str, str]]
) -> list[tuple[Path, DocumentData]]:
    """The files under ``paths``, read, without duplicate slugs, sections and parents first;
    what cannot be loaded goes to ``rejected`` as (path, reason)."""
    parsed: list[tuple[Path, DocumentData]] = []
    for path, data in read_files(collect_files(paths, rejected)):
        if isinstance(data, str):
            rejected.append((str(path), data))
        else:
            parsed.append((path, data))
    slugs: dict[str, list[Path]] = {}
    for path, data in parsed:
        slugs.setdefault(data.slug, []).append(path)
    unique: list[tuple[Path, DocumentData]] = []
    for path, data in parsed:
        others = [str(p) for p in slugs[data.slug] if p != path]
        if others:
            rejected.append((str(path), f"duplicate slug {data.slug!r}: also in {others[0]}"))
        else:
            unique.append((path, data))
    # Sections first: briefs and experiences name them as topics, and content/briefs sorts first.
    unique.sort(key=lambda item: item[1].kind is not Kind.GUIDEBOOK_SECTION)
    return _order_by_parent(unique)
