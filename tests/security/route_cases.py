"""Every route case: importing this module imports each route_cases_<area>.py, whose ``@case``
builders register themselves in ``route_matrix.CASES``."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.security.route_matrix import CASES

for _module in sorted(Path(__file__).parent.glob("route_cases_*.py")):
    importlib.import_module(f"tests.security.{_module.stem}")

__all__ = ["CASES"]
