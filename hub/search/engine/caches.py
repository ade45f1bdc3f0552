"""What the Hub works out once per searcher or reader, kept by the engine instead of on them.

Whoosh's objects are not ours to add attributes to; a cache here lives exactly as long as the
searcher or reader it is about (a weak key), so a new index version (a new searcher) starts
afresh without anyone clearing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

T = TypeVar("T")

_kept: WeakKeyDictionary[Any, dict[str, Any]] = WeakKeyDictionary()
_lock = threading.Lock()


def kept_with(owner: Any, name: str, build: Callable[[], T]) -> T:
    """``build()``'s result, made once per ``owner`` (a searcher or reader) and ``name``."""
    with _lock:
        slot = _kept.get(owner)
        if slot is None:
            slot = _kept[owner] = {}
        if name in slot:
            return slot[name]
    value = build()  # outside the lock: two threads may both build; either result is right
    with _lock:
        return slot.setdefault(name, value)
