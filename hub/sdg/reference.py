"""Loading the SDG framework (goals, targets, indicators) from content/reference/sdg.

The texts are the UN's, via the open-sdg/sdg-translations project (MIT); the About page shows the
attribution. Loading is idempotent: it updates titles in place.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy import select

from hub.extensions import db
from hub.sdg.models import SdgGoal, SdgIndicator, SdgTarget

# Folder name -> the language code the Hub uses.
LANGUAGE_FOLDERS = {
    "en": "en", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh-Hans": "zh",
    "uk": "uk", "sw": "sw",
}  # fmt: skip
GOAL_KEY = re.compile(r"^(\d+)-(title|short)$")
TARGET_KEY = re.compile(r"^(\d+)-([0-9]+|[a-z])-title$")
INDICATOR_KEY = re.compile(r"^(\d+)-([0-9]+|[a-z])-(\d+)-title$")


def _sort_key(part: str) -> tuple[int, int | str]:
    return (0, int(part)) if part.isdigit() else (1, part)


def _read(folder: Path, name: str) -> dict[str, str]:
    path = folder / name
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_sdgs(root: Path) -> dict[str, int]:
    """Load goals, targets and indicators in every language folder found under ``root``."""
    goals: dict[int, dict] = {}
    targets: dict[str, dict] = {}
    indicators: dict[str, dict] = {}
    for folder_name, lang in LANGUAGE_FOLDERS.items():
        folder = root / folder_name
        for key, text in _read(folder, "global_goals.yml").items():
            if m := GOAL_KEY.match(key):
                entry = goals.setdefault(int(m.group(1)), {"titles": {}, "short": {}})
                entry["titles" if m.group(2) == "title" else "short"][lang] = " ".join(text.split())
        for key, text in _read(folder, "global_targets.yml").items():
            if m := TARGET_KEY.match(key):
                code = f"{int(m.group(1))}.{m.group(2)}"
                entry = targets.setdefault(code, {"goal": int(m.group(1)), "titles": {}})
                entry["sub"] = m.group(2)
                entry["titles"][lang] = " ".join(text.split())
        for key, text in _read(folder, "global_indicators.yml").items():
            if m := INDICATOR_KEY.match(key):
                target = f"{int(m.group(1))}.{m.group(2)}"
                code = f"{target}.{int(m.group(3))}"
                entry = indicators.setdefault(code, {"target": target, "titles": {}})
                entry["n"] = int(m.group(3))
                entry["titles"][lang] = " ".join(text.split())

    existing_goals = {g.number: g for g in db.session.scalars(select(SdgGoal))}
    for number, entry in goals.items():
        goal = existing_goals.get(number) or SdgGoal(number=number)
        goal.titles, goal.short_titles = entry["titles"], entry["short"]
        db.session.add(goal)
    db.session.flush()
    existing_targets = {t.code: t for t in db.session.scalars(select(SdgTarget))}
    by_goal: dict[int, list[str]] = {}
    for code, entry in targets.items():
        by_goal.setdefault(entry["goal"], []).append(code)
    for goal_number, codes in by_goal.items():
        codes.sort(key=lambda c: _sort_key(c.split(".")[1]))
        for position, code in enumerate(codes):
            target = existing_targets.get(code) or SdgTarget(code=code)
            target.goal_number, target.position = goal_number, position
            target.titles = targets[code]["titles"]
            db.session.add(target)
    db.session.flush()
    existing_indicators = {i.code: i for i in db.session.scalars(select(SdgIndicator))}
    for code, entry in indicators.items():
        if entry["target"] not in targets:
            continue
        indicator = existing_indicators.get(code) or SdgIndicator(code=code)
        indicator.target_code, indicator.position = entry["target"], entry["n"]
        indicator.titles = entry["titles"]
        db.session.add(indicator)
    db.session.commit()
    return {"goals": len(goals), "targets": len(targets), "indicators": len(indicators)}
