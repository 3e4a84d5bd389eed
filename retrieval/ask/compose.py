"""From scored sentences to an Answer: verbatim quotes (a fragment takes in its neighbour),
their figures, sources, and the figures rendered in the question's language."""
from __future__ import annotations

from itertools import takewhile
from typing import Callable, Iterable, Optional

from retrieval.ask.candidates import Candidate
from retrieval.ask.spec import SPEC, ScoringSpec
from retrieval.ask.search import Hit
from retrieval.ingest.offsets import file_span
from retrieval.ask.evidence import answer_figure, asks_subject, period_years, ratio_spans, wanted_kind
from retrieval.facts.answer import label_figures, mismatch_note
from retrieval.facts.profile import reading_date
from retrieval.facts.query import fact_within
from retrieval.knowledge.figures import extract_figures
from retrieval.knowledge.regions import load_gazetteer
from retrieval.knowledge.vocab import load_vocab
from retrieval.store.index import Index
from retrieval.text.chunking import split_sentences, units
from retrieval.text.dates import doc_year
from retrieval.text.script import script_of
from retrieval.types import Answer, Figure, Quote, Source

NOT_FOUND = "Not found in the indexed sources."
# why an answer is declined when every guard passed but no sentence scores high enough
NO_CLOSE_SENTENCE = "no sentence in the closest sources answers it closely enough"
NEIGHBOUR_WINDOW = 600  # characters either side searched for the neighbour sentence


def source_of(index: Index, doc_id: str, region_names: Optional[Callable[[str], str]] = None) -> Source:
    doc = index.document(doc_id)
    regions = [region_names(r) for r in doc.regions] if region_names else list(doc.regions)
    return Source(doc.doc_id, doc.title, doc.publisher, doc.date, doc.url, doc.path, [r for r in regions if r])


def nearest_sources(index: Index, hits: list[Hit], region_names=None, n: int = 3) -> list[Source]:
    """The distinct documents of the first hits: shown when there is no answer."""
    out: list[Source] = []
    for h in hits[:5]:
        if h.chunk.doc_id not in [s.doc_id for s in out]:
            out.append(source_of(index, h.chunk.doc_id, region_names))
    return out[:n]


def declined(question: str, index: Index, hits: list[Hit], reason: str, notes: list[str], region_names=None) -> Answer:
    """No answer, the reason why, and the closest sources."""
    return Answer(question, False, NOT_FOUND, [], nearest_sources(index, hits, region_names), list(notes),
                  declined_because=reason)


def _merge_neighbours(index: Index, best: Candidate, wants_figure: bool, spec: ScoringSpec) -> tuple[int, int]:
    """Extend a quote over an adjacent sentence when the sentence alone is not enough:
    it is a fragment, or the figure the question asks for is in its neighbour."""
    doc = index.document(best.doc_id)
    start, end = best.start, best.end
    sentences = split_sentences(doc.text, max(0, start - NEIGHBOUR_WINDOW), min(len(doc.text), end + NEIGHBOUR_WINDOW))
    idx = next((i for i, (s, _) in enumerate(sentences) if s == start), None)
    if idx is None:
        return start, end
    has_fig = bool(extract_figures(best.text))
    short = units(best.text) < spec.merge_below_units
    if (wants_figure and not has_fig) or short:
        for j in (idx + 1, idx - 1):
            if 0 <= j < len(sentences):
                s, e = sentences[j]
                if extract_figures(doc.text[s:e]) or short:
                    start, end = min(start, s), max(end, e)
                    break
    return start, end


def quotable(candidates: Iterable[Candidate], threshold: float, floor: float) -> list[Candidate]:
    """The candidates an answer may quote, best first: none when the best scores below `threshold`,
    else those scoring at least `floor` times the best. `compose` quotes the first `max_quotes` of
    them that do not overlap a quote already taken; the abstain step (ask/abstain.py) reads the
    first `max_quotes`."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    if not ranked or ranked[0].score < threshold:
        return []
    return list(takewhile(lambda c: c.score >= ranked[0].score * floor, ranked))


def compose(
    question: str,
    analysis,
    index: Index,
    hits: list[Hit],
    candidates: list[Candidate],
    region_names=None,
    max_quotes: Optional[int] = None,
    notes: Optional[list[str]] = None,
    spec: ScoringSpec = SPEC,
) -> Answer:
    """The answer from the best-scoring candidates, or a decline when the best is below the threshold."""
    notes = list(notes or [])
    max_quotes = spec.max_quotes if max_quotes is None else max_quotes
    ranked = quotable(candidates, spec.answer_threshold, spec.quote_floor)
    if not ranked:
        return declined(question, index, hits, NO_CLOSE_SENTENCE, notes, region_names)

    q_script = script_of(question)
    quotes: list[Quote] = []
    used: list[tuple[str, int, int]] = []
    wants_figure = bool(getattr(analysis, "wants_figure", False))
    if wants_figure and getattr(analysis, "answer_kind", "") in ("count", "amount") and asks_subject(analysis):
        # "how many"/"how much" of a planning subject is answered by a sentence holding a figure (in
        # digits or words): of the quotable ones those come first, a figureless one only after them.
        # (Not for a question naming no subject of the vocabulary, as questions on stories do:
        # there a figure in words the extractor misses is common -- DRCD's report half lost by it.)
        ranked = [c for c in ranked if not (c.flags or {}).get("no_fig")] + \
                 [c for c in ranked if (c.flags or {}).get("no_fig")]
    for c in ranked:
        if len(quotes) >= max_quotes:
            break
        s, e = _merge_neighbours(index, c, wants_figure, spec)
        if any(d == c.doc_id and s < ue and us < e for d, us, ue in used):
            continue
        used.append((c.doc_id, s, e))
        doc = index.document(c.doc_id)
        text = doc.text[s:e]
        figures = extract_figures(text, ref_year=doc_year(reading_date(doc)))
        facts = label_figures(index, c.doc_id, s, e, figures)  # kind and period as read at ingest
        if not quotes:
            best_facts, best_doc = facts, doc
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
                rendering=render(figures, text, analysis, q_script, spec.metric_window) if script_of(text) != q_script else "",
                file_start=file_start, file_end=file_end, file_unit=file_unit,
            )
        )
    best = quotes[0]
    note = _fact_note(question, analysis, best, best_facts, best_doc, region_names, spec)
    if note:
        notes.insert(0, note)
    summary = best.text
    if best.rendering:
        summary = f"{best.rendering} — {best.text}"
    cite = best.source.title + (f", {best.source.date}" if best.source.date else "")
    return Answer(question, True, f"{summary} ({cite})", quotes, [], notes)


def _fact_note(question: str, analysis, best: Quote, facts: dict, doc, region_names, spec: ScoringSpec) -> Optional[str]:
    """When the best quote's answer figure is of another year, region or kind than asked."""
    asked = {t.id for t in (getattr(analysis, "metric_terms", []) or [])}
    years = period_years(analysis, reading_date(doc))
    # the answer figure as scoring took it: the asked year's, by the facts
    within = (lambda f: fact_within(facts.get(best.start + f.start), years)) if years else None
    _, fig = answer_figure(best.text, best.figures, asked, spec.metric_window, within=within)
    fig = fig or next((f for f in best.figures if best.start + f.start in facts), None)
    fact = facts.get(best.start + fig.start) if fig else None
    name = region_names or (lambda rid: rid)
    return mismatch_note(analysis, question, fact, best.source.title, wanted_kind(analysis, reading_date(doc)), load_gazetteer(), name)


def render(figures: list[Figure], quote_text: str, analysis, target_script: str, metric_window: int = SPEC.metric_window) -> str:
    """The metric and figures of a quote in the question's language, from the vocabulary and
    the figure normaliser only (never a free translation of the sentence).

    Each figure is labelled with the indicator named just before it, so that in
    "生产总值6.36万亿元…社会消费品零售总额2.76万亿元" retail sales get 2.76, not 6.36 trillion."""
    if not figures:
        return ""
    vocab = load_vocab()
    found = vocab.matches(quote_text)
    # a ratio named by its parts (研发经费支出相当于生产总值的比例) labels its figure, not its base
    indicators = sorted([m for m in found if m.term.category == "indicator"]
                        + ratio_spans(quote_text, found, set(vocab.ratios)), key=lambda m: m.end)
    groups: list[tuple[Optional[str], list[Figure]]] = []
    for f in figures:
        before = [m for m in indicators if m.end <= f.start]
        # a label may sit a little further from its figure than the answer figure may
        term = before[-1].term.id if before and f.start - before[-1].end <= metric_window * 2 else None
        if groups and groups[-1][0] == term:
            groups[-1][1].append(f)
        else:
            groups.append((term, [f]))
    asked = {t.id for t in (getattr(analysis, "metric_terms", []) or [])}
    chosen = [g for g in groups if g[0] in asked] or groups[:3]

    def name(term_id: Optional[str]) -> str:
        if term_id is None:
            return ""
        return vocab.english_name(term_id) if target_script == "en" else vocab.chinese_name(term_id)

    def figs(fs: list[Figure]) -> str:
        return ", ".join(((f.english if target_script == "en" else f.chinese) or f.text) for f in fs[:3])

    return "; ".join(f"{name(t)}: {figs(fs)}" if t else figs(fs) for t, fs in chosen[:3])
