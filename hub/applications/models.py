"""Models of applications (filled in by issue 6)."""

from __future__ import annotations
