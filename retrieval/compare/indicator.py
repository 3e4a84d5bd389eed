"""An indicator named by its vocabulary id or by words in English or Chinese.

"GDP growth", "地区生产总值增长", "gdp" and "R&D intensity" all resolve through the vocabulary
(retrieval/knowledge/data/vocab.tsv): the indicator is the longest indicator term in the words,
the measure comes from the words around it ("growth", 增长, 增速 -> growth) or from the
indicator itself (rd_intensity is a share whatever the words say).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from retrieval.compare.model import Indicator
from retrieval.errors import BadQuestion
from retrieval.facts.cues import GROWTH_WORDS, SHARE_INDICATORS
from retrieval.knowledge.vocab import Vocab, load_vocab

# Terms that name a measure or a list of targets, not an indicator of their own: "growth rate of
# GDP" is GDP's growth, "主要预期目标" a heading.
NOT_AN_INDICATOR = {"growth_rate", "main_targets", "value_added"}
# Display names for the whole country where the vocabulary's first names are a region's
# (地区生产总值 "regional GDP" is a province's; the country's is 国内生产总值, GDP).
NATIONAL_NAMES = {"gdp": ("GDP", "国内生产总值")}
_GROWTH = re.compile(GROWTH_WORDS, re.I)
_SHARE = re.compile(r"\bshare\b|\bproportion\b|\bratio\b|比重|占比|比例", re.I)
_LEVEL = re.compile(r"\blevel\b|\btotal\b|\bamount\b|\bsize\b|总量|规模|总额", re.I)


def resolve_indicator(text: str, vocab: Optional[Vocab] = None) -> Indicator:
    """The indicator `text` names, or BadQuestion saying what is known."""
    vocab = vocab or load_vocab()
    words = (text or "").strip()
    if not words:
        raise BadQuestion("name an indicator, e.g. \"GDP growth\", 地区生产总值增长 or rd_intensity")
    term = vocab.terms.get(words) or vocab.terms.get(words.lower().replace(" ", "_"))
    if term is not None and term.category != "indicator":
        term = None
    found = term is not None
    if term is None:
        found_terms = [m for m in vocab.matches(words) if m.term.category == "indicator" and m.term.id not in NOT_AN_INDICATOR]
        if found_terms:
            term = max(found_terms, key=lambda m: m.end - m.start).term
    if term is None:
        raise BadQuestion(f"{words!r} names no indicator in the vocabulary; try e.g. \"GDP growth\", "
                          f"\"fixed-asset investment\", \"R&D intensity\", 地区生产总值增长 (ids: docs/VOCABULARY.md)")
    measure = measure_of(words if not found else "", term.id)
    return Indicator(term.id, term.english[0], term.zh[0], measure)


def measure_of(words: str, indicator_id: str) -> Optional[str]:
    if indicator_id in SHARE_INDICATORS:
        return "share"
    if _GROWTH.search(words):
        return "growth"
    if _SHARE.search(words):
        return "share"
    if _LEVEL.search(words):
        return "level"
    return None


def for_the_country(indicator: Indicator) -> Indicator:
    """`indicator` named as the country's own (NATIONAL_NAMES), else unchanged."""
    names = NATIONAL_NAMES.get(indicator.id)
    return replace(indicator, en=names[0], zh=names[1]) if names else indicator
