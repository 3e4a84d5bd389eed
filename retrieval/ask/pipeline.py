"""The ask pipeline: named stages over one context object.

    analyse -> guards -> retrieve -> candidates -> score -> compose

Each stage is a function `stage(ctx) -> None` that reads what earlier stages left on the
`AskContext` and adds its own part, so each can be run, tested and timed alone
(`run(ctx, until="retrieve")`). A guard returns `Decline(reason)` when the corpus cannot
answer; the reason reaches the user as `Answer.declined_because`. `Engine.ask` builds the
context (index, encoder, gazetteer) under its lock and calls `run`.
"""
from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from retrieval.ask.bridge import Groups, bridged_query, question_bridge
from retrieval.ask.candidates import Candidate, candidate_sentences
from retrieval.ask.abstain import (amount_not_stated, asks_indicator, figure_not_stated, indicator_not_named, quoted,
                                   unit_not_stated, year_not_held)
from retrieval.ask.compose import NO_CLOSE_SENTENCE, NOT_FOUND, compose, declined
from retrieval.ask.evidence import mentions_subjects, period_years, subjects_checkable
from retrieval.ask.places import read_places
from retrieval.ask.reports import asked_reports, held_report_years, not_held_reason, report_year, title_kind
from retrieval.ask.names import (Names, Place, asked_places, form_in_corpus, named_subjects, place_positions,
                                 question_names, unknown_names, unknown_words, zh_subject_forms, zh_subject_names)
from retrieval.knowledge.vocab import load_vocab
from retrieval.text.chunking import split_sentences
from retrieval.ask.meaning import FactIndicator, asked_by_meaning, fact_strengths, name_vectors, quantity_words
from retrieval.ask.query import QueryAnalysis, add_meaning, analyse as analyse_question
from retrieval.ask.question import validate_k, validate_question
from retrieval.errors import BadInput
from retrieval.ask.scoring import score_sentences
from retrieval.ask.spec import SPEC, ScoringSpec
from retrieval.ask.search import Hit, focused_hits, hybrid_search, query_tokens
from retrieval.facts.model import region_among
from retrieval.facts.profile import reading_date
from retrieval.knowledge.regions import MIN_MAIN_MENTIONS, Gazetteer
from retrieval.store.index import Index
from retrieval.text.dates import report_years
from retrieval.text.fold import fold
from retrieval.text.script import CJK_RE, script_of
from retrieval.text.tokens import year_tokens
from retrieval.types import Answer

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Decline:
    """Why the corpus cannot answer, in words for the user ("Nothing in the indexed sources mentions Tokyo.")."""

    reason: str


@dataclass
class AskContext:
    """One question on its way through the pipeline. The first block is the request and the
    engine's resources; each later block is filled by the stage named in its comment."""

    question: str
    index: Index
    gazetteer: Gazetteer
    encode: Callable[..., np.ndarray]  # encode(texts, kind="query"|"passage") -> unit vectors
    region_name: Callable[[str], str] = str
    k: int = 5
    region: Optional[str] = None  # restrict to this region (a name, resolved by the gazetteer)
    context: Optional[str] = None  # the previous question of a thread
    mode: str = "hybrid"
    max_quotes: Optional[int] = None
    depth: int = SPEC.retrieval_depth
    spec: ScoringSpec = SPEC
    # analyse
    analysis: Optional[QueryAnalysis] = None
    q_script: str = "en"
    query_text: str = ""
    query_vec: Optional[np.ndarray] = None
    weights: dict[str, float] = field(default_factory=dict)
    region_ids: list[str] = field(default_factory=list)
    asked_names: Names = field(default_factory=list)
    place_decline: Optional["Decline"] = None  # an ambiguous place name no covered place settles
    places: list[Place] = field(default_factory=list)  # places outside China's gazetteer it names
    nearest: tuple = ()  # the indicators nearest the question by meaning, under the threshold
    # guards
    mask: Optional[np.ndarray] = None  # chunks the answer may come from (None: all)
    mentions: Optional[Callable[[str], bool]] = None  # set when no document is about the region
    decline: Optional[Decline] = None
    notes: list[str] = field(default_factory=list)
    # retrieve
    hits: list[Hit] = field(default_factory=list)
    pool: list[Hit] = field(default_factory=list)
    # candidates
    candidates: list[Candidate] = field(default_factory=list)
    # score
    subjects: list[tuple[str, ...]] = field(default_factory=list)
    # compose
    answer: Optional[Answer] = None
    _groups: Optional[Groups] = None

    def bridge_groups(self) -> Groups:
        """The question's dictionary translations: asked for at most twice, maybe never (the
        dictionary takes a second to load), so computed on first use."""
        if self._groups is None:
            self._groups = question_bridge(self.question, self.analysis)
        return self._groups

    def region_names(self) -> str:
        return ", ".join(self.region_name(r) for r in self.region_ids)


# -- analyse -------------------------------------------------------------------------------------
def analyse(ctx: AskContext) -> None:
    """Validate the request; read regions, period, metric and kind from the question (a thread
    follow-up inherits what it leaves out); encode it; weigh its lexical tokens."""
    ctx.question = validate_question(ctx.question)
    ctx.k = validate_k(ctx.k)
    if ctx.mode not in MODES:
        raise BadInput(f"mode must be one of {', '.join(MODES)}, not {ctx.mode!r}")
    a = analyse_question(ctx.question, gazetteer=ctx.gazetteer)
    if a.ambiguous and not ctx.region:
        # "Yichun": the place the index covers is assumed and the answer says so
        reading = read_places(a.ambiguous, ctx.index, ctx.gazetteer)
        ctx.notes += reading.notes
        ctx.place_decline = Decline(reading.decline) if reading.decline else None
        if reading.assumed:
            a = analyse_question(ctx.question, gazetteer=ctx.gazetteer, assume=tuple(reading.assumed))
    if ctx.context:
        prior = analyse_question(validate_question(ctx.context), gazetteer=ctx.gazetteer)
        if not a.regions:
            a.regions = list(prior.regions)
        if not a.metric_terms:
            a.metric_terms = list(prior.metric_terms)
            a.expansions = list(a.expansions) + list(prior.expansions)
    ctx.analysis = a
    ctx.q_script = script_of(ctx.question)
    ctx.region_ids = [ctx.gazetteer.resolve(ctx.region).id] if ctx.region else list(a.regions)
    ctx.query_text = ctx.question if not ctx.context else f"{ctx.context} {ctx.question}"
    ctx.query_vec = ctx.encode([ctx.query_text], kind="query")[0]
    # indicators asked for by meaning, not by a listed phrase (ask/meaning.py): "how much the
    # province sold abroad" is exports; the asked places and years are no part of the indicator
    meaning = asked_by_meaning(ctx.question, ctx.encode, ctx.index.model_id,
                               drop=tuple(a.region_names) + tuple(str(y) for y in a.years),
                               min_strength=ctx.spec.meaning_strength)
    add_meaning(a, meaning.strengths, meaning.subsumed, meaning.words)
    ctx.nearest = meaning.nearest
    ctx.weights = query_tokens(ctx.query_text, a.expansions, ctx.spec.expansion_weight)
    ctx.asked_names = question_names(ctx.question, a)
    ctx.places = asked_places(ctx.question, a, ctx.asked_names)


# -- guards --------------------------------------------------------------------------------------
def region_scope(ctx: AskContext) -> None:
    """The chunks of documents mainly about the asked regions (or regions inside them); only
    when no such document exists, chunks of other documents that mention them, and then a
    quote must name the region itself. A national report that names a province once is not a
    source about that province.

    A figure question whose region has no document of its own, only documents about places
    inside it, takes a quote that names the region and no place inside it: Taicang's GDP, in
    an article about Taicang that calls it "the county-level city under Suzhou", is not
    Suzhou's GDP. The name as the question wrote it counts as naming the region (a bare 新竹
    that the gazetteer cannot tell between 新竹县 and 新竹市 in a sentence)."""
    if not ctx.region_ids:
        return
    own = set(ctx.region_ids)
    wanted = scope_regions(ctx)
    mains = ctx.index.main_regions()
    gazetteer = ctx.gazetteer
    written = [fold(n) for n in ctx.analysis.region_names if len(n) >= 2]
    doc_ids = {d for d, main in mains.items() if main in wanted}
    if doc_ids:
        ctx.mask = ctx.index.positions_where(doc_ids=doc_ids)
        if not getattr(ctx.analysis, "wants_figure", False) or any(m in own for m in mains.values()):
            return
        inside = wanted - own

        def names_itself(text: str) -> bool:
            found = {rid for rid, _, _ in gazetteer.find_in_text(text)}
            return names_region(text, found, own, written) and not found & inside

        ctx.mentions = names_itself
        return
    ctx.mask = ctx.index.positions_where(chunk_regions=wanted)
    # chunks with the name as written, which tagging leaves alone when it is ambiguous there
    # (臺灣新竹: 新竹县 or 新竹市)
    written_zh = tuple(n for n in written if CJK_RE.search(n))
    if written_zh:
        ctx.mask = ctx.mask | place_positions(Place("", written_zh), ctx.index)
    ctx.mentions = lambda text: bool({rid for rid, _, _ in gazetteer.find_in_text(text)} & wanted
                                     or any(w in fold(text) for w in written))


_MAX_PLACE_CHUNKS = 400  # chunks read for the passing-mention check (a country named all over)
# A document is about a place when the sentences naming it are this share of its text: the
# share of mentions gazetteer.tag asks of a Chinese document's main region (set by hand).
PLACE_SUBJECT_SHARE = 0.3


def _about(index: Index, doc_id: str, naming: set[str]) -> bool:
    """Whether a document's sentences naming a place make it a document about that place (a
    passage on the Scottish Parliament), not a passing mention (日本 in a national report)."""
    return len(naming) >= MIN_MAIN_MENTIONS and sum(map(len, naming)) >= PLACE_SUBJECT_SHARE * len(index.document(doc_id).text)


def place_only_in_passing(ctx: AskContext) -> Optional[Decline]:
    """A place outside China that no source is about, asked for an indicator none of its
    mentions comes near (Tokyo's GDP, where the corpus names 东京 once, in 东京奥运会): a
    mention is no source on the figure. A place that a document is about (`_about`) is left to
    the answer's scoring: the document may give the figure in a sentence that does not repeat
    the name ("…the vote was 51.6% in favour…")."""
    terms = {t.id: t for t in ctx.analysis.metric_terms if t.category == "indicator"}
    if not ctx.places or ctx.region_ids or not terms:
        return None
    mask = np.zeros(len(ctx.index), dtype=bool)
    for place in ctx.places:
        mask |= place_positions(place, ctx.index)
    vocab = load_vocab()
    naming: dict[str, set[str]] = {}  # document -> its sentences that name the place
    near_indicator = False
    for chunk in ctx.index.chunks_at(np.flatnonzero(mask)[:_MAX_PLACE_CHUNKS].tolist()):
        sentences = [chunk.text[a:b] for a, b in split_sentences(chunk.text)]
        for i, sentence in enumerate(sentences):
            if not any(p.named_in(sentence) for p in ctx.places):
                continue
            naming.setdefault(chunk.doc_id, set()).add(sentence)
            # the figure may follow in the next sentence ("华沙…。根据1901年的人口普查，…")
            near = " ".join(sentences[max(0, i - 1):i + 2])
            near_indicator = near_indicator or any(m.term.id in terms for m in vocab.matches(near))
    if near_indicator or any(_about(ctx.index, doc_id, sentences) for doc_id, sentences in naming.items()):
        return None
    names = ", ".join(p.name for p in ctx.places)
    # the indicator in the question's own words ("GDP", 地区生产总值)
    asked = next((ctx.question[m.start:m.end] for m in vocab.matches(ctx.question) if m.term.id in terms),
                 next(iter(terms.values())).english[0])
    return Decline(f"The indexed sources mention {names} only in passing: none of them gives {names}'s {asked}."
                   if ctx.q_script == "en" else
                   f"The indexed sources mention {names} only in passing: none of them gives its {asked}.")


def no_searchable_words(ctx: AskContext) -> Optional[Decline]:
    """A question of no real words ("asdkjh qwe", keyboard mash, a jumble of characters) would
    otherwise be answered from whatever sentence is nearest in vector space."""
    a = ctx.analysis
    if a.regions or a.metric_terms or a.years or a.ambiguous or ctx.places or ctx.region:
        return None
    words = unknown_words(ctx.question, ctx.index)
    if words is None and not ctx.context:
        return Decline("The question names nothing to look for, only words like “what” or “的”: "
                       "ask about a figure, a region or a plan.")
    if words:
        return Decline(f"None of the question's words ({', '.join(words[:6])}) is in the indexed sources or in "
                       "planbot's dictionaries: it may be mistyped. Ask about a figure, a region or a plan.")
    return None


def ambiguous_place(ctx: AskContext) -> Optional[Decline]:
    """A name several places carry, which neither the question nor the index settles."""
    return ctx.place_decline


def no_source_about_region(ctx: AskContext) -> Optional[Decline]:
    if ctx.region_ids and not ctx.mask.any():
        return Decline(f"No indexed source is about {ctx.region_names()}.")
    return None


def scope_regions(ctx: AskContext) -> set[str]:
    """The asked regions and every region inside them."""
    return set().union(*(ctx.gazetteer.descendants(r) for r in ctx.region_ids))


def scope_documents(ctx: AskContext) -> list:
    """The documents the search is scoped to (all of the index's without a scope)."""
    index = ctx.index
    if ctx.mask is None:
        return list(index.documents())
    return [index.document(index.table.doc_ids[i]) for i in sorted(set(index.table.doc_index[ctx.mask].tolist()))]


def uncovered_years(ctx: AskContext) -> list[int]:
    """Explicit years that no source about the region covers: neither its date (a report
    dated Y covers Y-1 and Y) nor its text mentions them."""
    years = list(ctx.analysis.years or [])
    if not ctx.region_ids or not years:
        return []
    index, mask = ctx.index, ctx.mask
    covered: set[int] = set()
    for doc in scope_documents(ctx):
        covered |= report_years(reading_date(doc))
    return [y for y in years if y not in covered
            and not (index.lexical.scores(dict.fromkeys(year_tokens(y), 1.0)) * mask).any()]


def years_not_covered(ctx: AskContext) -> Optional[Decline]:
    missing = uncovered_years(ctx)
    if missing:
        return Decline(f"The indexed sources about {ctx.region_names()} say nothing about {', '.join(map(str, missing))}.")
    return None


def report_not_held(ctx: AskContext) -> Optional[Decline]:
    """A yearly report named by its year ("the 1966 government work report") that the index,
    or its sources about the asked region, does not hold while it holds such reports of other
    years (ask/reports.py)."""
    a = ctx.analysis
    if not a.years:
        return None
    asked = asked_reports(ctx.question, load_vocab(), a.region_names)
    if not asked:
        return None
    documents = scope_documents(ctx)
    for report in asked:
        held = held_report_years(documents, report.kind)
        if held and report.year not in held:
            return Decline(not_held_reason(report, held, ctx.q_script == "en"))
    return None


def names_not_in_corpus(ctx: AskContext) -> Optional[Decline]:
    missing = unknown_names(ctx.question, ctx.analysis, ctx.index, ctx.asked_names, ctx.places)
    if missing:
        return Decline("Nothing in the indexed sources mentions " + ", ".join(missing) + ".")
    return None


GUARDS: tuple[Callable[[AskContext], Optional[Decline]], ...] = (no_searchable_words, ambiguous_place, no_source_about_region, years_not_covered,
                                                                  report_not_held, names_not_in_corpus, place_only_in_passing)


def guards(ctx: AskContext) -> None:
    """Scope the search to the asked regions, then run the guards in order; the first
    Decline stops the pipeline."""
    region_scope(ctx)
    for guard in GUARDS:
        ctx.decline = guard(ctx)
        if ctx.decline:
            return
    report_scope(ctx)


def report_scope(ctx: AskContext) -> None:
    """A yearly report named by its year that the scope holds ("the 2016 national government
    work report says …"): the search keeps to it. An article quoting "this year's government work
    report" is no source on what that report says."""
    a = ctx.analysis
    if not a.years:
        return
    asked = asked_reports(ctx.question, load_vocab(), a.region_names)
    if not asked:
        return
    ids = {d.doc_id for d in scope_documents(ctx) for r in asked
           if title_kind(d.title or "", [r.kind]) is not None and report_year(d.title, d.date) == r.year}
    if ids:
        mask = ctx.index.positions_where(doc_ids=ids)
        ctx.mask = mask if ctx.mask is None else mask & ctx.mask
        # the year names the report, not the figure's time: "the year before" in it is read
        # against the report's date, and no year at all leaves the figure's time open
        named = {r.year for r in asked}
        a.years = [y for y in a.years if y not in named]


# -- retrieve ------------------------------------------------------------------------------------
def mostly_other_script(index: Index, q_script: str) -> bool:
    """True when most of the corpus is in the other script than the question: then the
    dense (cross-lingual) side leads the fusion."""
    zh = index.zh_share()
    return zh > 0.5 if q_script == "en" else zh < 0.5


def retrieve(ctx: AskContext) -> None:
    """Ranked chunks (weighted RRF of dense and lexical search), plus the chunks that best
    match the asked metric on its own."""
    spec = ctx.spec
    fuse, tokens = spec.same_lang_fusion, ctx.weights
    if mostly_other_script(ctx.index, ctx.q_script):
        # Most sources are in the other language: dense evidence leads, and the question's
        # dictionary translations join the lexical query. Where the question's own
        # language holds half the corpus or more, its own words find better-answering
        # sources (mixed XQuAD, 618: quote hit 0.730 without translations, 0.704 with).
        fuse, tokens = spec.cross_lang_fusion, bridged_query(ctx.weights, ctx.bridge_groups(), spec.bridge_query_weight)
    ctx.hits = hybrid_search(ctx.index, ctx.query_vec, tokens, k=max(ctx.k, ctx.depth), mask=ctx.mask, mode=ctx.mode,
                             weights=fuse, query_script=ctx.q_script, rrf_k=spec.rrf_k)
    ctx.pool = ctx.hits[: max(ctx.k, spec.candidate_pool)]
    if ctx.mode != "dense":
        ctx.pool = ctx.pool + focused_hits(ctx.index, ctx.analysis, ctx.mask, {h.position for h in ctx.pool},
                                           k=spec.focused_hits, year_weight=spec.focused_year_weight)
        ctx.pool = ctx.pool + fact_hits(ctx, {h.position for h in ctx.pool})
        dated = _dated_mask(ctx)
        if dated is not None:
            # A report states its year's targets and last year's results as 今年/去年, without the
            # year: the asked metric searched again within the sources dated to cover the asked year
            ctx.pool = ctx.pool + focused_hits(ctx.index, ctx.analysis, dated, {h.position for h in ctx.pool},
                                               k=spec.focused_hits, year_weight=spec.focused_year_weight)


def fact_hits(ctx: AskContext, exclude: set[int]) -> list[Hit]:
    """For a figure question about a place that names no listed indicator: the chunks holding the
    scope's figures of the indicators nearest it by meaning (under the threshold, so not asked:
    power "sold to other provinces" is near 外送电量). A long
    report sentence listing a dozen indicators rarely ranks on the question's everyday words."""
    a = ctx.analysis
    if not ctx.nearest or not getattr(a, "wants_figure", False) or not ctx.region_ids or not hasattr(ctx.index, "facts") \
            or any(t.category == "indicator" for t in (a.metric_terms or [])):
        return []
    scope = scope_regions(ctx)
    rank = {t: i for i, t in enumerate(ctx.nearest)}
    found = sorted((f for f in ctx.index.facts(region_ids=scope) if f.indicator_id in rank),
                   key=lambda f: (rank[f.indicator_id], f.doc_id, f.start))
    out: list[Hit] = []
    by_doc: dict[str, list] = {}
    for f in found:
        if f.doc_id not in by_doc:
            mask = ctx.index.positions_where(doc_ids={f.doc_id})
            if ctx.mask is not None:
                mask = mask & ctx.mask
            positions = [int(p) for p in np.flatnonzero(mask)]
            by_doc[f.doc_id] = list(zip(positions, ctx.index.chunks_at(positions)))
        hit = next(((p, c) for p, c in by_doc[f.doc_id] if c.start <= f.start < c.end and p not in exclude), None)
        if hit is not None:
            exclude.add(hit[0])
            out.append(Hit(hit[0], hit[1], 0.0, 0.0, 0.0, {"fact": len(out)}))
        if len(out) >= ctx.spec.focused_hits:
            break
    return out


_DOC_DATES: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()


def _doc_dates(index: Index) -> dict[str, str]:
    """doc_id -> date, read once per index generation or store (both backends answer alike)."""
    if index not in _DOC_DATES:
        _DOC_DATES[index] = {d.doc_id: reading_date(d) for d in index.documents()}
    return _DOC_DATES[index]


def _dated_mask(ctx: AskContext) -> Optional[np.ndarray]:
    """The chunks (within the scope) of sources whose date covers an explicit asked year, when
    the question names a metric and a year and some but not all sources are so dated."""
    years = set(ctx.analysis.years or [])
    if not years or not ctx.analysis.metric_terms:
        return None
    dated = {d for d, date in _doc_dates(ctx.index).items() if report_years(date) & years}
    if not dated:
        return None
    mask = ctx.index.positions_where(doc_ids=dated)
    if ctx.mask is not None:
        mask &= ctx.mask
    if not mask.any() or (ctx.mask is not None and mask.sum() == ctx.mask.sum()) or mask.all():
        return None
    return mask


# -- candidates ----------------------------------------------------------------------------------
def candidates(ctx: AskContext) -> None:
    """The sentences of the pooled chunks."""
    ctx.candidates = candidate_sentences(ctx.index, ctx.pool, limit=ctx.spec.max_candidate_sentences)


# -- score ---------------------------------------------------------------------------------------
def _bridge(ctx: AskContext) -> tuple[Optional[Groups], Optional[dict[str, float]]]:
    """The question's translations and their IDFs, when some candidate sentence is in the
    other language (see coverage.bridged_coverage)."""
    if all(script_of(c.text) == ctx.q_script for c in ctx.candidates):
        return None, None
    groups = ctx.bridge_groups()
    keys = {w for group in groups.values() for key in group for w in key.split()}
    return groups, ctx.index.lexical.idf(keys)


def score(ctx: AskContext) -> None:
    """Score every candidate sentence against the question (scoring.score_sentences)."""
    if not ctx.candidates:
        return
    index = ctx.index
    vecs = ctx.encode([c.text for c in ctx.candidates], kind="passage")
    idf = index.lexical.idf(ctx.weights)
    dates = {c.doc_id: reading_date(index.document(c.doc_id)) for c in ctx.candidates}
    bridge, bridge_idf = _bridge(ctx)
    ctx.subjects = named_subjects(ctx.asked_names)
    subject_docs = None
    if ctx.subjects:
        texts = {d: index.document(d).text for d in dates}
        subject_docs = {d: mentions_subjects(t, fold(t), ctx.subjects) for d, t in texts.items()}
        if not any(subject_docs.values()):
            ctx.notes.append(f"None of the closest sources mentions {', '.join(n for n, _ in ctx.asked_names)}.")
    facts = _candidate_facts(ctx, set(dates))
    score_sentences(ctx.candidates, vecs, ctx.query_vec, ctx.weights, idf, ctx.analysis, dates, ctx.mentions,
                    bridge, bridge_idf, subjects=ctx.subjects, subject_docs=subject_docs, spec=ctx.spec,
                    elsewhere=_figure_elsewhere(ctx, facts), names_asked=_names_asked(ctx),
                    facts=facts if _asks_period(ctx) else None,
                    quantity=_quantity(ctx, facts, set(dates)))


def _quantity(ctx: AskContext, facts: Optional[dict], doc_ids: set[str]) -> Optional[dict]:
    """For a figure question: (doc_id, start, end) of each candidate sentence's figure facts ->
    how near the fact's indicator is to the asked kind of quantity (ask/meaning.py fact_strengths)."""
    if not getattr(ctx.analysis, "wants_figure", False) or not hasattr(ctx.index, "facts"):
        return None
    a = ctx.analysis
    if not a.region_names and not ctx.region:
        # with the asked place taken out, the rest says what quantity is asked; without one it
        # names the subject too, and a figure's clause naming the subject is near for the subject's
        # sake (克什米尔马鹿以2-18头的群族…, where the asked count is another clause's)
        return None
    if any(t.category == "indicator" for t in (a.metric_terms or [])):
        # a listed indicator is asked: its own names decide, and a figure of a merely similar
        # quantity (R&D spending for R&D intensity, jobs for income) must not stand in for it
        return None
    words = quantity_words(ctx.question, tuple(a.region_names) + tuple(str(y) for y in a.years))
    if not words:
        return None
    if facts is None:
        facts = {(f.doc_id, f.start): f for f in ctx.index.facts(doc_ids=doc_ids)}
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in sorted(ctx.candidates, key=lambda c: c.start):
        spans.setdefault(c.doc_id, []).append((c.start, c.start + len(c.text)))
    starts = {d: [a0 for a0, _ in v] for d, v in spans.items()}

    def in_candidate(doc_id: str, start: int) -> bool:
        i = bisect.bisect_right(starts.get(doc_id, ()), start) - 1
        return i >= 0 and start < spans[doc_id][i][1]
    inside = [f for (doc_id, start), f in facts.items() if doc_id in spans and in_candidate(doc_id, start)]
    if not inside:
        return None
    strengths = fact_strengths(words, ctx.encode, name_vectors(ctx.encode, ctx.index.model_id),
                               [FactIndicator((f.doc_id, f.start, f.end), f.indicator_id, f.indicator_text) for f in inside],
                               dict(ctx.spec.fact_meaning_floor))
    return strengths or None


def _candidate_facts(ctx: AskContext, doc_ids: set[str]) -> Optional[dict]:
    """(doc_id, start) -> the figure facts of the candidates' documents, read at ingest (kind,
    period, region), when the question asks about a period or a region's figure."""
    wanted = _asks_period(ctx) or (ctx.region_ids and getattr(ctx.analysis, "wants_figure", False))
    if not wanted or not hasattr(ctx.index, "facts"):
        return None
    return {(f.doc_id, f.start): f for f in ctx.index.facts(doc_ids=doc_ids)}


def _asks_period(ctx: AskContext) -> bool:
    a = ctx.analysis
    return bool(a.years or a.relative or a.five_year_plan)


def _figure_elsewhere(ctx: AskContext, facts: Optional[dict]) -> Optional[Callable[[str, int], bool]]:
    """For a figure question about regions: whether the figure at (doc_id, offset) is, by its fact
    (read at ingest, retrieval/facts/place.py), not theirs: a place's inside them, several other
    places' together, or another region's (scoring.score_sentences). A figure they hold with
    others (Ganzhou's with Jiujiang) is partly theirs: the answer's note says whose it is."""
    if not ctx.region_ids or not getattr(ctx.analysis, "wants_figure", False) or facts is None:
        return None
    own = set(ctx.region_ids)

    def elsewhere(doc_id: str, offset: int) -> bool:
        fact = facts.get((doc_id, offset))
        return fact is not None and not region_among(fact.region_id, own)
    return elsewhere


def names_region(text: str, found: set[str], own: set[str], written: list[str]) -> bool:
    """Whether `text` names one of the regions `own`: among the gazetteer's finds in it (`found`),
    or as the question wrote the name (folded, `written`: a bare 新竹 the gazetteer cannot settle)."""
    return bool(found & own) or any(w in fold(text) for w in written)


def _names_asked(ctx: AskContext) -> Optional[Callable[[str], bool]]:
    """Whether a text names an asked region itself (scoring: a sentence whose figures are all
    another place's, naming none asked)."""
    if not ctx.region_ids:
        return None
    own, gazetteer = set(ctx.region_ids), ctx.gazetteer
    written = [fold(n) for n in ctx.analysis.region_names if len(n) >= 2]

    def names_asked(text: str) -> bool:
        return names_region(text, {rid for rid, _, _ in gazetteer.find_in_text(text)}, own, written)
    return names_asked


# -- compose -------------------------------------------------------------------------------------
def compose_answer(ctx: AskContext) -> None:
    """Quotes from the best sentences, or a decline below the threshold; a note when a quote's
    subject cannot be checked in its language."""
    ans = compose(ctx.question, ctx.analysis, ctx.index, ctx.hits[: ctx.k], ctx.candidates, ctx.region_name,
                  max_quotes=ctx.max_quotes, notes=ctx.notes, spec=ctx.spec)
    if ans.answered:
        reason = _not_held(ctx) or subject_not_quoted(ctx, ans) or thing_not_quoted(ctx, ans)
        if reason:
            # the quotes stay, as context: what the sources say instead (a declined answer's
            # quotes are never an answer; the surfaces label them so)
            ans.answered, ans.declined_because, ans.answer = False, reason, NOT_FOUND
            ans.nearest = list({q.source.doc_id: q.source for q in ans.quotes}.values())
    elif ans.declined_because == NO_CLOSE_SENTENCE:
        # below the threshold because the best sentences are of other years: say which years are held
        reason = _not_held(ctx, threshold=0.0, figure=False) or indicator_not_named(
            ctx.analysis, ctx.candidates, ctx.region_names(), ctx.q_script == "en", load_vocab())
        if reason:
            ans.declined_because = reason
    if ans.answered and ctx.subjects:
        unchecked = [name for (name, _), forms in zip(ctx.asked_names, ctx.subjects)
                     if any(not subjects_checkable(qt.text, [forms]) for qt in ans.quotes)]
        if unchecked:
            # Measured on XQuAD: marking such sentences down loses as many right answers
            # as wrong ones, so the user is told instead.
            ans.notes.append(f"No {'Chinese' if ctx.q_script == 'en' else 'English'} name is known for "
                             f"{', '.join(unchecked)}: check that the quotes are about it.")
    ctx.answer = ans


def asked_subjects(ctx: AskContext) -> list[tuple[str, tuple[str, ...]]]:
    """(name as written, the forms a source would name it by) of each company, organisation,
    brand or other named subject the question asks about: its capitalised names (English forms
    and dictionary translations, ask/names.py named_subjects) and the proper nouns of a Chinese
    question (its Simplified form, which is how `fold` writes a source, and its dictionary
    English names)."""
    english = [(name, forms) for (name, _), forms in zip(ctx.asked_names, named_subjects(ctx.asked_names))]
    chinese = [(w, zh_subject_forms(w)) for w in zh_subject_names(ctx.question, ctx.analysis)] if CJK_RE.search(ctx.question) else []
    return english + chinese


# how far back before a quote its lead-in is read for the subject's name ("华为…。全年营业收入…")
_LEAD_CHARS = 400


def quote_with_lead(text: str, start: int, end: int) -> str:
    """A quote and the sentence before it in its document: a figure's sentence may name its
    subject in the sentence before ("The company opened a plant. Its revenue reached…")."""
    before = text[max(0, start - _LEAD_CHARS):start]
    spans = split_sentences(before)
    lead = before[spans[-1][0]:spans[-1][1]] if spans else ""
    return f"{lead} {text[start:end]}"


def subject_not_quoted(ctx: AskContext, ans: Answer) -> Optional[str]:
    """Why an answer is none, when the question asks for a named subject's figure (a company's
    revenue) and no quoted sentence, nor the sentence before it or its document's title, mentions
    the subject in a form of its script: the figures are some other subject's (a district's revenue), even in a source
    that names the subject elsewhere (a project list). A sentence in whose script the name has
    no known form is not held against the answer. Only for a question asking for an indicator's
    figure (listed or by meaning), which the answer would credit to the subject: elsewhere a
    name is often one the source words otherwise (二戰 for 第二次世界大战, on DRCD's tune half)."""
    if not (asks_indicator(ctx.analysis) or getattr(ctx.analysis, "meant", None)):
        return None
    subjects = asked_subjects(ctx)
    if not subjects or not ans.quotes:
        return None
    # a document whose title names the subject is by or about it (国务院 of 1992年国务院政府工作报告)
    texts = [f"{q.source.title} {quote_with_lead(ctx.index.document(q.source.doc_id).text, q.start, q.end)}"
             for q in ans.quotes]
    texts = [(t, fold(t)) for t in texts]
    for name, forms in subjects:
        if any(mentions_subjects(t, f, [forms]) for t, f in texts):
            continue
        known = any(form_in_corpus(f, ctx.index) for f in forms)
        if ctx.q_script == "en":
            return (f"None of the closest sources mentions {name} with the figure, so their figures are not {name}'s."
                    if known else f"Nothing in the indexed sources mentions {name}.")
        return (f"最接近的来源都没有在数字旁提到{name}，其中的数字不是它的。" if known
                else f"已索引的来源都没有提到{name}。")
    return None


def thing_not_quoted(ctx: AskContext, ans: Answer) -> Optional[str]:
    """Why an answer is none, when the question asks the quantity made of a thing (去年产了多少吨粗钢,
    "How much tea did … produce") and no quote, nor the sentence before it, names that thing: their
    tonnes are some other thing's (ships' deadweight, phosphate rock). A thing the vocabulary knows
    is looked for by its names (an industry or product term: tea, 茶叶); one it does not, as the
    Chinese question writes it. An indicator asked for is checked in scoring instead."""
    a = ctx.analysis
    if not getattr(a, "output_asked", False) or not ans.quotes:
        return None
    vocab = load_vocab()
    thing = getattr(a, "made_thing", "")
    known = [t for t in getattr(a, "metric_terms", []) or [] if t.category not in ("indicator", "general")]
    if any(t.category == "indicator" for t in getattr(a, "metric_terms", []) or []) or not (known or thing):
        return None
    if thing and vocab.find_terms(thing) and not known:
        return None
    texts = [quote_with_lead(ctx.index.document(q.source.doc_id).text, q.start, q.end) for q in ans.quotes]
    for text in texts:
        if known and {m.term.id for m in vocab.matches(text)} & {t.id for t in known}:
            return None
        if not known and fold(thing) in fold(text):
            return None
    english = ctx.q_script == "en"
    name = (known[0].english[0] if english else known[0].zh[0]) if known else thing
    return f"None of the closest sources gives the output of {name}." if english else f"最接近的来源都没有提到{name}的产量。"


def _not_held(ctx: AskContext, threshold: Optional[float] = None, figure: bool = True) -> Optional[str]:
    """Why the best sentences are no answer to a figure question (ask/abstain.py), or None.
    `threshold` 0 reads, for a question declined for scoring too low, the best sentence that
    gives the asked indicator's figure."""
    spec = ctx.spec
    ranked = sorted(ctx.candidates, key=lambda c: -c.score)
    if threshold is not None:
        # declined for scoring too low: the best sentence giving the asked indicator's figure
        ranked = [c for c in ranked if (c.flags or {}).get("answer_fig")][:1]
    shown = quoted(ranked, spec.answer_threshold if threshold is None else threshold, spec.quote_floor,
                   ctx.max_quotes or spec.max_quotes)
    english = ctx.q_script == "en"
    vocab = load_vocab()
    reason = (figure_not_stated(ctx.analysis, shown, english, vocab)
              or unit_not_stated(ctx.analysis, ctx.question, shown, english, vocab)
              or amount_not_stated(ctx.analysis, shown, english)) if figure else None
    if reason or not (shown and (shown[0].flags or {}).get("period_clash")) or not hasattr(ctx.index, "facts"):
        return reason
    scope = scope_regions(ctx) if ctx.region_ids else None
    # a relative year ("last year", 前年) is read against the best quote's source, as scoring read it
    asked = sorted(period_years(ctx.analysis, reading_date(ctx.index.document(shown[0].doc_id))))
    return year_not_held(ctx.analysis, ctx.question, shown, ctx.index.facts(region_ids=scope), scope, english, vocab,
                         years=asked)


def decline_answer(ctx: AskContext) -> None:
    """The answer to a declined question: the reason, and the closest sources in the whole index."""
    ctx.hits = hybrid_search(ctx.index, ctx.query_vec, ctx.weights, k=ctx.spec.declined_hits, mode=ctx.mode,
                             rrf_k=ctx.spec.rrf_k)
    ctx.answer = declined(ctx.question, ctx.index, ctx.hits, ctx.decline.reason, ctx.notes, ctx.region_name)


STAGES: tuple[tuple[str, Callable[[AskContext], None]], ...] = (
    ("analyse", analyse),
    ("guards", guards),
    ("retrieve", retrieve),
    ("candidates", candidates),
    ("score", score),
    ("compose", compose_answer),
)


def run(ctx: AskContext, until: Optional[str] = None,
        timer: Optional[Callable[[str, Callable[[AskContext], None], AskContext], None]] = None) -> AskContext:
    """Run the stages in order (up to and including `until`); a Decline from the guards skips
    to its answer. `timer(name, stage, ctx)`, when given, runs each stage (to time it)."""
    for name, stage in STAGES:
        if ctx.decline is not None:
            (timer or _call)("decline", decline_answer, ctx)
            break
        (timer or _call)(name, stage, ctx)
        if name == until:
            break
    return ctx


def _call(_name: str, stage: Callable[[AskContext], None], ctx: AskContext) -> None:
    stage(ctx)
