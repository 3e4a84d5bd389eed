"""When the best sentences do not hold what a figure question asks (pure, apart from reading facts).

Two cases turn a would-be answer into a plain "not in the sources", with the closest sentences
kept as context (`Answer.quotes` of a declined answer are context, never an answer):

- the figure is not stated: the best sentences name the asked indicator but give no figure for
  it, or give no figure at all (Ningde's plan names its lithium-battery industry, with no output
  target);
- the figure is not stated in the asked unit: the question asks for it in a unit of amount (in
  yuan, 多少亿元, tonnes) and the best sentences give the indicator only as a growth rate or a
  share (an industry's output "增长12%" is no amount in yuan);
- the asked year is not held: the best sentences' figures are of other years than the question
  names, and no source in scope has a figure of the indicator for that year. The answer then
  says which years the sources do hold.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from retrieval.ask.compose import quotable
from retrieval.ask.evidence import SUBJECT_CATEGORIES, asks_subject
from retrieval.facts.answer import NATIONAL_Q
from retrieval.facts.model import NATIONAL
from retrieval.facts.query import span, within_years


def quoted(ranked: list, threshold: float, floor: float, max_quotes: int) -> list:
    """The candidates an answer would quote (compose.compose), by compose's own rule."""
    return quotable(ranked, threshold, floor)[:max_quotes]


def _indicator(analysis, vocab, english: bool) -> str:
    terms = [t for t in (getattr(analysis, "metric_terms", []) or []) if t.category == "indicator"]
    terms = terms or [t for t in (getattr(analysis, "metric_terms", []) or []) if t.category in SUBJECT_CATEGORIES]
    if not terms:
        return "the asked figure" if english else "所问数字"
    t = terms[-1] if len(terms) > 1 and terms[-1].id in getattr(vocab, "ratios", {}) else terms[0]
    return t.english[0] if english else t.zh[0]


def asks_indicator(analysis) -> bool:
    return any(t.category == "indicator" for t in (getattr(analysis, "metric_terms", []) or []))


def figure_not_stated(analysis, quotes: list, english: bool, vocab) -> Optional[str]:
    """The reason to give, when a figure question's quoted sentences hold no figure for it.

    Only for an asked indicator, industry or policy: no quoted sentence has a figure right after
    its name (scoring's answer figure) or a fitting figure no other indicator owns in a clause
    naming it, and the best holds no figure that can answer the asked kind, or (an indicator)
    names it without its figure."""
    if not quotes or not getattr(analysis, "wants_figure", False):
        return None
    flags = [c.flags or {} for c in quotes]
    if not asks_subject(analysis):
        # no planning term to hold the figure to; and a figure in words ("six-time winner", 十倍)
        # is no figure to the extractor, so a figureless sentence may still be the answer
        return None
    if any(f.get("answer_fig") or f.get("free_fig") for f in flags):
        return None
    if not asks_indicator(analysis) and not getattr(analysis, "names_quantity", False):
        # an industry or a policy is no figure by itself: only its output, capacity, scale...
        # asked for ("lithium-battery output target") is a figure it may lack (编号是多少 asks for a code)
        return None
    # an indicator named without its figure is not stated; an industry or a policy is named
    # in many sentences whose figures are of something else, so only a figureless best counts
    names_it = asks_indicator(analysis) and (quotes[0].signals or {}).get("metric", 0) > 0
    if not (flags[0].get("no_fig") or not flags[0].get("fit_fig", True) or names_it):
        return None
    name = _indicator(analysis, vocab, english)
    return (f"The closest sources give no figure for {name}." if english else f"最接近的来源没有给出{name}的数字。")


def held_periods(facts: Iterable, indicator_ids: set[str], region_ids: Optional[set[str]]) -> list[str]:
    """The periods of the facts of the given indicators (and regions), in time order."""
    out = {f.period for f in facts if f.indicator_id in indicator_ids and span(f.period)
           and (region_ids is None or f.region_id in region_ids)}
    return sorted(out, key=lambda p: span(p))


def _years_text(periods: list[str]) -> str:
    """"2011–2013, 2016, 2018-2022": single years in runs, spans as they are."""
    singles = sorted({int(p) for p in periods if p.isdigit()})
    runs: list[list[int]] = []
    for y in singles:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r))) for r in runs]
    parts += [p for p in periods if not p.isdigit()]
    return ", ".join(parts)


def year_not_held(analysis, question: str, quotes: list, facts: Iterable, scope_regions: Optional[set[str]],
                  english: bool, vocab, years: Optional[list[int]] = None) -> Optional[str]:
    """The reason to give when the question names years, the best quote's figures are all of
    other years (scoring's period_clash), and no fact of the asked indicator in scope is of an
    asked year. `years`: the asked years as read against the best quote's source ("前年" in a
    plan signed 2025-03 is 2023); default the years the question writes."""
    years = list(years if years is not None else (getattr(analysis, "years", []) or []))
    ids = {t.id for t in (getattr(analysis, "metric_terms", []) or []) if t.category == "indicator"}
    if not years or not ids or not quotes or not (quotes[0].flags or {}).get("period_clash"):
        return None
    regions = scope_regions
    if regions is None and NATIONAL_Q.search(question):
        regions = {NATIONAL["id"]}
    held = held_periods(facts, ids, regions)
    if any(within_years(p, set(years)) for p in held):  # a span over more years is no asked year's figure
        return None
    name = _indicator(analysis, vocab, english)
    asked = "/".join(map(str, years))
    if english:
        return (f"The indexed sources hold no {name} figure for {asked}"
                + (f"; they hold {name} figures for {_years_text(held)}." if held else "."))
    return f"已索引的来源没有{asked}年的{name}数字" + (f"；有{_years_text(held)}年的。" if held else "。")


# units a figure is asked in that a growth rate or a share can never be: the vocabulary's units
# other than these, and a bare 元 after 多少/几 (the vocabulary lists 亿元, 万元, not 元 alone)
NOT_AMOUNT_UNITS = frozenset({"percent", "percentage_points"})
_ZH_ASKED_UNIT = re.compile(r"(?:多少|几)[十百千万亿]*((?:美|日|欧)?元)")


def asked_unit(question: str, vocab) -> Optional[str]:
    """The question's own words for the unit of amount it asks its figure in, or None."""
    for m in vocab.matches(question):
        if m.term.category == "unit" and m.term.id not in NOT_AMOUNT_UNITS:
            return m.text
    m = _ZH_ASKED_UNIT.search(question)
    return m.group(1) if m else None


def unit_not_stated(analysis, question: str, quotes: list, english: bool, vocab) -> Optional[str]:
    """The reason to give when a figure question asks for its figure in a unit of amount, the
    quoted sentences give the asked indicator's figure only as another measure (scoring's
    measure_clash: its growth, its share) and none holds a fitting figure of it or a free one.
    "How much" alone is not enough to decline on (the question reading's answer kind is not
    reliable enough by itself: "how much did grain output grow"); a named unit is."""
    if not quotes or not getattr(analysis, "wants_figure", False) or not asks_indicator(analysis):
        return None
    unit = asked_unit(question, vocab)
    if unit is None:
        return None
    flags = [c.flags or {} for c in quotes]
    if not any(f.get("measure_clash") for f in flags):
        return None
    if any((f.get("answer_fig") and not f.get("measure_clash")) or f.get("free_fig") for f in flags):
        return None
    name = _indicator(analysis, vocab, english)
    return (f"The closest sources give {name} only as a growth rate or a share, not in {unit}." if english
            else f"最接近的来源只给出{name}的增速或比重，没有以{unit}计的数字。")


def indicator_not_named(analysis, candidates: list, region: str, english: bool, vocab) -> Optional[str]:
    """The reason to give, for a figure question declined for scoring too low, when no candidate
    sentence names the asked indicator at all (scoring's no_metric on every one): the closest
    sources do not give it, which says more than "no sentence answers closely enough"."""
    if not candidates or not getattr(analysis, "wants_figure", False) or not asks_indicator(analysis):
        return None
    if not all((c.flags or {}).get("no_metric") for c in candidates):
        return None
    name = _indicator(analysis, vocab, english)
    if english:
        return f"None of the closest sources{' about ' + region if region else ''} names {name}."
    written = "、".join(getattr(analysis, "region_names", []) or [])  # the question's own words for the places
    return f"最接近的{'关于' + written + '的' if written else ''}来源都没有提到{name}。"


def amount_not_stated(analysis, quotes: list, english: bool) -> Optional[str]:
    """The reason to give when an English "how much" question (query.mass_asked: an amount, no
    rate or share named) is quoted only sentences with no figure that can be an amount: counts
    ("about 420 trucks" for how much money), ranks; and when money is asked with no indicator named
    (query.money_asked: "how much were its tea shipments worth", 卖了多少钱), sentences with no amount of money.
    Chinese 多少 alone asks counts too and sets nothing."""
    if not quotes or not (getattr(analysis, "mass_asked", False) or getattr(analysis, "money_asked", False)) \
            or not getattr(analysis, "wants_figure", False):
        return None
    if any((c.flags or {}).get("fit_fig") for c in quotes):
        return None
    return ("The closest sources give no amount for this, only other measures." if english
            else "最接近的来源没有给出这一数额。")
