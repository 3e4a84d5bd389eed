"""What a sentence says about the question (pure): the asked indicator's figure, the kind of
figure the period implies, whether it names the question's subjects."""
from __future__ import annotations

from typing import Optional

from retrieval.ask.query import QueryAnalysis, resolve_period
from retrieval.knowledge.vocab import load_vocab
from retrieval.text.dates import doc_year
from retrieval.text.script import CJK_RE, script_of
from retrieval.text.tokens import tokenize
from retrieval.types import Figure


def period_years(analysis: QueryAnalysis, doc_date: Optional[str]) -> set[int]:
    return set(resolve_period(analysis, doc_date))


def wanted_kind(analysis: QueryAnalysis, doc_date: Optional[str]) -> Optional[str]:
    """"target" or "achieved", when the question says which: a target cue, or a period before
    the document's own year (a 2025 report states 2024 results and 2025 targets)."""
    if getattr(analysis, "wants_target", False):
        return "target"
    y = doc_year(doc_date)
    years = period_years(analysis, doc_date)
    if not years or y is None:
        return None
    if all(x < y for x in years):
        return "achieved"
    if all(x >= y for x in years):
        return "target"
    return None


def metric_figure(sentence: str, figures: list[Figure], asked_ids: set[str], window: int) -> tuple[bool, Optional[Figure]]:
    """(matched, figure): whether the sentence names an asked indicator (as a whole term: 单位地区
    生产总值能耗 is energy intensity, not GDP) and the first figure that follows that name within
    `window` characters."""
    if not asked_ids:
        return False, None
    matched = False
    for m in load_vocab().matches(sentence):
        if m.term.id not in asked_ids:
            continue
        matched = True
        for f in figures:
            if m.end <= f.start <= m.end + window:
                return True, f
    return matched, None


def category_fits(kind: str, category: str) -> bool:
    """Whether a figure of `category` can answer a question of `kind`."""
    # A physical quantity (万吨, 亿千瓦) answers "how much" as well as money does.
    return ((kind == category) or (kind == "share" and category in ("share", "growth"))
            or (kind == "amount" and category == "other") or kind in ("target", "other"))


def mentions_subjects(text: str, folded: str, subjects: list[tuple[str, ...]]) -> bool:
    """Whether the sentence names each subject in some form of its own script; a subject with
    no form in that script (a name the dictionary cannot translate) is not held against it."""
    zh = script_of(text) == "zh"
    tokens = None
    for forms in subjects:
        usable = [f for f in forms if bool(CJK_RE.match(f)) == zh]
        if not usable:
            continue
        if zh:
            if not any(f in folded for f in usable):
                return False
        else:
            tokens = tokens if tokens is not None else set(tokenize(text))
            if not any(all(w in tokens for w in f.split()) for f in usable):
                return False
    return True


def subjects_checkable(text: str, subjects: list[tuple[str, ...]]) -> bool:
    """Whether every subject has a form in the sentence's script (see mentions_subjects)."""
    zh = script_of(text) == "zh"
    return all(any(bool(CJK_RE.match(f)) == zh for f in forms) for forms in subjects)
