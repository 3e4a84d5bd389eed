"""Candidate sentences: the sentences of the retrieved chunks, each with the kind of section it sits in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from retrieval.ask.search import Hit
from retrieval.store.index import Index
from retrieval.text.chunking import split_sentences


@dataclass
class Candidate:
    doc_id: str
    start: int
    end: int
    text: str
    hit_rank: int
    score: float = 0.0
    signals: Optional[dict] = None
    lead_kind: str = ""  # "target" when the paragraph so far announces targets ("主要预期目标是：")
    flags: Optional[dict] = None


TARGET_LEAD = re.compile(r"预期目标|主要目标|目标是|目标为|力争|目標|targets? (?:is|are|for)|aims? to|strive to|will strive", re.I)
_HEADING_ACHIEVED = re.compile(r"回顾|过去一年|过去的一年|去年工作|工作总结|review of|in review|last year", re.I)
_HEADING_TARGET = re.compile(r"目标任务|工作安排|主要工作|重点工作|今年工作|预期目标|主要目标|工作任务|主要任务|重点任务|总体要求|工作思路"
                             r"|关于\d{4}年|tasks|targets|plans? for", re.I)
HEADING_MAX_CHARS = 40  # a line this short without a full stop is a heading
LEAD_CHARS = 400  # how far back a paragraph's lead is read for a target announcement
_section_cache: dict[tuple[str, int], list[tuple[int, str]]] = {}


def section_kinds(doc_id: str, text: str) -> list[tuple[int, str]]:
    """(offset, "achieved"|"target") of heading lines that open a review or a plan section:
    work reports put last year's results under "一、2024年工作回顾" and targets under
    "二、2025年目标任务和主要工作", often without a cue in each sentence."""
    key = (doc_id, len(text))
    if key not in _section_cache:
        out, pos = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if 0 < len(stripped) <= HEADING_MAX_CHARS and not stripped.endswith(("。", ".", "；", ";")):
                if _HEADING_ACHIEVED.search(stripped):
                    out.append((pos, "achieved"))
                elif _HEADING_TARGET.search(stripped):
                    out.append((pos, "target"))
            pos += len(line) + 1
        if len(_section_cache) > 256:
            _section_cache.clear()
        _section_cache[key] = out
    return _section_cache[key]


def context_kind(doc_id: str, text: str, start: int) -> str:
    if TARGET_LEAD.search(paragraph_lead(text, start)):
        return "target"
    kind = ""
    for offset, k in section_kinds(doc_id, text):
        if offset > start:
            break
        kind = k
    return kind


def paragraph_lead(text: str, start: int) -> str:
    para = max(text.rfind("\n", 0, start), -1) + 1
    return text[max(para, start - LEAD_CHARS):start]


def candidate_sentences(index: Index, hits: list[Hit], limit: int = 120) -> list[Candidate]:
    """The sentences of the hits' chunks, in hit order, each once, at most `limit`."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        rank = min(rank, hit.ranks.get("focused", rank))  # a focused-search hit keeps its own rank
        doc = index.document(hit.chunk.doc_id)
        for s, e in split_sentences(doc.text, hit.chunk.start, hit.chunk.end):
            if (doc.doc_id, s) in seen:
                continue
            seen.add((doc.doc_id, s))
            out.append(Candidate(doc.doc_id, s, e, doc.text[s:e], rank, lead_kind=context_kind(doc.doc_id, doc.text, s)))
            if len(out) >= limit:
                return out
    return out
