"""Questions that ask for a table: "Which provinces target GDP growth above 5.5% in 2025?",
"Compare R&D intensity in Jiangsu, Zhejiang and Guangdong", "长三角各省今年经济增长目标",
"How has China's GDP growth target changed since 2000?".

A question routes to compare when it names an indicator and several places -- two or more
regions, a region group, or a level ("provinces", 各省) -- with a word that asks for them side by
side (compare, which, each, rank, 比较, 哪些, 各…); to trend when it names an indicator and asks
over time (since YEAR, over the years, trend, 历年, 以来). Anything else is left to the normal
answer path. The cue words are declared here, one table per language, not taken from the
example wording of any one question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from retrieval.compare.indicator import resolve_indicator
from retrieval.errors import BadQuestion
from retrieval.text.fold import fold_width

COMPARE_CUES = (r"\bcompar|\bversus\b|\bvs\.?\s|\bwhich (?:provinces?|regions?|cities|places|of)\b|\brank|\beach\b|"
                r"\bacross\b|\ball (?:the )?(?:provinces|regions|cities)\b|\bhigher\b|\blower\b|\bhighest\b|\blowest\b|"
                r"\bside by side\b|\btable\b|"
                r"比较|比較|对比|對比|哪些|哪个省|哪個省|哪几个|各省|各地|各市|各区|排名|排行|分别|分別|最高|最低|相比")
LEVEL_CUES = {
    "province": r"\bprovinces\b|\bprovincial\b|\bregions\b|各省|省份|各地区|各地|省区市",
    "city": r"\bcities\b|各市|城市|地级市",
}
TREND_CUES = (r"\bsince\s+(?:19|20)\d\d\b|\bover (?:the|these) (?:years|decades)\b|\bover time\b|\btrend\b|"
              r"\bby year\b|\byear by year\b|\bhistory\b|\bhistorical\b|\bchanged?\b.*\bsince\b|"
              r"历年|歷年|以来|以來|走势|走勢|变化|變化|逐年")  # not 每年 "per year": "每年吸引多少游客" asks one figure
TARGET_WORDS = r"\btargets?\b|\baims?\b|\bgoals?\b|\bplans?\b|目标|目標|预期|預期|计划"
ACHIEVED_WORDS = r"\bachieved\b|\bactual\b|\bresults?\b|\brecorded\b|\bgrew\b|实际|實際|完成|实现|實現"
ABOVE = r"(?:\babove|\bover|\bmore than|\bat least|\bexceed(?:ing)?|高于|高於|超过|超過|不低于)\s*(\d+(?:\.\d+)?)\s*%?|(\d+(?:\.\d+)?)\s*%?\s*(?:以上|及以上)"
BELOW = r"(?:\bbelow|\bunder|\bless than|\bat most|低于|低於|不超过|不超過)\s*(\d+(?:\.\d+)?)\s*%?|(\d+(?:\.\d+)?)\s*%?\s*(?:以下|以内)"
YEAR = r"(?<!\d)((?:19|20)\d\d)(?!\d)"
SINCE = r"(?:\bsince|\bfrom|自|从|從)\s*((?:19|20)\d\d)|((?:19|20)\d\d)\s*年?(?:以来|以來)"



def _rx(p: str) -> re.Pattern:
    return re.compile(p, re.I)


_COMPARE, _TREND, _TARGET, _ACHIEVED = _rx(COMPARE_CUES), _rx(TREND_CUES), _rx(TARGET_WORDS), _rx(ACHIEVED_WORDS)
_LEVELS = {k: _rx(v) for k, v in LEVEL_CUES.items()}
_ABOVE, _BELOW, _YEAR, _SINCE = _rx(ABOVE), _rx(BELOW), _rx(YEAR), _rx(SINCE)


@dataclass
class TableRequest:
    what: str  # "compare" or "trend"
    indicator: str  # the question itself: the indicator and its measure are read from its words
    regions: list[str] = field(default_factory=list)  # region ids or group names
    level: Optional[str] = None
    period: Optional[str] = None
    kind: Optional[str] = None
    above: Optional[float] = None
    below: Optional[float] = None
    since: Optional[int] = None

    def options(self) -> dict:
        if self.what == "trend":
            return {"region": self.regions[0] if self.regions else None, "kind": self.kind, "since": self.since}
        return {"regions": self.regions or None, "level": None if self.regions else self.level, "period": self.period,
                "kind": self.kind, "above": self.above, "below": self.below, "sort": True}


def route(question: str, gazetteer, groups=None, vocab=None) -> Optional[TableRequest]:
    """The table a question asks for, or None when it asks for something else."""
    try:
        resolve_indicator(question, vocab)
    except BadQuestion:
        return None
    regions, has_group = _places(question, gazetteer, groups)
    if _TREND.search(fold_width(question)) and len(regions) <= 1 and not has_group:
        return parse(question, gazetteer, "trend", groups)
    if not _COMPARE.search(question):
        return None
    if len(regions) < 2 and not has_group and _level(question) is None:
        return None
    return parse(question, gazetteer, "compare", groups)


def parse(text: str, gazetteer, what: str, groups=None) -> TableRequest:
    """The request in free text ("GDP growth Jiangsu Zhejiang 2025 target", "经济增长 长三角"),
    for `/compare` and `/trend` and for routed questions: places, years, kind and bounds."""
    regions, _ = _places(text, gazetteer, groups)
    kind = _kind(text)
    text = fold_width(text)  # full-width years and bounds ("２０００年以来", "５．５％") read like ASCII ones
    if what == "trend":
        since = next((int(g) for m in _SINCE.finditer(text) for g in m.groups() if g), None)
        return TableRequest("trend", text, regions=regions[:1], kind=kind, since=since)
    years = _YEAR.findall(text)
    return TableRequest("compare", text, regions=regions, level=_level(text), period=years[0] if len(set(years)) == 1 else None,
                        kind=kind, above=_number(_ABOVE, text), below=_number(_BELOW, text))


def _places(text: str, gazetteer, groups=None) -> tuple[list[str], bool]:
    """(groups' names and region ids named in `text`, in order; whether a group is among them)."""
    from retrieval.knowledge.groups import load_groups

    group_hits = (groups or load_groups()).find_in_text(text)
    taken = [(a, b) for _, a, b in group_hits]
    regions: list[str] = [g.name for g, _, _ in group_hits]
    for rid, a, b in gazetteer.find_in_text(text, question=True):
        if any(a < y and x < b for x, y in taken) or rid in regions:
            continue
        if gazetteer.get(rid).level in ("province", "city"):
            regions.append(rid)
    return regions, bool(group_hits)


def _level(text: str) -> Optional[str]:
    return next((lv for lv, rx in _LEVELS.items() if rx.search(text)), None)


def _kind(question: str) -> Optional[str]:
    t, a = bool(_TARGET.search(question)), bool(_ACHIEVED.search(question))
    return "target" if t and not a else "achieved" if a and not t else None


def _number(rx: re.Pattern, question: str) -> Optional[float]:
    for m in rx.finditer(question):
        num = next((g for g in m.groups() if g), None)
        if num and not re.fullmatch(r"(?:19|20)\d\d", num):
            return float(num)
    return None
