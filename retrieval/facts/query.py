"""Facts as a user-facing query (`planbot figures`): filters and the JSON shape of one fact."""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts.model import COMBINED, NATIONAL, Fact, region_parts

KINDS = ("achieved", "target", "forecast", "other")
_NATIONAL_NAMES = {"全国", "全國", "中国", "中國", "china", "national", "nationwide", "country", "prc"}
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{4})|Q([1-4])|-(\d{2})(?:\.\.\d{4}-(\d{2}))?)?$")


def region_json(gazetteer, region_id: str) -> dict:
    if COMBINED in region_id and all(p in gazetteer for p in region_parts(region_id)):
        # several places holding one figure together ("襄阳、宜昌经济总量…"): named together
        parts = [gazetteer.get(p) for p in region_parts(region_id)]
        return {"id": region_id, "name": " + ".join(r.name for r in parts), "name_zh": "、".join(r.name_zh for r in parts),
                "level": "combined"}
    if region_id == NATIONAL["id"] or region_id not in gazetteer:
        return dict(NATIONAL) if region_id == NATIONAL["id"] else {"id": region_id, "name": region_id, "name_zh": "", "level": ""}
    r = gazetteer.get(region_id)
    return {"id": r.id, "name": r.name, "name_zh": r.name_zh, "level": r.level}


def indicator_json(vocab, f: Fact) -> dict:
    if f.indicator_id and f.indicator_id in vocab:
        return {"id": f.indicator_id, "en": vocab.english_name(f.indicator_id), "zh": vocab.chinese_name(f.indicator_id),
                "text": f.indicator_text}
    return {"id": None, "en": None, "zh": None, "text": f.indicator_text}


def fact_json(f: Fact, doc, gazetteer, vocab) -> dict:
    """One fact in the shape `planbot figures --json` prints (issue 12)."""
    return {
        "figure": f.figure, "value": f.value, "unit": f.unit, "indicator": indicator_json(vocab, f),
        "measure": f.measure, "region": region_json(gazetteer, f.region_id), "period": f.period, "kind": f.kind,
        "sentence": f.sentence,
        "source": {"doc_id": doc.doc_id, "title": doc.title, "date": doc.date, "path": doc.path, "url": doc.url},
        "start": f.start, "end": f.end,
    }


def region_ids(gazetteer, name: Optional[str]) -> Optional[set[str]]:
    """The region and every place inside it; 全国/China is the country level only."""
    if not name:
        return None
    if name.strip().casefold() in _NATIONAL_NAMES:
        return {NATIONAL["id"]}
    return gazetteer.descendants(gazetteer.resolve(name).id)


def span(period: str) -> Optional[tuple[int, int, int, int]]:
    """(first year, last year, first month, last month) of a period string."""
    m = _PERIOD.match(period or "")
    if not m:
        return None
    y = int(m.group(1))
    if m.group(2):
        return y, int(m.group(2)), 1, 12
    if m.group(3):
        q = int(m.group(3))
        return y, y, 3 * q - 2, 3 * q
    if m.group(4):
        a = int(m.group(4))
        return y, y, a, int(m.group(5) or a)
    return y, y, 1, 12


def period_matches(fact_period: str, wanted: str) -> bool:
    """A fact matches a period it falls within: "2024" holds 2024, 2024Q1 and 2024-01..2024-11."""
    if fact_period == wanted:
        return True
    a, b = span(fact_period), span(wanted)
    if a is None or b is None:
        return False
    return (b[0], b[2]) <= (a[0], a[2]) and (a[1], a[3]) <= (b[1], b[3])


def within_years(period: str, years: set[int]) -> Optional[bool]:
    """Whether every year of a fact's period is asked: a 2024 figure answers for 2024 and for
    2021–2025, a 2018–2022 average (or five-year total) is no 2020 figure. None for an unknown period."""
    sp = span(period)
    return None if sp is None else all(y in years for y in range(sp[0], sp[1] + 1))


def fact_within(fact, years: set[int]) -> bool:
    """Whether a figure's fact (None if it has none) is known to be of the asked years."""
    return fact is not None and within_years(fact.period, years) is True


def indicator_matches(vocab, f: Fact, wanted_ids: set[str], text: str) -> bool:
    if f.indicator_id and f.indicator_id in wanted_ids:
        return True
    if wanted_ids:
        return False  # the text names vocabulary indicators: only those count
    t = text.casefold()
    names = [f.indicator_text or ""]
    if f.indicator_id and f.indicator_id in vocab:
        names += vocab.get(f.indicator_id).english + vocab.get(f.indicator_id).zh
    return any(t in n.casefold() for n in names)


def find_facts(index, gazetteer, vocab, region: Optional[str] = None, indicator: Optional[str] = None,
               period: Optional[str] = None, kind: Optional[str] = None, source: Optional[str] = None) -> list[dict]:
    if kind and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} ({', '.join(KINDS)})")
    doc_ids = None
    if source:
        s = source.casefold()
        doc_ids = {d.doc_id for d in index.documents()
                   if s in (d.title or "").casefold() or s in (d.path or "").casefold() or s == d.doc_id}
    if not hasattr(index, "facts"):
        return []  # a store without figure facts (Milvus)
    facts = index.facts(region_ids=region_ids(gazetteer, region), kind=kind, doc_ids=doc_ids)
    wanted_ids = {t.id for t in vocab.find_terms(indicator) if t.category == "indicator"} if indicator else set()
    out = []
    for f in facts:
        if period and not period_matches(f.period, period):
            continue
        if indicator and not indicator_matches(vocab, f, wanted_ids, indicator):
            continue
        out.append(fact_json(f, index.document(f.doc_id), gazetteer, vocab))
    out.sort(key=lambda j: (-(int(j["source"]["date"][:4]) if (j["source"]["date"] or "")[:4].isdigit() else 0),
                            j["source"]["doc_id"], j["start"]))
    return out
