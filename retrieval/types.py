"""The records that flow through planbot, shared by every module and surface.

They are plain dataclasses so that `dataclasses.asdict()` gives the `--json` output
and the Slack formatter reads the same fields as the terminal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Document:
    """One article, report or JSONL row after cleaning.

    `text` is the cleaned text that quotes are cut from: every quote is
    `text[start:end]`. Boilerplate is removed and the pinyin converter artifact is
    repaired, but nothing else is rewritten, so quotes stay verbatim.
    """

    doc_id: str
    text: str
    title: str
    path: str  # file path; JSONL rows add "#<line number>"
    content_hash: str  # documents.file_hash of the raw bytes (JSONL: of the raw line)
    lang: str = "en"  # "en", "zh-Hans", "zh-Hant", "other"
    date: Optional[str] = None  # ISO date, "YYYY-MM-DD", "YYYY-MM" (a signature giving the month) or "YYYY"
    publisher: Optional[str] = None
    url: Optional[str] = None
    regions: list[str] = field(default_factory=list)  # region ids mentioned, main one first
    main_region: Optional[str] = None
    # `date` is when the document was issued or published (what "last year" in it is relative
    # to); `period` is the time it reports on when it says so ("2015" for the 2015 statistical
    # communiqué issued in March 2016).
    period: Optional[str] = None
    author: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)  # languages of its chunks, most text first
    # where `text` sits in the original file: {"unit": "char" | "extracted-char" | "paragraph",
    # "map": [[text offset, file offset], ...], "starts": paragraph start offsets (docx)};
    # see retrieval.ingest.offsets
    file_offsets: dict = field(default_factory=dict)


@dataclass
class Chunk:
    doc_id: str
    seq: int  # position of the chunk in its document
    start: int  # character offsets into Document.text
    end: int
    text: str  # == Document.text[start:end]
    regions: list[str] = field(default_factory=list)
    lang: str = ""  # "en", "zh-Hans", "zh-Hant", "other"; "" when not known (older indexes)


@dataclass
class Figure:
    """A number found in a sentence, normalised so that figures compare across scripts and scales.

    `text` is the verbatim span (e.g. "700亿元", "超5000億元", "5.0%—5.5%"), `start`/`end`
    its offsets in the sentence it was found in. `value` is in base units (yuan, not
    亿元; 0.398 is never used: percentages stay 39.8 with unit "percent"). Ranges set
    `value` to the low end and `value_high` to the high end.
    """

    text: str
    value: float
    unit: str  # "yuan", "percent", "percentage points", "people", "enterprises", "projects", "tonnes", "" ...
    kind: str = "unknown"  # "achieved", "target", "unknown"; from the figure's fact: also "forecast", "other"
    period: str = ""  # from the figure's fact (retrieval/facts): "2024", "2021-2025", "unknown"
    english: str = ""  # "70 billion yuan", "more than 500 billion yuan", "5.0–5.5%"
    chinese: str = ""  # "700亿元"
    scale: str = ""  # the scale word as written: "亿", "万亿", "billion", "million", ""
    qualifier: str = ""  # "more than", "about", "at least", "up to", ""
    value_high: Optional[float] = None
    start: int = 0
    end: int = 0


@dataclass
class Source:
    doc_id: str
    title: str
    publisher: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    path: Optional[str] = None
    regions: list[str] = field(default_factory=list)


@dataclass
class Quote:
    text: str  # verbatim substring of the source document's text
    figures: list[Figure]
    source: Source
    score: float
    start: int = 0  # offsets in the document text
    end: int = 0
    lang: str = ""
    rendering: str = ""  # metric and figure in the question's language, built from the vocabulary
    # where the quote is in the original file (README "Where a quote is in the file"): character
    # offsets into the file's decoded text ("char"), into the text extracted from an HTML page
    # ("extracted-char"), into a JSONL row's text field ("row-char"), or paragraph indexes in a
    # .docx ("paragraph", end inclusive)
    file_start: Optional[int] = None
    file_end: Optional[int] = None
    file_unit: str = ""


@dataclass
class Answer:
    question: str
    answered: bool
    answer: str  # one-paragraph summary for people; figures in it are copied from quotes
    quotes: list[Quote] = field(default_factory=list)
    nearest: list[Source] = field(default_factory=list)  # when not answered: the closest sources
    notes: list[str] = field(default_factory=list)  # e.g. "No Chinese name is known for Zeekr: check…"
    # when not answered: why, in words for the user ("Nothing in the indexed sources mentions Tokyo.")
    declined_because: Optional[str] = None
    comparison: Optional[object] = None  # a compare/trend table (retrieval.compare) when the question asked for one
