"""Models of forum (filled in by issue 6)."""

from __future__ import annotations
