"""From retrieved chunks to an Answer: the sentences that answer, quoted verbatim, with figures.

Sentences are re-scored against the question with several small signals (pure
functions over numbers computed once per question), so each signal can be
measured on its own in `planbot eval`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.text.chunking import split_sentences, units
from retrieval.ingest.offsets import file_span
from retrieval.knowledge.figures import extract_figures, figure_category
from retrieval.facts.answer import label_figures, mismatch_note
from retrieval.store.index import Index
from retrieval.ask.search import Hit
from retrieval.text.dates import doc_year, report_years
from retrieval.text.fold import fold
from retrieval.text.script import CJK_RE, script_of
from retrieval.text.tokens import tokenize
from retrieval.types import Answer, Figure, Quote, Source

# Sentence score = weighted sum of these signals, each in [0, 1] (dense is a cosine).
SIGNAL_WEIGHTS = {"dense": 0.20, "lexical": 0.40, "figure": 0.10, "metric": 0.20, "period": 0.05, "prior": 0.05}
# Below this best-sentence score the corpus is taken not to hold the answer; chosen on
# the unanswerable questions of the eval sets (docs/EVALUATION.md).
ANSWER_THRESHOLD = 0.37
MAX_QUOTES = 3
QUOTE_FLOOR = 0.8  # further quotes must score at least this share of the best one
MAX_CANDIDATE_SENTENCES = 120


@dataclass
class Candidate:
    doc_id: str
    start: int
    end: int
    text: str
    hit_rank: int
    score: float = 0.0
    signals: dict | None = None
    lead_kind: str = ""  # "target" when the paragraph so far announces targets ("主要预期目标是：")
    flags: dict | None = None


_TARGET_LEAD = re.compile(r"预期目标|主要目标|目标是|目标为|力争|目標|targets? (?:is|are|for)|aims? to|strive to|will strive", re.I)


_HEADING_ACHIEVED = re.compile(r"回顾|过去一年|过去的一年|去年工作|工作总结|review of|in review|last year", re.I)
_HEADING_TARGET = re.compile(r"目标任务|工作安排|主要工作|重点工作|今年工作|预期目标|主要目标|工作任务|主要任务|重点任务|总体要求|工作思路"
                             r"|关于\d{4}年|tasks|targets|plans? for", re.I)
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
            if 0 < len(stripped) <= 40 and not stripped.endswith(("。", ".", "；", ";")):
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
    if _TARGET_LEAD.search(paragraph_lead(text, start)):
        return "target"
    kind = ""
    for offset, k in section_kinds(doc_id, text):
        if offset > start:
            break
        kind = k
    return kind


def paragraph_lead(text: str, start: int) -> str:
    para = max(text.rfind("\n", 0, start), -1) + 1
    return text[max(para, start - 400):start]


def candidate_sentences(index: Index, hits: list[Hit]) -> list[Candidate]:
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
            if len(out) >= MAX_CANDIDATE_SENTENCES:
                return out
    return out


def _coverage_parts(q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str]) -> tuple[float, float]:
    """(covered, total) IDF-weighted query tokens."""
    total = sum(w * idf.get(t, 0.0) for t, w in q_weights.items())
    covered = sum(w * idf.get(t, 0.0) for t, w in q_weights.items() if t in sentence_tokens)
    return covered, total


def _coverage(q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str]) -> float:
    covered, total = _coverage_parts(q_weights, idf, sentence_tokens)
    return covered / total if total > 0 else 0.0


def bridged_coverage(
    q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str], folded: str,
    bridge: dict[str, tuple[str, ...]], bridge_idf: dict[str, float],
) -> float:
    """Coverage of a sentence in the other language than the question: the question tokens it
    can contain (expansions, numbers) as in `_coverage`, plus each bridged question word,
    covered when any of its dictionary translations occurs in the sentence and weighted by
    the rarest of them that the corpus knows (a word none of whose translations occur
    anywhere in the corpus cannot decide between sentences and is left out)."""
    covered, total = _coverage_parts(q_weights, idf, sentence_tokens)
    for group in bridge.values():
        x = max((_key_idf(g, bridge_idf) for g in group), default=0.0)
        if x <= 0:
            continue
        total += x
        if any(_present(g, sentence_tokens, folded) for g in group):
            covered += x
    return covered / total if total > 0 else 0.0


def _key_idf(key: str, idf: dict[str, float]) -> float:
    return max((idf.get(w, 0.0) for w in key.split()), default=0.0)


def _present(key: str, sentence_tokens: set[str], folded: str) -> bool:
    if CJK_RE.match(key):
        return key in folded if len(key) > 1 else key in sentence_tokens
    return all(w in sentence_tokens for w in key.split())


def split_by_script(q_weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """Query tokens that can occur in a Chinese sentence vs an English one (numbers in both).

    Coverage is measured only over the tokens a sentence could contain: an English
    question's own words can never appear in a Chinese sentence, only its expansions can.
    """
    zh = {t: w for t, w in q_weights.items() if CJK_RE.match(t) or t[0].isdigit()}
    en = {t: w for t, w in q_weights.items() if not CJK_RE.match(t)}
    return {"zh": zh, "en": en}


def _period_years(analysis, doc_date: str | None) -> set[int]:
    from retrieval.ask.query import resolve_period

    return set(resolve_period(analysis, doc_date))


def _doc_covers(years: set[int], doc_date: str | None) -> bool:
    """A report dated Y reviews Y-1 and sets targets for Y, usually without naming either year
    in each sentence."""
    return bool(years & report_years(doc_date))


def wanted_kind(analysis, doc_date: str | None) -> str | None:
    """"target" or "achieved", when the question says which: a target cue, or a period before
    the document's own year (a 2025 report states 2024 results and 2025 targets)."""
    if getattr(analysis, "wants_target", False):
        return "target"
    y = doc_year(doc_date)
    years = _period_years(analysis, doc_date)
    if not years or y is None:
        return None
    if all(x < y for x in years):
        return "achieved"
    if all(x >= y for x in years):
        return "target"
    return None


METRIC_WINDOW = 24  # characters between a metric's name and its figure ("地区生产总值达到32193.15亿元")


def metric_figure(sentence: str, figures, asked_ids: set[str]):
    """(matched, figure): whether the sentence names an asked indicator (as a whole term: 单位地区
    生产总值能耗 is energy intensity, not GDP) and the first figure that follows that name closely."""
    if not asked_ids:
        return False, None
    from retrieval.knowledge.vocab import load_vocab

    matched = False
    for m in load_vocab().matches(sentence):
        if m.term.id not in asked_ids:
            continue
        matched = True
        for f in figures:
            if m.end <= f.start <= m.end + METRIC_WINDOW:
                return True, f
    return matched, None


def _lexical(text, script, folded, by_script, idf, q_script, bridge, bridge_idf) -> float:
    tokens = set(tokenize(text))
    if bridge and script != q_script:
        return bridged_coverage(by_script[script], idf, tokens, folded, bridge, bridge_idf or {})
    return _coverage(by_script[script], idf, tokens)


# For a sentence in the other language than the question (the bridge is on). Measured on
# xquad-crosslingual-dev with Chinese passages only (618 English questions) and the provincial +
# dev sets (docs/EVALUATION.md): extra dense 0 / 0.2 / 0.4 answered 38% / 53% / 63% of the
# first 150 right; then a grid over both on all 618 (lexical share 0.7, dense 0.5 against 1.0,
# 0.4: first quote right 304 vs 300, wrong answers 133 vs 154), provincial + dev unchanged.
CROSS_DENSE_EXTRA = 0.5
CROSS_LEXICAL_SHARE = 0.7
KIND_CLASH_ANNOUNCED = 0.6  # 0.8 → 0.6 declines pc36 (Shanxi 2024 growth) and fixes dev d05; nothing right lost
SUBJECT_ABSENT_PENALTY = 0.3


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


def _category_fits(kind: str, category: str) -> bool:
    # A physical quantity (万吨, 亿千瓦) answers "how much" as well as money does.
    return ((kind == category) or (kind == "share" and category in ("share", "growth"))
            or (kind == "amount" and category == "other") or kind in ("target", "other"))


def score_sentences(
    candidates: list[Candidate],
    sentence_vecs: np.ndarray,
    query_vec: np.ndarray,
    q_weights: dict[str, float],
    idf: dict[str, float],
    analysis,
    doc_dates: dict[str, str | None],
    mentions=None,
    bridge: dict[str, tuple[str, ...]] | None = None,
    bridge_idf: dict[str, float] | None = None,
    subjects: list[tuple[str, ...]] | None = None,
    subject_docs: dict[str, bool] | None = None,
) -> None:
    """Score each candidate in place. `mentions(text) -> bool`, when given, says whether a
    sentence names the asked region; used when no document is about that region.

    When the question names an indicator, the figure that follows that indicator's name in
    the sentence is the answer figure: its category (growth, amount, ...) and kind (achieved
    or target) are what must fit the question, not those of other figures in a long list."""
    dense = sentence_vecs @ query_vec if len(candidates) else np.zeros(0)
    by_script = split_by_script(q_weights)
    asked_ids = {t.id for t in getattr(analysis, "metric_terms", []) or []}
    asks_indicator = any(getattr(t, "category", "") == "indicator" for t in getattr(analysis, "metric_terms", []) or [])
    wants_figure = bool(getattr(analysis, "wants_figure", False))
    kind = getattr(analysis, "answer_kind", "other")
    q_script = script_of(getattr(analysis, "question", "") or "")
    for c, d in zip(candidates, dense):
        folded, script = fold(c.text), script_of(c.text)
        # mentions() runs the gazetteer over the sentence: once
        unmentioned = mentions is not None and not mentions(c.text)
        date = doc_dates.get(c.doc_id)
        figures = extract_figures(c.text, ref_year=doc_year(date))
        has_metric, answer_fig = metric_figure(c.text, figures, asked_ids)
        focus = [answer_fig] if answer_fig else figures
        fig = 0.0
        if figures:
            fig = 0.5
            if any(_category_fits(kind, figure_category(f, c.text)) for f in focus):
                fig = 1.0 if answer_fig or not asked_ids else 0.75
        years = _period_years(analysis, date)
        period = 0.0
        if years:
            if any(str(y) in folded for y in years):
                period = 0.6
            elif _doc_covers(years, date):
                period = 0.3
        want = wanted_kind(analysis, date)
        # A report's section ("一、2024年工作回顾") or a paragraph that opens with "主要预期目标是："
        # says more reliably than the wording of one list item whether its figures are results
        # or targets.
        # ...unless the sentence itself announces targets before the figure ("主要预期目标建议为：").
        kinds = {f.kind if _TARGET_LEAD.search(c.text[:f.start]) else (c.lead_kind or f.kind) for f in focus}
        kind_match = bool(want and focus and want in kinds)
        kind_clash = bool(want and focus and want not in kinds and "unknown" not in kinds)
        if kind_match:
            period += 0.4
        signals = {
            "dense": max(0.0, float(d)),
            "lexical": _lexical(c.text, script, folded, by_script, idf, q_script, bridge, bridge_idf),
            "figure": fig if wants_figure else 0.0,
            "metric": 1.0 if answer_fig else (0.6 if has_metric else 0.0),
            "period": min(1.0, period),
            "prior": 1.0 / (1 + c.hit_rank),
        }
        c.signals = signals
        c.flags = {"no_fig": wants_figure and not figures, "no_metric": asks_indicator and not has_metric,
                   "kind_clash": kind_clash, "answer_fig": bool(answer_fig),
                   "no_mention": unmentioned, "short": units(c.text) < 8}
        c.score = sum(SIGNAL_WEIGHTS[k] * v for k, v in signals.items())
        if bridge and script != q_script:
            # Across languages the dictionary bridge is weaker evidence than shared words: its
            # coverage counts for less, the sentence's dense similarity for more.
            c.score += CROSS_DENSE_EXTRA * signals["dense"] - (1 - CROSS_LEXICAL_SHARE) * SIGNAL_WEIGHTS["lexical"] * signals["lexical"]
        # A figure question answered by a sentence without any figure is rarely right.
        if wants_figure and not figures:
            c.score *= 0.85
        # An indicator was asked for and this sentence does not name it: another metric's
        # figure must not pass for the answer.
        if asks_indicator and not has_metric:
            c.score *= 0.6
        if kind_clash:
            # The very figure after the asked indicator is of the wrong kind (a 2025 target
            # for a 2024 question): a stronger sign than a list's other figures; strongest
            # when the sentence itself announces targets ("今年主要预期目标是：…增长5%左右").
            announced = bool(answer_fig) and bool(_TARGET_LEAD.search(c.text[:answer_fig.start])) and want == "achieved"
            c.score *= KIND_CLASH_ANNOUNCED if announced else (0.8 if answer_fig else 0.75)
        if unmentioned:
            c.score *= 0.3
        if subjects and not mentions_subjects(c.text, folded, subjects):
            # "Tokyo's GDP target": a sentence from a source that never names Tokyo is about
            # some other place; within a source that does, it may refer back to it ("the team").
            c.flags["no_subject"] = True
            if not (subject_docs or {}).get(c.doc_id, False):
                c.score *= SUBJECT_ABSENT_PENALTY
        # Headings and fragments are poor quotes.
        if units(c.text) < 8:
            c.score *= 0.7


def source_of(index: Index, doc_id: str, region_names=None) -> Source:
    doc = index.document(doc_id)
    regions = [region_names(r) for r in doc.regions] if region_names else list(doc.regions)
    return Source(doc.doc_id, doc.title, doc.publisher, doc.date, doc.url, doc.path, [r for r in regions if r])


def _merge_neighbours(index: Index, best: Candidate, by_pos: dict[tuple[str, int], Candidate], wants_figure: bool) -> tuple[int, int]:
    """Extend a quote over an adjacent sentence when the sentence alone is not enough:
    it is a fragment, or the figure the question asks for is in its neighbour."""
    doc = index.document(best.doc_id)
    start, end = best.start, best.end
    sentences = split_sentences(doc.text, max(0, start - 600), min(len(doc.text), end + 600))
    idx = next((i for i, (s, _) in enumerate(sentences) if s == start), None)
    if idx is None:
        return start, end
    has_fig = bool(extract_figures(best.text))
    if (wants_figure and not has_fig) or units(best.text) < 20:
        for j in (idx + 1, idx - 1):
            if 0 <= j < len(sentences):
                s, e = sentences[j]
                if extract_figures(doc.text[s:e]) or units(best.text) < 20:
                    start, end = min(start, s), max(end, e)
                    break
    return start, end


def compose(
    question: str,
    analysis,
    index: Index,
    hits: list[Hit],
    candidates: list[Candidate],
    region_names=None,
    max_quotes: int = MAX_QUOTES,
    threshold: float = ANSWER_THRESHOLD,
    notes: list[str] | None = None,
) -> Answer:
    notes = list(notes or [])
    ranked = sorted(candidates, key=lambda c: -c.score)
    nearest = []
    for h in hits[:5]:
        if h.chunk.doc_id not in [s.doc_id for s in nearest]:
            nearest.append(source_of(index, h.chunk.doc_id, region_names))
    if not ranked or ranked[0].score < threshold:
        return Answer(question, False, "Not found in the indexed sources.", [], nearest[:3], notes)

    q_script = script_of(question)
    quotes: list[Quote] = []
    used: list[tuple[str, int, int]] = []
    by_pos = {(c.doc_id, c.start): c for c in candidates}
    wants_figure = bool(getattr(analysis, "wants_figure", False))
    for c in ranked:
        if len(quotes) >= max_quotes or c.score < ranked[0].score * QUOTE_FLOOR:
            break
        s, e = _merge_neighbours(index, c, by_pos, wants_figure)
        if any(d == c.doc_id and s < ue and us < e for d, us, ue in used):
            continue
        used.append((c.doc_id, s, e))
        doc = index.document(c.doc_id)
        text = doc.text[s:e]
        figures = extract_figures(text, ref_year=doc_year(doc.date))
        facts = label_figures(index, c.doc_id, s, e, figures)  # kind and period as read at ingest
        if not quotes:
            best_facts, best_doc = facts, doc
        quote_script = script_of(text)
        file_start, file_end, file_unit = file_span(doc.file_offsets, s, e)  # where it is in the original file
        quotes.append(
            Quote(
                text=text,
                figures=figures,
                source=source_of(index, c.doc_id, region_names),
                score=round(float(c.score), 4),
                start=s,
                end=e,
                lang=doc.lang,
                rendering=render(figures, text, analysis, q_script) if quote_script != q_script else "",
                file_start=file_start, file_end=file_end, file_unit=file_unit,
            )
        )
    best = quotes[0]
    note = _fact_note(question, analysis, best, best_facts, best_doc, region_names)
    if note:
        notes.insert(0, note)
    summary = best.text
    if best.rendering:
        summary = f"{best.rendering} — {best.text}"
    cite = best.source.title + (f", {best.source.date}" if best.source.date else "")
    return Answer(question, True, f"{summary} ({cite})", quotes, [], notes)


def _fact_note(question: str, analysis, best: Quote, facts: dict, doc, region_names) -> str | None:
    """When the best quote's answer figure is of another year, region or kind than asked."""
    from retrieval.knowledge.regions import load_gazetteer

    asked = {t.id for t in (getattr(analysis, "metric_terms", []) or [])}
    _, fig = metric_figure(best.text, best.figures, asked)
    fig = fig or next((f for f in best.figures if best.start + f.start in facts), None)
    fact = facts.get(best.start + fig.start) if fig else None
    name = region_names or (lambda rid: rid)
    return mismatch_note(analysis, question, fact, best.source.title, wanted_kind(analysis, doc.date), load_gazetteer(), name)


def render(figures: list[Figure], quote_text: str, analysis, target_script: str) -> str:
    """The metric and figures of a quote in the question's language, from the vocabulary and
    the figure normaliser only (never a free translation of the sentence).

    Each figure is labelled with the indicator named just before it, so that in
    "生产总值6.36万亿元…社会消费品零售总额2.76万亿元" retail sales get 2.76, not 6.36 trillion."""
    if not figures:
        return ""
    from retrieval.knowledge.vocab import load_vocab

    vocab = load_vocab()
    indicators = [m for m in vocab.matches(quote_text) if m.term.category == "indicator"]
    groups: list[tuple[str | None, list[Figure]]] = []
    for f in figures:
        before = [m for m in indicators if m.end <= f.start]
        term = before[-1].term.id if before and f.start - before[-1].end <= METRIC_WINDOW * 2 else None
        if groups and groups[-1][0] == term:
            groups[-1][1].append(f)
        else:
            groups.append((term, [f]))
    asked = {t.id for t in (getattr(analysis, "metric_terms", []) or [])}
    chosen = [g for g in groups if g[0] in asked] or groups[:3]

    def name(term_id: str | None) -> str:
        if term_id is None:
            return ""
        return vocab.english_name(term_id) if target_script == "en" else vocab.chinese_name(term_id)

    def figs(fs: list[Figure]) -> str:
        return ", ".join(((f.english if target_script == "en" else f.chinese) or f.text) for f in fs[:3])

    return "; ".join(f"{name(t)}: {figs(fs)}" if t else figs(fs) for t, fs in chosen[:3])
