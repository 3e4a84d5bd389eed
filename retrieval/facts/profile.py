"""What a document is and which years it speaks of: the frame every figure is read in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from retrieval.facts import cues

_KINDS = [(k, cues.rx(p)) for k, p in cues.DOC_KINDS]
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_FW = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Profile:
    kind: str  # "national_report", "work_report", "communique", "article"
    year: Optional[int]  # publication year
    month: Optional[int]  # publication month, when the date has one

    @property
    def review_year(self) -> Optional[int]:
        """The year a report's review covers: a work report of year Y reviews Y-1; a
        communiqué covers the year in its title (set as `year` - 1 when published the next year)."""
        if self.year is None:
            return None
        return self.year - 1 if self.kind in ("national_report", "work_report", "communique") else self.year

    @property
    def plan_year(self) -> Optional[int]:
        return self.year

    @property
    def is_report(self) -> bool:
        return self.kind in ("national_report", "work_report")


def profile(title: str, date: Optional[str], path: str = "") -> Profile:
    title = (title or "").translate(_FW)
    kind = next((k for k, rx in _KINDS if rx.search(title)), cues.DEFAULT_DOC_KIND)
    if kind == cues.DEFAULT_DOC_KIND and "national-government-work-reports" in (path or ""):
        kind = "national_report"
    year = month = None
    if date and date[:4].isdigit():
        year = int(date[:4])
        if len(date) >= 7 and date[5:7].isdigit():
            month = int(date[5:7])
    if kind in ("national_report", "work_report", "communique") and (m := _YEAR.search(title)):
        # the title's year is the report's year (a 2025 report may be dated 2025-01-20 or not at all)
        y = int(m.group(1))
        if kind == "communique":
            y += 1  # "2023年统计公报" covers 2023 and comes out in 2024
        if year is None or abs(year - y) <= 1:
            year = y
    return Profile(kind, year, month)


def reading_date(doc) -> Optional[str]:
    """The date a document's relative years ("last year", 今年) are read against: its own date,
    else the year of the yearly report its title names (an undated 鄢陵县2025年政府工作报告 speaks
    from 2025). An undated article has none. `doc`: anything with .title, .date and .path."""
    if doc.date:
        return doc.date
    year = profile(doc.title, None, getattr(doc, "path", "") or "").year
    return str(year) if year else None
