"""Sentences, clauses and paragraphs as offsets into the document text.

retrieval.text.chunking.split_sentences cuts at ；, which is right for quotes but wrong here:
"1979年职工工资总额增加60亿元；职工的年平均工资达到705元" keeps its year across the ；.
So a sentence here ends only at 。！？, a line break, or an English full stop.
"""
from __future__ import annotations

import re

# an English full stop after a figure or year ends its sentence ("…in 2023. The city…"), but not
# after a list item's number at the start of a line ("1. Targets")
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|\n|(?<![A-Z])\.(?!\d)(?=\s|[A-Z]|$)")
_ITEM_NUMBER = re.compile(r"\s*[(（]?\d{1,3}[)）]?")
# a comma before three digits separates thousands only after a digit ("1,234"), not "…240余家，2022年…"
_CLAUSE_END = re.compile(r"[；;]|[，,](?!\d{3})|(?<!\d)[，,](?=\d{3})|\s[–—-]\s")
_LIST_END = re.compile(r"[；;]")


def sentences(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == "." and _ITEM_NUMBER.fullmatch(text, pos, m.start()):
            continue
        _add(text, pos, m.end(), out)
        pos = m.end()
    _add(text, pos, len(text), out)
    return out


def paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"\n", text):
        _add(text, pos, m.start(), out)
        pos = m.end()
    _add(text, pos, len(text), out)
    return out


def clause_bounds(text: str, lo: int, hi: int, pos: int, lists_only: bool = False) -> tuple[int, int]:
    """The clause of text[lo:hi] holding offset `pos`: between ，/； (or only ； when `lists_only`)."""
    rx = _LIST_END if lists_only else _CLAUSE_END
    a = lo
    for m in rx.finditer(text, lo, pos):
        a = m.end()
    m = rx.search(text, pos, hi)
    return a, (m.start() if m else hi)


def _add(text: str, s: int, e: int, out: list) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((s, e))
