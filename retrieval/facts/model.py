"""The Fact record: one figure in one document, with what it says."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# The whole country, for national documents: not in the gazetteer (which holds places inside it).
NATIONAL = {"id": "100000", "name": "China", "name_zh": "全国", "level": "country"}

# Several places named together as one figure's subject ("襄阳、宜昌经济总量突破6000亿元") hold it
# between them: the fact's region is their ids joined by "+", which is no one region's id, so the
# figure is neither any one of them's nor the region containing them.
COMBINED = "+"

KINDS = ("achieved", "target", "forecast", "other")
MEASURES = ("level", "growth", "share", "count", "other")


@dataclass
class Fact:
    doc_id: str
    figure: str  # as written, == document text[start:end]
    value: float
    unit: str
    measure: str  # one of MEASURES
    kind: str  # one of KINDS
    period: str  # "2024", "2021-2025", "2024Q1", "2024-01..2024-11", "1959-03" or "unknown"
    region_id: str  # gazetteer id, NATIONAL["id"], or several ids joined by COMBINED
    indicator_id: Optional[str]  # vocabulary id when the figure's indicator is in the vocabulary
    indicator_text: str  # the words naming the indicator, as written
    sentence: str  # the sentence holding the figure, verbatim
    start: int  # offsets of the figure in the document text
    end: int
    sentence_start: int = 0
    value_high: Optional[float] = None
    qualifier: str = ""
    english: str = ""
    chinese: str = ""


def combined_region(ids: list[str]) -> str:
    """The region id of a figure several places hold together (see COMBINED)."""
    return COMBINED.join(ids)


def region_parts(region_id: str) -> list[str]:
    """The places a fact's region stands for: one id, or each id of a combined region."""
    return region_id.split(COMBINED) if region_id else []


def region_among(region_id: str, ids: set[str]) -> bool:
    """Whether a fact's region is among `ids` (a region and the places inside it): a combined
    region is when one of the places holding it is (a joint figure of Ganzhou and Jiujiang is
    listed for Ganzhou, under both names)."""
    return region_id in ids or (COMBINED in region_id and any(p in ids for p in region_parts(region_id)))
