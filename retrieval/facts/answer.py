"""Answers that honour the facts: a quoted figure takes its labels from its stored fact, and a
question naming a year, region or kind that the answer figure's fact does not match is told so.

Used by retrieval/ask/answer.compose; pure apart from reading facts from the index.
"""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts.model import NATIONAL, Fact
from retrieval.facts.query import period_matches

_KIND_WORD = {"achieved": "result", "target": "target", "forecast": "forecast", "other": "figure"}
NATIONAL_Q = re.compile(r"\bChina(?:'s)?\b|\bnational(?:ly)?\b|\bnationwide\b|全国|全國|我国|我國|中国|中國", re.I)


def facts_at(index, doc_id: str, start: int, end: int) -> dict[int, Fact]:
    """Facts of `doc_id` inside text[start:end], by start offset in the document."""
    if not hasattr(index, "facts"):
        return {}  # a store without figure facts (Milvus)
    return {f.start: f for f in index.facts(doc_ids={doc_id}) if start <= f.start < end}


def label_figures(index, doc_id: str, start: int, end: int, figures) -> dict[int, Fact]:
    """Give each quoted figure (offsets relative to the quote at `start`) its fact's kind and period."""
    facts = facts_at(index, doc_id, start, end)
    for f in figures:
        fact = facts.get(start + f.start)
        if fact is not None:
            f.kind, f.period = fact.kind, fact.period
    return facts


def mismatch_note(analysis, question: str, fact: Optional[Fact], title: str, wanted_kind: Optional[str],
                  gazetteer, region_name) -> Optional[str]:
    """"No 2024 target for Shanxi in the sources; the 2025 target is 5%左右 (2025年山西省政府工作报告)."""
    if fact is None:
        return None
    years = list(getattr(analysis, "years", []) or [])
    regions = list(getattr(analysis, "regions", []) or [])
    asked_region = None
    if regions:
        inside = set().union(*(gazetteer.descendants(r) for r in regions if r in gazetteer))
        if fact.region_id not in inside:
            asked_region = region_name(regions[0])
    elif NATIONAL_Q.search(question) and fact.region_id != NATIONAL["id"]:
        asked_region = "China"
    year_off = bool(years) and not any(period_matches(fact.period, str(y)) for y in years)
    kind_off = wanted_kind in ("achieved", "target") and fact.kind in ("achieved", "target", "forecast") and fact.kind != wanted_kind
    if not (year_off or kind_off or asked_region):
        return None
    want_kind = _KIND_WORD.get(wanted_kind or "", "figure")
    want_year = "/".join(map(str, years)) + " " if years else ""
    where = asked_region or (region_name(regions[0]) if regions else "")
    got_region = "" if not asked_region else f" of {NATIONAL['name'] if fact.region_id == NATIONAL['id'] else region_name(fact.region_id)}"
    got_period = "" if fact.period == "unknown" else f"{fact.period} "
    return (f"No {want_year}{want_kind}{' for ' + where if where else ''} in the sources; the {got_period}"
            f"{_KIND_WORD[fact.kind]}{got_region} is {fact.figure} ({title}).")
