"""Which fact fills a cell: the facts about an indicator, and the best of several statements.

A report states its headline growth target once in its target list, but the same indicator can
come back in other sentences of the same report ("力争达到8%", a share "占地区生产总值比重",
last year's result restated). The best statement is the one closest to the indicator's name,
from the document nearest the period (a target from the year's own report, a result from the
next year's), earliest in the document.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from retrieval.compare.model import Cell, Indicator
from retrieval.compare.source import document_year
from retrieval.facts import Fact
from retrieval.facts.cues import TARGET_LIST
from retrieval.types import Document, Source

KINDS = ("target", "achieved", "forecast")
# Words between an indicator's name and a figure that make the figure a ratio *to* the indicator,
# not the indicator's own growth: "占地区生产总值的比重从2.5%提高到3.3%".
# "对全球经济增长的贡献率超过30%": a rate of something else (增长率 is the indicator's own).
_RATIO_GAP = re.compile(r"比重|占比|之比|比例|强度|份额|贡献|貢獻|(?<!增长)(?<!增長)率|\bshare\b|\bproportion\b|\bratio\b|"
                        r"\bcontribut", re.I)
# The indicator named as a denominator: "占国内生产总值", "与国内生产总值之比", "as a share of GDP".
_DENOMINATOR_BEFORE = re.compile(r"(?:占|与|與|相当于|相當於|\bof|\bto)\s*$", re.I)

_TARGET_CUE = re.compile(TARGET_LIST + r"|\b(?:main |major )?targets? (?:is|are|for)\b", re.I)
# "年均增长7%": an average over several years is no single year's figure.
_AVERAGE = re.compile(r"年均|平均每年|每年平均|\baverage annual\b|\bannual average\b|\ba year on average\b", re.I)

FactDoc = tuple[Fact, Document]


def is_year(period: str) -> bool:
    return len(period) == 4 and period.isdigit()


def indicator_gap(f: Fact) -> tuple[int, str]:
    """(characters between the indicator's name and the figure, the text before the name)."""
    pos = f.start - f.sentence_start
    at = f.sentence.rfind(f.indicator_text, 0, pos) if f.indicator_text else -1
    if at < 0:
        return pos, ""
    return pos - (at + len(f.indicator_text)), f.sentence[max(0, at - 6):at]


def about(f: Fact, ind: Indicator, measure: Optional[str] = None) -> bool:
    """Whether fact `f` states indicator `ind` itself (in `measure`, when given)."""
    if f.indicator_id != ind.id or f.kind not in KINDS:
        return False
    if measure and f.measure != measure:
        return False
    if f.measure != "share" and ind.id not in _SHARE_IDS:
        gap, before = indicator_gap(f)
        between = f.sentence[f.start - f.sentence_start - gap:f.start - f.sentence_start]
        if _RATIO_GAP.search(between) or _DENOMINATOR_BEFORE.search(before):
            return False
        if is_year(f.period) and _AVERAGE.search(between):
            return False
    return True


def _share_ids() -> set[str]:
    from retrieval.facts.cues import SHARE_INDICATORS

    return set(SHARE_INDICATORS)


_SHARE_IDS = _share_ids()


def _target_cued(f: Fact, doc: Document) -> bool:
    """Whether the figure's paragraph announces targets before it ("主要预期目标是：…"), or the
    paragraph before ends announcing them ("主要预期目标是：\n\n国内生产总值增长8%左右")."""
    text = doc.text or ""
    para = text.rfind("\n", 0, f.start) + 1
    prev_end = len(text[:para].rstrip())
    if prev_end and text[prev_end - 1] in ":：":
        para = text.rfind("\n", 0, prev_end) + 1
    return bool(_TARGET_CUE.search(text, para, f.start))


def rank_key(fd: FactDoc) -> tuple:
    f, doc = fd
    # a target announced as one ("预期目标是：") beats a target the words merely suggest
    cue = 0 if f.kind != "target" or _target_cued(f, doc) else 1
    distance = 0
    year = document_year(doc)
    if is_year(f.period) and year is not None:
        expected = int(f.period) + (1 if f.kind == "achieved" else 0)
        distance = abs(year - expected)
    return distance, cue, indicator_gap(f)[0], doc.path or "", f.start


def best(cands: list[FactDoc]) -> Optional[Cell]:
    """The best statement among `cands` as a Cell (None when there is none)."""
    if not cands:
        return None
    ranked = sorted(cands, key=rank_key)
    f, doc = ranked[0]
    same = {(g.figure, g.value) for g, _ in ranked[1:]}
    return to_cell(f, doc, others=len(same - {(f.figure, f.value)}))


def to_cell(f: Fact, doc: Document, others: int = 0) -> Cell:
    return Cell(
        figure=f.figure, value=f.value, unit=f.unit, measure=f.measure, kind=f.kind, period=f.period,
        sentence=f.sentence, start=f.start, end=f.end, sentence_start=f.sentence_start, region_id=f.region_id, value_high=f.value_high,
        qualifier=f.qualifier, english=f.english, others=others,
        source=Source(doc.doc_id, doc.title, doc.publisher, doc.date, doc.url, doc.path),
    )


def dominant(values: Iterable, prefer_high: bool = True):
    """The value that most items share; ties go to the highest (the latest year, say)."""
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda v: (counts[v], v if prefer_high else 0))
