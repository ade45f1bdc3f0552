"""Readers for the relevance test collections in ../shared (never shipped with the Hub).

Cranfield and CISI are the classic SMART-format collections; the SDG set turns each indicator of
the UN framework into a query whose one relevant answer is its parent target, per language.
Everything here only reads files: loading them into a Hub instance is ``bench/relevance.py``'s job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_EVAL_DATA = HERE.parent.parent / "shared" / "eval-data"
DEFAULT_SDG_DATA = HERE.parent.parent / "shared" / "sdg"

# The six UN languages: folder name -> the document language code the Hub uses.
UN_LANGUAGES = {"en": "en", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh-Hans": "zh"}


@dataclass
class EvalDoc:
    key: str  # collection-local id, e.g. "184" or "1.1"
    title: str
    body: str
    language: str = "en"


@dataclass
class Collection:
    name: str
    docs: list[EvalDoc]
    queries: dict[str, str]  # query id -> text
    # query id -> {doc key: gain}; gain > 0 means relevant
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    language: str = "en"


def eval_data_dir() -> Path:
    """HUB_EVAL_DATA points at the folder holding ir-classic/ (default ../shared/eval-data)."""
    return Path(os.environ.get("HUB_EVAL_DATA") or DEFAULT_EVAL_DATA)


def sdg_data_dir() -> Path:
    """HUB_EVAL_SDG points at the SDG translations (default ../shared/sdg)."""
    return Path(os.environ.get("HUB_EVAL_SDG") or DEFAULT_SDG_DATA)


def _smart_records(text: str) -> list[dict[str, str]]:
    """Split a SMART file (.I n, then .T/.A/.B/.W/.X sections) into {section: text} records."""
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] | None = None
    section = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith(".I"):
            current = {"I": [line[2:].strip()]}
            records.append(current)  # type: ignore[arg-type]
            section = ""
            continue
        m = re.match(r"^\.([A-Z])\s*$", line)
        if m and current is not None:
            section = m.group(1)
            current.setdefault(section, [])
            continue
        if current is not None and section:
            current[section].append(line)
    return [{k: " ".join(" ".join(v).split()) for k, v in r.items()} for r in records]


def cranfield(root: Path | None = None) -> Collection:
    """1,400 abstracts, 225 queries; judgments number the queries 1..225 in file order.

    Grades in cranqrel are Cleverdon's: 1 is a complete answer ... 4 minimum interest, -1 none.
    Gain is 5 - grade (so 4 for a complete answer, 1 for minimum interest), 0 for -1.
    """
    folder = (root or eval_data_dir()) / "ir-classic" / "cranfield"
    docs = [
        EvalDoc(r["I"], r.get("T", "").rstrip(" ."), r.get("W", ""))
        for r in _smart_records((folder / "cran.all.1400").read_text(encoding="latin-1"))
    ]
    queries = {
        str(n): r.get("W", "")
        for n, r in enumerate(
            _smart_records((folder / "cran.qry").read_text(encoding="latin-1")), start=1
        )
    }
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "cranqrel").read_text().splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        qid, doc, grade = parts[0], parts[1], int(parts[2])
        gain = 5 - grade if 1 <= grade <= 4 else 0
        if gain > 0:
            qrels.setdefault(qid, {})[doc] = gain
    return Collection("Cranfield", docs, queries, qrels)


def cisi(root: Path | None = None) -> Collection:
    """1,460 library-science abstracts, 112 queries of which 76 are judged (binary)."""
    folder = (root or eval_data_dir()) / "ir-classic" / "cisi"
    docs = [
        EvalDoc(r["I"], r.get("T", ""), r.get("W", ""))
        for r in _smart_records((folder / "CISI.ALL").read_text(encoding="latin-1"))
    ]
    queries = {
        r["I"]: r.get("W", "")
        for r in _smart_records((folder / "CISI.QRY").read_text(encoding="latin-1"))
    }
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "CISI.REL").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(parts[0], {})[parts[1]] = 1
    return Collection("CISI", docs, queries, qrels)


def _yaml(path: Path) -> dict[str, str]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def sdg(folder_name: str, root: Path | None = None) -> Collection:
    """The 169 targets of one language as documents; every indicator queries for its target.

    A document's title is its goal's title in the same language (as a brief would carry a
    topic line) and its body the target text. Target keys look like ``1-a-title``.
    """
    folder = (root or sdg_data_dir()) / folder_name
    lang = UN_LANGUAGES.get(folder_name, folder_name)
    goals = {
        k.split("-")[0]: " ".join(str(v).split())
        for k, v in _yaml(folder / "global_goals.yml").items()
        if re.fullmatch(r"\d+-title", k)
    }
    docs: list[EvalDoc] = []
    for key, text in _yaml(folder / "global_targets.yml").items():
        m = re.fullmatch(r"(\d+)-([0-9a-z]+)-title", key)
        if m:
            code = f"{m.group(1)}.{m.group(2)}"
            docs.append(EvalDoc(code, goals.get(m.group(1), ""), " ".join(str(text).split()), lang))
    targets = {d.key for d in docs}
    queries: dict[str, str] = {}
    parents: dict[str, str] = {}
    for key, text in _yaml(folder / "global_indicators.yml").items():
        m = re.fullmatch(r"(\d+)-([0-9a-z]+)-(\d+)-title", key)
        if not m or not str(text or "").strip():
            continue
        target = f"{m.group(1)}.{m.group(2)}"
        if target not in targets:
            continue
        qid = f"{target}.{m.group(3)}"
        queries[qid] = " ".join(str(text).split())
        parents[qid] = target
    # An indicator that sits under several targets (1.5.1 = 11.5.1 = 13.1.1) is one text with
    # several parents: each of them is a right answer, or the same ranking would be scored
    # right once and wrong for every other copy.
    by_text: dict[str, dict[str, int]] = {}
    for qid, text in queries.items():
        by_text.setdefault(text, {})[parents[qid]] = 1
    qrels = {qid: by_text[text] for qid, text in queries.items()}
    return Collection(f"SDG {lang}", docs, queries, qrels, language=lang)


def plain_words(text: str) -> str:
    """Letters, digits and spaces only, lower-cased so AND/OR/NOT are words, not operators."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return " ".join(cleaned.split())


# --- measures ---


def ndcg_at(ranked: list[str], gains: dict[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains and log2 discounts; the ideal ranking is the judged gains sorted."""
    import math

    dcg = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def average_precision(ranked: list[str], gains: dict[str, int]) -> float:
    """Average precision over the ranking given (cut at whatever depth the run returned)."""
    relevant = {d for d, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranked, start=1):
        if d in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)
