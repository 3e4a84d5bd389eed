"""Achieved, target, forecast or other: the section decides, the figure's own words refine.

A review section's figures are results unless they name a later period; a plan section's are
targets unless they name an earlier one or say 去年/已; a target paragraph ("主要预期目标是：…")
makes every clause a target; thresholds ("亿元以上项目") and glossary entries are `other`.
"""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts import cues
from retrieval.facts.period import Period
from retrieval.knowledge.figures import classify_kind
from retrieval.types import Figure

_FORECAST = re.compile(cues.FORECAST, re.I)
_TARGET = re.compile(cues.STRONG_TARGET, re.I)
_ACHIEVED = re.compile(cues.STRONG_ACHIEVED, re.I)
_MET = re.compile(cues.TARGET_MET)
_TH_AFTER = re.compile(cues.THRESHOLD_AFTER)
_TH_BEFORE = re.compile(cues.THRESHOLD_BEFORE)
_TH_LEVEL = re.compile(cues.THRESHOLD_LEVEL, re.I)
_TH_EN = re.compile(cues.THRESHOLD_EN, re.I)


def is_threshold(sentence: str, f: Figure) -> bool:
    """"亿元以上项目", "年主营业务收入2000万元及以上", "百亿级", "projects worth more than 1 billion yuan"."""
    after = sentence[f.end:f.end + 16]
    before = sentence[max(0, f.start - 40):f.start]
    if f.unit in ("yuan", "US dollars") or f.scale:
        if (f.qualifier in ("over", "at least", "") and _TH_AFTER.match(after)) or _TH_LEVEL.match(after):
            return True
        if _TH_EN.search(before):
            return True
        if _TH_BEFORE.search(before[-8:]) and re.match(r"(?:及以上|以上)", after):
            return True
    return bool(re.match(r"(?:级|級)(?:项目|企业|產業|产业|集群|項目)", after))


_MODIFIER = re.compile(cues.ACHIEVED_MODIFIER)
_BASE_BEFORE = re.compile(cues.BASE_BEFORE, re.I)
_FROM_TO = re.compile(cues.FROM_TO_AFTER)
_PLANNED = re.compile(cues.PLANNED_AS)
_PLANNED_AFTER = re.compile(cues.PLANNED_AFTER)
_SOURCE_BEFORE = re.compile(cues.SOURCE_BEFORE)
_SOURCE_AFTER = re.compile(cues.SOURCE_AFTER)


def _nearest(rx: re.Pattern, text: str, lo: int, hi: int) -> Optional[int]:
    """End offset of the last match of `rx` inside text[lo:hi]."""
    last = None
    for m in rx.finditer(text, lo, hi):
        if rx is _ACHIEVED and _MODIFIER.match(text, m.end()):
            continue  # "已经排定的159个项目"
        if rx is _ACHIEVED and _BASE_BEFORE.search(text, max(lo, m.start() - 12), m.start()) \
                and not text.startswith("同期", m.end()):
            # "今年拟安排…，比去年增加8000亿元": last year is the base, not the figure's time; but
            # "比去年同期增长68%" compares a period already past, so it stays a result
            continue
        if rx is _ACHIEVED and _FROM_TO.fullmatch(text, m.end(), hi):
            continue  # "赤字率从去年的2.1%提高到2.3%": last year is the 2.1%'s
        if rx is _ACHIEVED and _SOURCE_BEFORE.search(text, max(lo, m.start() - 1), m.start()) \
                and _SOURCE_AFTER.match(text, m.end()):
            continue  # "拟从去年超收收入中安排500亿元": last year's revenue is where the money comes from
        last = m.end()
    return last


def decide(sentence: str, f: Figure, clause: tuple[int, int], role: Optional[str], in_target_list: bool,
           period: Period, section_years: Optional[tuple[int, int]], pub_year: Optional[int]) -> str:
    if is_threshold(sentence, f):
        return "other"
    if role == "other":
        return "other"
    c0 = clause[0]
    if _PLANNED.search(sentence, c0, f.start) or _PLANNED_AFTER.match(sentence, f.end):
        return "target"  # "拟定为六百四十三亿七千万元", "一九八一年计划为百分之三点七", "8％的预定目标": what a plan sets
    forecast = _nearest(_FORECAST, sentence, c0, f.start) is not None
    met = _nearest(_MET, sentence, f.end, clause[1]) is not None or _nearest(_MET, sentence, c0, f.start) is not None
    target_cue = _nearest(_TARGET, sentence, c0, f.start)
    achieved_cue = _nearest(_ACHIEVED, sentence, c0, f.start)
    if in_target_list:
        return "target"
    if role == "review":
        if period.lo is not None and section_years and period.lo > section_years[1]:
            return "target"  # "到2027年" in a review
        return "forecast" if forecast else "achieved"
    if role == "plan":
        if period.explicit and period.hi is not None and pub_year is not None and period.hi < pub_year:
            return "achieved"
        if period.sub_year and target_cue is None:
            return "achieved"  # "一二两月份平均日产量是96万吨": months already past
        if achieved_cue is not None and (target_cue is None or achieved_cue > target_cue) and not met:
            return "achieved"
        if forecast and period.hi is not None and pub_year is not None and period.hi <= pub_year and target_cue is None:
            return "forecast"
        return "target"
    # no section: the figure's own words, then its period against the publication year
    if forecast:
        return "forecast"
    if met:
        return "achieved"
    if target_cue is not None or achieved_cue is not None:
        return "target" if (achieved_cue or -1) < (target_cue or -1) else "achieved"
    # no cue in the clause: the sentence's lead ("推进项目建设行动，要锁定目标，紧盯…")
    target_lead = _nearest(_TARGET, sentence, 0, c0)
    achieved_lead = _nearest(_ACHIEVED, sentence, 0, c0)
    if target_lead is not None or achieved_lead is not None:
        return "target" if (achieved_lead or -1) < (target_lead or -1) else "achieved"
    if period.explicit and period.hi is not None and pub_year is not None:
        if period.hi < pub_year:
            return "achieved"
        if period.lo > pub_year:
            return "target"
    k = classify_kind(sentence, f, ref_year=pub_year)
    if k != "unknown":
        return k
    return "achieved" if period.sub_year or pub_year is not None else "other"
