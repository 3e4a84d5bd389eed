"""Level, growth, share, count or other: what kind of quantity a figure states."""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts import cues
from retrieval.knowledge.figures import figure_category
from retrieval.types import Figure

_SHARE = re.compile(cues.SHARE_WORDS, re.I)
_GROWTH = re.compile(cues.GROWTH_WORDS, re.I)
_PRODUCTION = re.compile(cues.PRODUCTION_WORDS, re.I)
_CUT = re.compile(r"[，,、；;：:]|[0-9０-９%％]")
_COUNTED = {"people", "enterprises", "projects", "households", "items", "institutions", "", "sites", "batches",
            "events", "cases", "kinds", "sets", "units", "person-times", "household-times", "times_count"}


def decide(sentence: str, f: Figure, clause_start: int, indicator_id: Optional[str], kind: str) -> str:
    if kind == "other" and (f.unit in ("yuan", "US dollars") or f.scale):
        return "other"  # a threshold says how big, not how much
    before = sentence[max(clause_start, f.start - 16):f.start]
    near = _CUT.split(before)[-1]  # the words tied to this figure: "增长6%左右、突破2.6万亿元"
    if f.unit in ("percent", "per mille", "fraction"):
        if indicator_id in cues.SHARE_INDICATORS:
            return "share"
        if _SHARE.search(near) and not _GROWTH.search(near[-6:]):
            return "share"
        if re.match(r"\s*(?:to|of)\b", sentence[f.end:f.end + 6]) and _SHARE.search(sentence[f.end:f.end + 30]):
            return "share"  # "contributing 130.4% to the city's growth"
        return "growth"
    if f.unit in ("percentage points", "times"):
        return "growth"
    if _GROWTH.search(near[-8:]) and re.search(r"比|较|較|同比|than|year on year|compared", sentence[clause_start:f.start] or ""):
        return "growth"  # "比上年增加61元": a change against a base
    cat = figure_category(f, sentence)
    if cat == "amount":
        return "level"
    if cat == "count" or f.unit in _COUNTED:
        if _PRODUCTION.search(sentence[max(clause_start, f.start - 20):f.start]):
            return "level"
        return "count"
    if cat == "share":
        return "share"
    if f.unit:
        return "level"  # tonnes, mu, kWh, kilometres: physical amounts
    return "other"
