"""Sentence scoring: the signals and penalties of `spec.ScoringSpec` applied to candidate sentences.

Each signal is a small pure function of numbers computed once per question, so each can be
measured on its own in `planbot eval` (`Candidate.signals`, `Candidate.flags`).
"""
from __future__ import annotations

import re
from typing import Callable, Optional

import numpy as np

from retrieval.ask.candidates import TARGET_LEAD, Candidate
from retrieval.ask.coverage import lexical_coverage, split_by_script
from retrieval.ask.evidence import (TABLE_ROW, answer_figure, category_fits, free_figures, is_ratio, mentions_subjects,
                                    metric_figure, period_years, wanted_kind, words_number_of)
from retrieval.ask.meaning import names_reordered
from retrieval.ask.spec import SPEC, ScoringSpec
from retrieval.facts.query import fact_within, within_years
from retrieval.knowledge.figures import MONEY_UNITS, extract_figures, figure_category
from retrieval.knowledge.vocab import load_vocab
from retrieval.text.chunking import units
from retrieval.text.dates import doc_year, names_year, report_years
from retrieval.text.fold import fold
from retrieval.text.script import script_of
from retrieval.text.tokens import tokenize

# what a kind of answer or figure measures: a level (an amount, a count, a physical quantity), a
# change or a share. A figure of another measure than asked is marked down ("how much grain":
# 粮食单产提高14.5% is a change); a count for "how much" (人口14355人) is a level all the same.
MEASURE_GROUP = {"amount": "level", "count": "level", "other": "level", "growth": "change", "share": "share"}
# a figure written in words, which the figure extractor leaves alone: 六个区域总部, "six-time winner"
# (not a party congress or plenum by its number: 党的十九大精神, 十九届二中全会 count nothing)
WORD_NUMBER = re.compile(r"(?<![一二两三四五六七八九十百千万])(?<!党的)[一二两三四五六七八九十百千万]+(?:个|家|项|座|名|户|条|所|款|只|批|次|倍|种|类|届|位|支|部|大|成)"
                         r"(?![一二三四五六七]中全会|精神|以来|报告|召开|胜利|代表大会)"
                         r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
                         r"|fifty|hundred|thousand|million|billion|dozen|half|double|twice|triple)\b"
                         r"|第[\d一二三四五六七八九十百]+(?:位|名)|\b\d+(?:st|nd|rd|th)\b", re.I)  # ranks too
# which of those can answer which kind: any for "how many"; a rank or a multiple for "how much";
# a multiple for "how fast" ("four leading industries" is no output figure)
WORD_NUMBER_FITS = {
    "count": WORD_NUMBER,
    "amount": re.compile(r"第[\d一二三四五六七八九十百]+(?:位|名)|\b\d+(?:st|nd|rd|th)\b|[一二两三四五六七八九十百]+倍"
                         r"|\b(?:hundred|thousand|million|billion)\b|\btimes\b", re.I),
    "growth": re.compile(r"[一二两三四五六七八九十百]+倍|\b(?:double[ds]?|tripled?|twice|half|times)\b", re.I),
}
PERCENT_UNITS = ("percent", "per mille", "percentage points")


def other_period(facts: list, years: set[int]) -> bool:
    """Whether every figure with a known period is of other years than `years` (at least one is
    known); a span reaching beyond them (a 2018–2022 average asked for 2020) is of other years."""
    known = [w for w in (within_years(f.period, years) for f in facts if f is not None) if w is not None]
    return bool(known) and not any(known)


def _nearest_quantity(c: Candidate, figures: list, near: list[tuple[int, int, float]]) -> tuple[float, Optional[object]]:
    """(strength, figure): the sentence's figure whose fact's indicator is nearest the asked
    quantity (facts and figures overlap: a fact's figure may take in a qualifier, 突破650亿元)."""
    best, best_fig = 0.0, None
    for f in figures:
        a, b = c.start + f.start, c.start + f.end
        for start, end, strength in near:
            if start < b and a < end and strength > best:
                best, best_fig = strength, f
    return best, best_fig


def _fact_within(facts: dict, c: Candidate, f, years: set[int]) -> bool:
    """Whether the figure's fact (read at ingest) is of the asked years."""
    return fact_within(facts.get((c.doc_id, c.start + f.start)), years)


def _fact_kind(facts: Optional[dict], c: Candidate, f) -> Optional[str]:
    """"achieved" or "target" as the figure's fact (read at ingest) has it, else None."""
    fact = facts.get((c.doc_id, c.start + f.start)) if facts else None
    return fact.kind if fact is not None and fact.kind in ("achieved", "target") else None


def _carried_figure(facts: dict, c: Candidate, figures, asked_ids: set[str], fits, within, vocab):
    """(named, figure) for a sentence that names no indicator but whose figures' facts (read at
    ingest, which carries a subject over from the sentence before: "产值达到72.6亿元；2023年和2022年
    分别为61.4亿元、48.9亿元") are of an asked one: the asked year's, else the first that fits."""
    if any(m.term.category == "indicator" for m in vocab.matches(c.text)):
        return False, None
    of_asked = [f for f in figures if (x := facts.get((c.doc_id, c.start + f.start))) is not None
                and x.indicator_id in asked_ids and (fits is None or fits(f))]
    if not of_asked:
        return False, None
    dated = [f for f in of_asked if within is None or within(f)]
    return True, (dated or of_asked)[0]


def _sentence_before(facts: dict, c: Candidate) -> str:
    """The sentence with figures just before a candidate in its document, as its facts hold it."""
    best = None
    for (doc_id, _), x in facts.items():
        if doc_id == c.doc_id and x.sentence_start < c.start and (best is None or x.sentence_start > best.sentence_start):
            best = x
    return best.sentence if best is not None else ""


def score_sentences(
    candidates: list[Candidate],
    sentence_vecs: np.ndarray,
    query_vec: np.ndarray,
    q_weights: dict[str, float],
    idf: dict[str, float],
    analysis,
    doc_dates: dict[str, Optional[str]],
    mentions: Optional[Callable[[str], bool]] = None,
    bridge: Optional[dict[str, tuple[str, ...]]] = None,
    bridge_idf: Optional[dict[str, float]] = None,
    subjects: Optional[list[tuple[str, ...]]] = None,
    subject_docs: Optional[dict[str, bool]] = None,
    spec: ScoringSpec = SPEC,
    elsewhere: Optional[Callable[[str, int], bool]] = None,
    names_asked: Optional[Callable[[str], bool]] = None,
    facts: Optional[dict] = None,
    quantity: Optional[dict] = None,
) -> None:
    """Score each candidate in place. `mentions(text) -> bool`, when given, says whether a
    sentence names the asked region; used when no document is about that region.

    When the question names an indicator, the figure that follows that indicator's name in
    the sentence is the answer figure: its category (growth, amount, ...) and kind (achieved
    or target) are what must fit the question, not those of other figures in a long list."""
    dense = sentence_vecs @ query_vec if len(candidates) else np.zeros(0)
    by_script = split_by_script(q_weights)
    terms = getattr(analysis, "metric_terms", []) or []
    asked_ids = {t.id for t in terms}
    asks_indicator = any(getattr(t, "category", "") == "indicator" for t in terms)
    # indicators asked for by meaning (ask/meaning.py), each counting in proportion to its strength
    meant = {t: s for t, s in (getattr(analysis, "meant", None) or {}).items() if t not in asked_ids}
    vocab = load_vocab()
    meant_terms = [vocab.get(t) for t in meant if t in vocab]
    meant_words = getattr(analysis, "meant_words", None) or {}
    # Whether the question asks for an indicator in the vocabulary's words (also one read inside
    # the words that ask for another by meaning: "GDP" in "R&D measured against GDP"): only then
    # does a sentence naming none of the asked take the missing-indicator penalty. An indicator
    # asked for by meaning alone only spares it: "How many firms went public…" reads as
    # listed companies, and a passage that says "120家企业上市" names no listed-company term.
    # A quantity made of a named thing ("How much tea did … produce?") asks for that thing's figure as
    # an indicator's would be: a sentence naming no such thing gives some other thing's tonnes.
    made_asked = bool(getattr(analysis, "output_asked", False)) and any(
        getattr(t, "category", "") not in ("indicator", "general") for t in terms)
    asked_strength = 1.0 if asks_indicator or made_asked or any(getattr(t, "category", "") == "indicator"
                                                                for t in getattr(analysis, "meant_subsumed", None) or []) else 0.0
    ratio_asked = any(getattr(t, "category", "") == "indicator" and is_ratio(t) for t in [*terms, *meant_terms])
    wants_figure = bool(getattr(analysis, "wants_figure", False))
    mass_asked = wants_figure and bool(getattr(analysis, "mass_asked", False))
    output_asked = wants_figure and bool(getattr(analysis, "output_asked", False))
    money_asked = wants_figure and bool(getattr(analysis, "money_asked", False))
    kind = getattr(analysis, "answer_kind", "other")
    q_script = script_of(getattr(analysis, "question", "") or "")
    w = spec.signal_weights
    near: dict[str, list[tuple[int, int, float]]] = {}
    for (doc_id, start, end), strength in (quantity or {}).items():
        near.setdefault(doc_id, []).append((start, end, strength))
    # A question that asks for no listed indicator, no figure and no named subject ("What is the
    # area of the Liuyang development zone?", "When was it founded?") has only its other words
    # to be answered by: a sentence that matches nothing but the words saying where is no answer.
    place_tokens = {t for n in getattr(analysis, "place_words", None) or [] for t in tokenize(n)}
    open_question = bool(place_tokens) and not wants_figure and not asked_ids and not meant and not subjects
    if open_question:
        what_by_script = {k: {t: x for t, x in ws.items() if t not in place_tokens} for k, ws in by_script.items()}
        # ...nor a translation that is a piece of a place's name ("area" -> 区, as in 开发区)
        places = getattr(analysis, "place_words", None) or []
        what_bridge = {k: kept for k, g in (bridge or {}).items() if k not in place_tokens
                       and (kept := tuple(x for x in g if not any(x in p for p in places)))}
    for c, d in zip(candidates, dense):
        folded, script = fold(c.text), script_of(c.text)
        unmentioned = mentions is not None and not mentions(c.text)  # runs the gazetteer: once
        date = doc_dates.get(c.doc_id)
        figures = extract_figures(c.text, ref_year=doc_year(date))
        fits = (lambda f: category_fits(kind, figure_category(f, c.text))
                and not (output_asked and f.unit in MONEY_UNITS)
                and not (money_asked and f.unit not in MONEY_UNITS)) if wants_figure else None
        years = period_years(analysis, date)
        # the asked year's figure, by the figures' facts: a table row's column, or of a sentence's
        # figures of the asked indicator the one of that year (evidence.answer_figure)
        within = (lambda f, c=c: _fact_within(facts, c, f, years)) if wants_figure and years and facts else None
        in_row = within is not None and bool(TABLE_ROW.search(c.text))
        if in_row:
            fits = (lambda f, fits=fits, within=within: fits(f) and within(f))
        has_metric, answer_fig = answer_figure(c.text, figures, asked_ids, spec.metric_window, fits, within)
        lexical_text = c.text
        if not has_metric and asks_indicator and facts:
            has_metric, answer_fig = _carried_figure(facts, c, figures, asked_ids, fits, within, vocab)
            if has_metric:
                # the words naming the subject are in the sentence it is carried from
                lexical_text = _sentence_before(facts, c) + c.text
        credit = 1.0 if has_metric else 0.0  # how fully the sentence names what is asked
        if meant and not has_metric:
            # a sentence that names an indicator asked for by meaning, not the listed one: that
            # indicator's figure is the answer figure, credited by its strength
            # ...named by one of its names (as listed, or its words reordered), or by the
            # question's own words for it
            found = [t for t in meant if metric_figure(c.text, figures, {t}, spec.metric_window)[0]
                     or (meant_words.get(t) and meant_words[t] in folded) or names_reordered(c.text, t, vocab)]
            if found:
                best = max(found, key=lambda t: meant[t])
                credit = meant[best]
                _, answer_fig = metric_figure(c.text, figures, {best}, spec.metric_window, fits)
        if wants_figure and near.get(c.doc_id) and (not credit or (has_metric and not asks_indicator and not meant)):
            # no asked indicator named: the figure whose own indicator (its fact's) is nearest the
            # asked kind of quantity is the answer figure, credited by that nearness. A named word
            # that is no indicator (research, 工厂) says what the question is about, not which
            # figure measures it: it counts for spec.general_word_credit, or the nearness if more
            if credit:
                credit *= spec.general_word_credit
            strength, fig_near = _nearest_quantity(c, figures, near[c.doc_id])
            if fig_near is not None and spec.fact_meaning_weight * strength > credit:
                credit, answer_fig = spec.fact_meaning_weight * strength, fig_near
        focus = [answer_fig] if answer_fig else figures
        fig = 0.0
        # the asked indicator's own figure is of another measure than asked (its growth for "how much")
        measure_clash = (bool(answer_fig) and wants_figure and kind in MEASURE_GROUP
                         and MEASURE_GROUP[kind] != MEASURE_GROUP.get(figure_category(answer_fig, c.text), "level")
                         and not fits(answer_fig) and not (ratio_asked and answer_fig.unit in PERCENT_UNITS)
                         # (or money for a quantity made: "how much cotton did it harvest" is tonnes, which
                         # `fits` holds no money figure to be)
                         or bool(answer_fig) and output_asked and answer_fig.unit in MONEY_UNITS)
        if figures:
            fig = spec.figure_present
            if any(category_fits(kind, figure_category(f, c.text)) for f in focus):
                fig = spec.figure_fits if answer_fig or not asked_ids else spec.figure_fits_elsewhere
        period = 0.0
        if years:
            if any(names_year(folded, y) for y in years) or (in_row and answer_fig and within(answer_fig)):
                period = spec.period_year_named
            elif years & report_years(date):
                period = spec.period_report_covers
        want = wanted_kind(analysis, date)
        # A report's section ("一、2024年工作回顾") or a paragraph that opens with "主要预期目标是："
        # says more reliably than the wording of one list item whether its figures are results
        # or targets ...unless the sentence itself announces targets before the figure.
        # The figure's fact (read at ingest from the whole document: its section, the paragraph's
        # lead, the clause's own cues — 到一九八五年…达到 is a plan) says it best, and it is what the
        # answer labels the figure with, so the score must not read the figure otherwise.
        kinds = {_fact_kind(facts, c, f) or (f.kind if TARGET_LEAD.search(c.text[:f.start]) else (c.lead_kind or f.kind))
                 for f in focus}
        kind_match = bool(want and focus and want in kinds)
        kind_clash = bool(want and focus and want not in kinds and "unknown" not in kinds)
        if kind_match:
            period += spec.period_kind_match
        # "last year" read against an undated source is a guess (today's date): no clash from it;
        # and a fact's period says when a figure holds, which matters to a figure question only
        dated = doc_year(date) is not None or bool(getattr(analysis, "years", None))
        period_clash = wants_figure and bool(years) and dated and facts is not None and other_period(
            [facts.get((c.doc_id, c.start + f.start)) for f in focus], years)
        short = units(c.text) < spec.short_units
        signals = {
            "dense": max(0.0, float(d)),
            "lexical": lexical_coverage(lexical_text, script, folded if lexical_text is c.text else fold(lexical_text),
                                        by_script, idf, q_script, bridge, bridge_idf),
            "figure": fig if wants_figure else 0.0,
            "metric": credit * (spec.metric_with_figure if answer_fig else (spec.metric_named if credit else 0.0)),
            "period": min(1.0, period),
            "prior": 1.0 / (1 + c.hit_rank),
        }
        c.signals = signals
        c.flags = {"no_fig": wants_figure and not figures and not WORD_NUMBER.search(c.text), "no_metric": asks_indicator and not has_metric,
                   "kind_clash": kind_clash, "measure_clash": measure_clash, "period_clash": period_clash,
                   "answer_fig": bool(answer_fig), "no_mention": unmentioned, "short": short,
                   # a figure that fits and that no other indicator owns (ask/abstain.py)
                   "free_fig": wants_figure and not answer_fig and (
                       any(fits(f) for f in free_figures(c.text, figures, asked_ids, spec.metric_window))
                       or (kind in WORD_NUMBER_FITS and words_number_of(c.text, asked_ids, WORD_NUMBER_FITS[kind]))),
                   # some figure, in digits or in words, that can answer the asked kind (ask/abstain.py)
                   "fit_fig": wants_figure and (any(fits(f) for f in figures) or (
                       kind in WORD_NUMBER_FITS and bool(WORD_NUMBER_FITS[kind].search(c.text))))}
        c.score = sum(w[k] * v for k, v in signals.items())
        if bridge and script != q_script:
            # Across languages the dictionary bridge is weaker evidence than shared words: its
            # coverage counts for less, the sentence's dense similarity for more.
            c.score += spec.cross_dense_extra * signals["dense"] - (1 - spec.cross_lexical_share) * w["lexical"] * signals["lexical"]
        if wants_figure and not figures:
            c.score *= spec.no_figure  # a figure question answered without any figure is rarely right
        elif (mass_asked or money_asked) and not c.flags["fit_fig"] and not measure_clash:
            c.score *= spec.measure_clash  # "how much money" and only counts here (1782 institutions)
        if asked_strength > credit:
            # another metric's figure must not pass for the answer: the full penalty when a listed
            # indicator is asked and the sentence names none, spared in proportion to the strength
            # of an indicator asked for by meaning that it names
            c.score *= 1.0 - (1.0 - spec.no_metric) * (asked_strength - credit)
        if kind_clash:
            # The very figure after the asked indicator is of the wrong kind (a 2025 target
            # for a 2024 question): a stronger sign than a list's other figures; strongest
            # when the sentence itself announces targets ("今年主要预期目标是：…增长5%左右").
            announced = bool(answer_fig) and bool(TARGET_LEAD.search(c.text[:answer_fig.start])) and want == "achieved"
            c.score *= (spec.kind_clash_announced if announced
                        else spec.kind_clash_answer_figure if answer_fig else spec.kind_clash_other_figure)
        if measure_clash:
            c.score *= spec.measure_clash
        if period_clash:
            c.score *= spec.period_clash
        # (a figure read as the answer by its fact's nearness alone is marked down too: another region's figure is no answer)
        if elsewhere is not None and figures and (
                elsewhere(c.doc_id, c.start + answer_fig.start) if answer_fig
                else (names_asked is not None and all(elsewhere(c.doc_id, c.start + f.start) for f in figures)
                      and not names_asked(c.text))):
            # its fact (read at ingest) is another region's: 襄阳、宜昌经济总量 is not Hubei's GDP;
            # with no answer figure, every figure of a sentence that names no asked region is (a
            # county's tea output value for its province's tea; "SAIC's Ningde base in Jiaocheng"
            # names the city asked, and its district's figure may be the answer)
            c.flags["place_inside"] = True
            c.score *= spec.place_inside
        if unmentioned:
            c.score *= spec.region_unmentioned
        if subjects and not mentions_subjects(c.text, folded, subjects):
            # "Tokyo's GDP target": a sentence from a source that never names Tokyo is about
            # some other place; within a source that does, it may refer back to it ("the team").
            c.flags["no_subject"] = True
            if not (subject_docs or {}).get(c.doc_id, False):
                c.score *= spec.subject_absent
        if open_question and not lexical_coverage(c.text, script, folded, what_by_script, idf, q_script, what_bridge, bridge_idf):
            c.flags["place_only"] = True
            c.score *= spec.no_metric
        if short:
            c.score *= spec.short_sentence
