"""Headings and the sections they open, each with a role (review, plan, other) and its years.

A work report says plainly where it looks back ("一、2024年工作回顾") and where it looks
ahead ("二、2025年工作安排"); figures inherit that unless their own words say otherwise.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from retrieval.facts import cues
from retrieval.facts.profile import Profile
from retrieval.text.chinese import to_simplified

_ROLES = [(r, cues.rx(p)) for r, p in cues.HEADING_ROLES]
_TOP = re.compile(cues.TOP_HEADING)
_NOT = re.compile(cues.NOT_HEADING)
_SUB = re.compile(cues.SUB_HEADING)
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年|([一二三四五六七八九〇○零]{4})年")
_FIVE = re.compile(r"五年|five years")
_RELATIVE = re.compile(r"(" + "|".join(cues.RELATIVE_HEADING) + r")\s*[：:]")
_AHEAD = re.compile(r"今后|今後|未来|未來")
# a plan's number inside a longer numeral is no plan: 一九五八年 holds 九五, 第十五届 holds 十五
# (the guard period.py puts on the same names)
_PLANS = [(re.compile(rf"(?<![一二三四五六七八九十〇○零第]){re.escape(name)}(?![一二三四五六七八九〇○零]|[年届屆])"), first)
          for name, first in sorted(cues.FIVE_YEAR_PLANS.items(), key=lambda kv: -len(kv[0]))]
_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}


@dataclass(frozen=True)
class Section:
    start: int
    role: Optional[str]  # "review", "plan", "other" or None (before any heading, or unknown)
    years: Optional[tuple[int, int]]  # the period its figures default to
    heading: str = ""


def year_of(match: re.Match) -> int:
    if match.group(1):
        return int(match.group(1))
    return int("".join(_CN_DIGIT[c] for c in match.group(2)))


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > cues.HEADING_MAX or s.endswith(("。", "；", ";", "，", ",")) or _NOT.search(s):
        return False
    return bool(_TOP.match(s) or _SUB.match(s) or any(rx.search(s) for _, rx in _ROLES))


def _role(line: str) -> Optional[str]:
    return next((r for r, rx in _ROLES if rx.search(line)), None)


def find_sections(text: str, prof: Profile) -> list[Section]:
    out = [Section(0, None, None)]
    seen_review = False
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not _is_heading(line):
            continue
        s = line.strip().translate(_FW)
        role = _role(s)
        top = bool(_TOP.match(s)) or (role is not None and not _SUB.match(s))
        if not top and role in ("review", "plan") and not _YEAR.search(s):
            role = None  # "（十）…取得新成效" under the plan is a task, not a new review
        if role is None:
            if not top:
                continue  # a sub-heading without cues stays in its section
            if not prof.is_report:
                # a plan's or a notice's "一、发展基础": a section of no role, whose opening year
                # may date its results (facts/extract.py section_year)
                out.append(Section(start, None, None, s))
                continue
            role = "plan" if seen_review else out[-1].role
        if role == "review":
            seen_review = True
        out.append(Section(start, role, _years(s, role, prof), s))
    return out


def _years(heading: str, role: Optional[str], prof: Profile) -> Optional[tuple[int, int]]:
    simple = to_simplified(heading)
    for name, first in _PLANS:
        if name.search(simple) and ("计划" in simple or "规划" in simple or "“" in simple):
            return (first, first + 4)
    ys = [year_of(m) for m in _YEAR.finditer(heading)]
    if ys:
        return (ys[0], ys[0])
    y = prof.year
    if y is None or role not in ("review", "plan"):
        return None
    rel = _RELATIVE.match(heading)
    if rel:  # "去年：石墨烯产业提速" in a news piece of 2025: 2024
        return (y + cues.RELATIVE_HEADING[rel.group(1)],) * 2
    if _FIVE.search(heading):
        return (y, y + 4) if _AHEAD.search(heading) or role == "plan" else (y - 5, y - 1)
    return (prof.review_year,) * 2 if role == "review" else (prof.plan_year,) * 2


class SectionIndex:
    """Section lookup by document offset."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = sections
        self._starts = [s.start for s in sections]

    def at(self, pos: int) -> Section:
        return self.sections[bisect.bisect_right(self._starts, pos) - 1]
