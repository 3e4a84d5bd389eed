"""The Fact record: one figure in one document, with what it says."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# The whole country, for national documents: not in the gazetteer (which holds places inside it).
NATIONAL = {"id": "100000", "name": "China", "name_zh": "全国", "level": "country"}

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
    region_id: str  # gazetteer id, or NATIONAL["id"]
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
