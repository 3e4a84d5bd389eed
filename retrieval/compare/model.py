"""The records of a comparison: plain dataclasses, so `asdict()` is the `--json` output."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from retrieval.types import Source


@dataclass(frozen=True)
class Indicator:
    id: str  # vocabulary id
    en: str  # display names
    zh: str
    measure: Optional[str] = None  # "growth", "share", "level", "count", or None for whichever the sources state

    def label(self, lang: str) -> str:
        name = self.zh if lang == "zh" else self.en
        if self.measure == "growth" and not _says_growth(name):
            return name + ("增长" if lang == "zh" else " growth")
        return name


def _says_growth(name: str) -> bool:
    return any(w in name.lower() for w in ("growth", "增长", "增速"))


def short_source(src: Source) -> str:
    """"2025年江苏省政府工作报告 (2025-01-19)": enough to find the document."""
    return f"{src.title} ({src.date})" if src.date else src.title


@dataclass
class Cell:
    """One stated figure: a fact, with its sentence and source."""

    figure: str  # as written, == the source text[start:end]
    value: float  # normalised (percent stays 5.5 with unit "percent"; yuan in yuan)
    unit: str
    measure: str
    kind: str  # "achieved", "target", "forecast"
    period: str
    sentence: str  # verbatim; the figure occurs in it
    start: int  # offsets of the figure in the document text
    end: int
    source: Source
    sentence_start: int = 0  # offset of the sentence in the document text
    region_id: str = ""
    value_high: Optional[float] = None
    qualifier: str = ""
    english: str = ""  # the figure in English ("about 5%"), from the figure reader
    others: int = 0  # further statements of the same figure slot in the sources (not shown)


@dataclass
class CompareRow:
    region_id: str
    region: str
    region_zh: str
    cell: Optional[Cell] = None  # None: not stated
    elsewhere: Optional[Cell] = None  # when not stated: the nearest other period or kind the sources do state

    @property
    def stated(self) -> bool:
        return self.cell is not None


@dataclass
class CompareTable:
    indicator: Indicator
    period: Optional[str]
    kind: Optional[str]
    rows: list[CompareRow]
    notes: list[str] = field(default_factory=list)
    lang: str = "en"
    title: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        for row, r in zip(data["rows"], self.rows):
            row["stated"] = r.stated
        data["type"] = "compare"
        return data


@dataclass
class TrendRow:
    year: int
    target: Optional[Cell] = None
    achieved: Optional[Cell] = None


@dataclass
class TrendTable:
    indicator: Indicator
    region_id: str
    region: str
    region_zh: str
    kind: Optional[str]  # None: both target and achieved
    rows: list[TrendRow]
    notes: list[str] = field(default_factory=list)
    lang: str = "en"
    title: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["type"] = "trend"
        return data
