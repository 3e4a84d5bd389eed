"""The period a figure is about: a year, a range, a quarter, months, or "unknown".

The nearest time phrase before the figure in its sentence wins ("由一九五二年的63%上升到一九五四年的
89%"); comparison bases ("比2019年", "compared with 2023") are not the figure's own period.
Without one, the section's years apply (a 2025 report's review is 2024), then the document's:
an article's "last year" is its publication year - 1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from retrieval.facts import cues

_FW = str.maketrans("０１２３４５６７８９—–－～", "0123456789---~")
_CN = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_Y = r"(?:(?:19|20)\d\d|[一二三四五六七八九〇○零]{4})"
_YEAR_ZH = re.compile(rf"({_Y})\s*年(?!代)")
_RANGE = re.compile(rf"(?:从|從)?({_Y})\s*年?\s*(?:到|至|-|~)\s*({_Y})\s*年|({_Y})\s*(?:-|~|to)\s*({_Y})(?!\d)"
                    # "一九五八年和一九五九年两年": two years named as one span
                    rf"|({_Y})\s*年\s*(?:和|与|與|、)\s*({_Y})\s*年\s*(?:这|這)?(?:两|兩)年")
_YEAR_EN = re.compile(r"\b(?:in|by|during|for|of|throughout|by the end of|since)\s+((?:19|20)\d\d)\b", re.I)
_MONTHS = re.compile(r"(?<!\d)(1[0-2]|[1-9])\s*[-~至到]\s*(1[0-2]|[1-9])\s*月|([一二三四五六七八九十]{1,2})(?:、|至|到)?([一二三四五六七八九十]{1,2})?两?个?月份?(?!\d)")
_FIRST_MONTHS = re.compile(r"first (\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven) months|前(\d{1,2}|[一二三四五六七八九十]{1,2})个?月", re.I)
_HALF = re.compile(r"上半年|first half")
_QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度|\bQ([1-4])\b|first quarter")
_FULL_YEAR = re.compile(r"全年|whole year|full year|the year as a whole")
_PLANS = re.compile("|".join(sorted(map(re.escape, cues.FIVE_YEAR_PLANS), key=len, reverse=True)))
_PAST_SPAN = re.compile(cues.PAST_SPAN)
_FUTURE_SPAN = re.compile(cues.FUTURE_SPAN)
_CONSECUTIVE = re.compile(cues.CONSECUTIVE_SPAN)
_SPAN_YEARS = {"两": 2, "兩": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_AVERAGE = re.compile(cues.AVERAGE_WORDS, re.I)
_STOCK = re.compile(cues.STOCK_AFTER_SPAN)
_PLAN_BEFORE = re.compile(cues.PLAN_CONTEXT_BEFORE)
_PLAN_AFTER = re.compile(cues.PLAN_CONTEXT_AFTER)
_BASE_BEFORE = re.compile(cues.BASE_BEFORE, re.I)
_BASE_AFTER = re.compile(cues.BASE_AFTER)
_FROM_TO = re.compile(cues.FROM_TO_AFTER)
# English puts a compared figure's year after it: "rose to 32 percent, compared with 24 percent in
# 2021", "41.5 billion yuan last year, up from 35.8 billion yuan in 2023"
_EN_COMPARE = re.compile(rf"\b(?:{cues.EN_COMPARISON})\s", re.I)
_EN_COMPARED = re.compile(rf"\b(?:{cues.EN_COMPARISON})\s+(?:about |around |nearly |over |more than |some |just |only )?$", re.I)
_EN_GAP = re.compile(r"[\s,]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_REL = [(re.compile(p, re.I), d) for p, d in cues.RELATIVE_YEARS]
# a comparison base said just before the figure ("比2002年增长65.5%") or just after it in English
# ("up 65.5% over 2002"); a level the change reaches ("比2002年增加…，达到X") is not the change itself
_BASE_YEAR_BEFORE = re.compile(rf"(?:{cues.BASE_WORDS})\s*({_Y})\s*年?(?:相比|相较|比较|的水平)?[^达為为到，,；;]{{0,16}}$", re.I)
_BASE_LEVEL = re.compile(rf"(?:{cues.BASE_WORDS_ZH})\s*({_Y})\s*年(?:底|末|年底|年末)?的$")
# ...and the year before's, said relatively ("比上年的273亿元增长8.4%": 273 is the year before the sentence's)
_BASE_LEVEL_BEFORE = re.compile(rf"(?:{cues.BASE_WORDS_ZH})\s*(?:上年|去年|前一年)(?:同期)?的$")
_BASE_YEAR_AFTER = re.compile(r"^\s*(?:over|from|compared (?:with|to)|on|than)\s+(?:the\s+)?((?:19|20)\d\d)(?:\s+level)?\b", re.I)
_EN_NUM = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11}


@dataclass(frozen=True)
class Period:
    lo: Optional[int]
    hi: Optional[int]
    months: Optional[tuple[int, int]] = None  # within year lo == hi
    explicit: bool = False  # said in the sentence (not inherited from the section)

    def __str__(self) -> str:
        if self.lo is None:
            return "unknown"
        if self.months:
            a, b = self.months
            if (a, b) in ((1, 3), (4, 6), (7, 9), (10, 12)) and self.quarter:
                return f"{self.lo}Q{(a + 2) // 3}"
            return f"{self.lo}-{a:02d}" if a == b else f"{self.lo}-{a:02d}..{self.lo}-{b:02d}"
        return str(self.lo) if self.lo == self.hi else f"{self.lo}-{self.hi}"

    quarter: bool = False

    @property
    def sub_year(self) -> bool:
        return self.months is not None


UNKNOWN = Period(None, None)


def _year(s: str) -> int:
    s = s.translate(_FW)
    return int(s) if s.isdigit() else int("".join(str(_CN[c]) for c in s))


def _cn_num(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN[s[1]]
    if s.endswith("十"):
        return _CN[s[0]] * 10
    return _CN[s] if len(s) == 1 else _CN[s[0]] * 10 + _CN[s[-1]]


_SOURCE_BEFORE = re.compile(cues.SOURCE_BEFORE)
_SOURCE_AFTER = re.compile(cues.SOURCE_AFTER)


def _is_base(text: str, a: int, b: int) -> bool:
    """A comparison base ("比2019年"), or the time of where money comes from ("拟从去年超收收入中安排")."""
    return bool(_BASE_BEFORE.search(text[max(0, a - 14):a]) or _BASE_AFTER.match(text, b)
                or (_SOURCE_BEFORE.search(text, max(0, a - 1), a) and _SOURCE_AFTER.match(text, b)))


@lru_cache(maxsize=256)
def time_phrases(sentence: str, pub_year: Optional[int],
                 section_years: Optional[tuple[int, int]]) -> tuple[tuple[int, int, Period], ...]:
    """(start, end, Period) for every time phrase in `sentence` that can be a figure's own period.
    Cached: a sentence's figures each ask for them (a tuple, so no caller can change them)."""
    s = sentence.translate(_FW)
    out: list[tuple[int, int, Period]] = []
    taken: list[tuple[int, int]] = []

    def add(a: int, b: int, p: Period) -> None:
        if any(a < y and x < b for x, y in taken):
            return
        taken.append((a, b))
        out.append((a, b, p))

    for m in _RANGE.finditer(s):
        g = [x for x in m.groups() if x]
        lo, hi = _year(g[0]), _year(g[1])
        if lo < hi and not _is_base(s, m.start(), m.end()):
            add(m.start(), m.end(), Period(lo, hi, explicit=True))
    for m in _PLANS.finditer(s):
        if not (_PLAN_BEFORE.search(s[max(0, m.start() - 1):m.start()]) or _PLAN_AFTER.match(s, m.end())) \
                or (m.start() and s[m.start() - 1] in "一二三四五六七八九十〇○零第"):
            continue
        first = cues.FIVE_YEAR_PLANS[m.group()]
        add(m.start(), m.end(), Period(first, first + 4, explicit=True))
    for rx in (_YEAR_ZH, _YEAR_EN):
        for m in rx.finditer(s):
            y = _year(m.group(1))
            if not _is_base(s, m.start(), m.end()):
                add(m.start(), m.end(), Period(y, y, explicit=True))
    if pub_year is not None:
        for rx, delta in _REL:
            for m in rx.finditer(s):
                if not _is_base(s, m.start(), m.end()):
                    add(m.start(), m.end(), Period(pub_year + delta, pub_year + delta, explicit=True))
    for m in _PAST_SPAN.finditer(s):
        if any(p.lo != p.hi and 0 <= m.start() - y <= 1 for x, y, p in out):
            continue  # "一九七一年到一九八○年的十年间": the span just said, not another one
        if section_years and section_years[0] < section_years[1]:
            add(m.start(), m.end(), Period(*section_years, explicit=True))
        elif pub_year is not None:
            n = {"五": 5, "三": 3, "两": 2, "十": 10}.get(m.group(1) or "五", 5)
            add(m.start(), m.end(), Period(pub_year - n, pub_year - 1, explicit=True))
    if pub_year is not None:
        for m in _FUTURE_SPAN.finditer(s):
            n = _SPAN_YEARS[m.group(1)]
            add(m.start(), m.end(), Period(pub_year, pub_year + n - 1, explicit=True))
        for m in _CONSECUTIVE.finditer(s):
            last = section_years[1] if section_years and section_years[0] == section_years[1] else pub_year - 1
            add(m.start(), m.end(), Period(last - _SPAN_YEARS[m.group(1) or m.group(2)] + 1, last, explicit=True))
    months = []
    for m in _MONTHS.finditer(s):
        if m.group(1):
            a, b = int(m.group(1)), int(m.group(2))
        else:
            a = _cn_num(m.group(3))
            b = _cn_num(m.group(4)) if m.group(4) else a
            if a > 12 or b > 12 or not s[m.end() - 1:m.end()] in "月份":
                continue
        months.append((m.start(), m.end(), (a, b), False))
    for m in _FIRST_MONTHS.finditer(s):
        n = m.group(1) or m.group(2)
        n = _EN_NUM.get(n.lower(), None) if n and not n.isdigit() and n[0].isascii() else (int(n) if n.isdigit() else _cn_num(n))
        if n:
            months.append((m.start(), m.end(), (1, n), False))
    for m in _HALF.finditer(s):
        months.append((m.start(), m.end(), (1, 6), False))
    for m in _QUARTER.finditer(s):
        q = m.group(1) or m.group(2) or "1"
        q = int(q) if q.isdigit() else "一二三四".index(q) + 1
        months.append((m.start(), m.end(), (3 * q - 2, 3 * q), True))
    for a, b, rng, quarter in months:
        # the months belong to the nearest year said before them, else the section's or publication year
        before = [p for x, y, p in out if y <= a and p.lo == p.hi]
        year = before[-1].lo if before else (section_years[1] if section_years and section_years[0] == section_years[1] else pub_year)
        if year is not None:
            add(a, b, Period(year, year, rng, explicit=True, quarter=quarter))
    out.sort(key=lambda t: t[0])
    return tuple(out)


def resolve(sentence: str, fig_start: int, fig_end: int, clause: tuple[int, int], pub_year: Optional[int],
            pub_month: Optional[int], section_years: Optional[tuple[int, int]], article: bool,
            achieved_hint: bool, reported_year: Optional[int] = None) -> Period:
    """The period of the figure at sentence[fig_start:fig_end] (offsets within `sentence`).
    `reported_year`: the year the whole document reports on, where it says so (a statistical
    communiqué's title year), the period of a figure that no phrase or section dates."""
    phrases = time_phrases(sentence, pub_year, section_years)
    s = sentence.translate(_FW)
    # "赤字率从去年的2.1%提高到2.3%": 去年 is the 2.1%'s time, not the 2.3%'s
    phrases = tuple(t for t in phrases if not (t[1] <= fig_start and _FROM_TO.fullmatch(s, t[1], fig_start)))
    if not _CJK.search(s):
        if _EN_COMPARED.search(s, max(0, fig_start - 32), fig_start):
            close = [p for a, b, p in phrases if a >= fig_end and _EN_GAP.fullmatch(s, fig_end, a)]
            if close:
                return close[0]  # "up from 35.8 billion yuan in 2023"
        # ...and that year is not the figure's before the comparison
        phrases = tuple(t for t in phrases if not (t[0] >= fig_end and _EN_COMPARE.search(s, fig_end, t[0])))
    before = [p for a, b, p in phrases if b <= fig_start]
    if before:
        # a year said in the figure's own clause beats one said earlier in the sentence
        in_clause = [p for a, b, p in phrases if b <= fig_start and a >= clause[0]]
        span_end = max(b for a, b, p in phrases if b <= fig_start)
        if not in_clause and before[-1].lo != before[-1].hi and not before[-1].months \
                and _STOCK.search(s, span_end, fig_start):
            # "两年共增加…，加上原有的灌溉面积，共达十亿零七千万亩": the level reached at the span's end
            return Period(before[-1].hi, before[-1].hi, explicit=True)
        return (in_clause or before)[-1]
    after = [p for a, b, p in phrases if a >= fig_end and b <= clause[1]]
    if after:
        return after[0]
    if section_years:
        if section_years[0] < section_years[1] and pub_year is not None and section_years[1] < pub_year \
                and _FULL_YEAR.search(sentence):
            # "全年" in a review of several years ("过去一年和五年工作回顾") is one year: the last reviewed
            return Period(section_years[1], section_years[1])
        return Period(*section_years)
    if reported_year is not None:
        return Period(reported_year, reported_year)  # "全年茶叶产量7.1万吨" in the 2024 communiqué, out in 2025
    if pub_year is None:
        return UNKNOWN
    if article and achieved_hint and _FULL_YEAR.search(sentence) and (pub_month or 12) <= 3:
        return Period(pub_year - 1, pub_year - 1)  # "the whole year" in a February article is last year
    return Period(pub_year, pub_year)


def average_span(sentence: str, fig_start: int, clause: tuple[int, int], period: Period,
                 section_years: Optional[tuple[int, int]], pub_year: Optional[int]) -> Period:
    """The period of an average over years ("从1997年的7.4万亿元增加到2002年的10.2万亿元，平均每年增长
    7.7%"): from the sentence's first year to its last (1998-2002), else the section's span of years
    that holds the year said, else unknown -- a year's own figure it is not. Other figures keep `period`."""
    if period.lo is None or period.lo != period.hi or period.months or not _AVERAGE.search(sentence, clause[0], fig_start):
        return period
    years = sorted({p.lo for _, b, p in time_phrases(sentence, pub_year, section_years) if b <= fig_start and p.lo == p.hi})
    if len(years) >= 2:
        return Period(years[0] + 1, years[-1], explicit=True)
    if section_years and section_years[0] < section_years[1] and section_years[0] <= period.lo <= section_years[1]:
        return Period(*section_years, explicit=True)
    return UNKNOWN


def cumulative_span(sentence: str, fig_start: int, fig_end: int, clause: tuple[int, int], period: Period) -> Period:
    """A change measured against a year earlier than the one before ("2007年，国内生产总值…比2002年增长
    65.5%") is the change over the years between (2003-2007), not one year's growth; a base of the year
    before ("2024年比2023年增长5%") leaves the figure's year, and the base's own level ("比2002年的…",
    "比上年的…") is that year's. Other figures keep `period`."""
    s = sentence.translate(_FW)
    lvl = _BASE_LEVEL.search(s, clause[0], fig_start)
    if lvl:  # "比一九五七年的三百一十二万吨": the base year's own level
        y = _year(lvl.group(1))
        return Period(y, y, explicit=True)
    if period.lo is None or period.lo != period.hi or period.months:
        return period
    if _BASE_LEVEL_BEFORE.search(s, clause[0], fig_start):
        return Period(period.lo - 1, period.lo - 1, explicit=True)
    m = _BASE_YEAR_BEFORE.search(s, clause[0], fig_start) or _BASE_YEAR_AFTER.match(s[fig_end:clause[1]])
    if not m:
        return period
    base = _year(m.group(1))
    if base < period.lo - 1:
        return Period(base + 1, period.lo, explicit=True)
    return period
