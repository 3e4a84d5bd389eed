"""The one library API that the CLI and the Slack bot both call.

An Engine loads the encoder and the index once; `ask()` answers a question,
`region()`/`regions()` summarise places, `reload_if_changed()` picks up a new index
generation written by `planbot ingest` without a restart.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

import retrieval.ask.answer as answer_mod
from retrieval.errors import BadQuestion, PlanbotError, UnknownRegion
from retrieval.store.index import Index, read_manifest
from retrieval.ask.search import CROSS_LANG_WEIGHTS, SAME_LANG_WEIGHTS, focused_hits, hybrid_search, query_tokens
from retrieval.text.chinese import to_simplified
from retrieval.text.clean import clean_question
from retrieval.text.dates import report_years
from retrieval.text.fold import fold
from retrieval.text.script import CJK_RE, script_of
from retrieval.text.segment import cut, pos_tags
from retrieval.text.stopwords import EN_STOP, ZH_STOP
from retrieval.text.tokens import tokenize
from retrieval.types import Answer

MAX_QUESTION_CHARS = 1000


def validate_question(question: str | None) -> str:
    """A clean question, or BadQuestion with a message a user can act on."""
    q = clean_question(question or "")
    if not q:
        raise BadQuestion("the question is empty: ask about a figure, a region or a plan, e.g. \"What was Jiangsu's GDP growth in 2024?\"")
    if len(q) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"the question is {len(q):,} characters long; keep it under {MAX_QUESTION_CHARS:,} characters")
    if not any(ch.isalnum() for ch in q):
        raise BadQuestion("the question has no words in it, only punctuation or symbols")
    letters = [ch for ch in q if ch.isalpha()]
    if letters and not CJK_RE.search(q) and not any("LATIN" in unicodedata.name(ch, "") for ch in letters):
        script = unicodedata.name(letters[0], "UNKNOWN").split()[0].title()
        raise BadQuestion(f"planbot answers questions in English or Chinese; this one is written in {script} script")
    return q


_NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")


BRIDGE_QUERY_WEIGHT = 0.3


def question_bridge(question: str, analysis) -> dict[str, tuple[str, ...]]:
    """Dictionary translations of the question's words (bilingual.bridge); region names are
    left out, the gazetteer translates them."""
    from retrieval.knowledge.bilingual import bridge

    skip = {t for name in getattr(analysis, "region_names", []) for t in tokenize(name)}
    return bridge(tokenize(question), skip)


def bridged_query(weights: dict[str, float], groups: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """The lexical query plus the question's dictionary translations (weight 0.3), for
    retrieval only: sentence scoring keeps the question's own tokens and bridges per
    sentence (counting the translations there too lowered XQuAD answers). On XQuAD with Chinese
    passages only (618 English questions) this moved recall@1 from 0.60 to 0.70 and recall@5
    from 0.91 to 0.94; the same-language sets did not move (docs/EVALUATION.md)."""
    out = dict(weights)
    for group in groups.values():
        for key in group:
            for tok in tokenize(key) if len(key) > 1 else []:
                out.setdefault(tok, BRIDGE_QUERY_WEIGHT)
    return out


def _question_names(question: str, analysis) -> list[tuple[str, list[str]]]:
    """Capitalised names in an English question other than the regions it names, with their
    content tokens. A capitalised first word is usually just the start of the sentence
    ("Roughly how many…"), unless it is possessive ("Tokyo's")."""
    known = {n.lower() for n in getattr(analysis, "region_names", [])}
    out = []
    for m in _NAME_RE.finditer(question):
        name = m.group()
        if m.start() == 0 and not question[m.end():].startswith(("'s", "’s")):
            continue
        if name.lower() in known or any(name.lower() in k for k in known):
            continue
        toks = [t for t in tokenize(name) if t not in EN_STOP and t not in _GENERIC_PLACE_WORDS]
        if toks:
            out.append((name, toks))
    return out


def unknown_names(question: str, analysis, index: Index, names: list[tuple[str, list[str]]] | None = None) -> list[str]:
    """Names in a question that no indexed text contains (e.g. "Tokyo", "首尔").

    Answering "What is Tokyo's GDP target?" from some province's report would present an
    unrelated figure as the answer; a name the corpus has never seen means the corpus
    cannot answer.
    """
    known = {n.lower() for n in getattr(analysis, "region_names", [])}
    out = []
    for name, toks in _question_names(question, analysis) if names is None else names:
        is_place = any(w in _GENERIC_PLACE_WORDS for w in name.lower().split())
        if all(index.lexical.idf([t])[t] == 0.0 for t in toks) and not _known_in_chinese(toks, index, is_place):
            out.append(name)
    if CJK_RE.search(question):
        known_zh = {to_simplified(n) for n in known}
        candidates = _zh_place_names(question)
        if not known:
            # The topic of a Chinese question comes first ("首尔今年的GDP…"); jieba does not tag
            # every foreign place as one, but a leading word the corpus has never seen is enough.
            candidates += _zh_leading_word(question)
        out += [w for w in dict.fromkeys(candidates)
                if not any(w in k or k in w for k in known_zh) and not _in_corpus(w, index)]
    return out


def named_subjects(names: list[tuple[str, list[str]]]) -> list[tuple[str, ...]]:
    """The forms of each name a question is about (from _question_names): "Tokyo" -> ("tokyo",
    "东京"); "Panthers" -> ("panther", "豹"). An answer sentence should mention it."""
    from retrieval.knowledge.bilingual import translate_name

    return [(" ".join(toks), *translate_name(toks)) for _, toks in names]


def _known_in_chinese(tokens: list[str], index: Index, is_place: bool = False) -> bool:
    """Whether a Latin-script name may still be in a Chinese corpus: its dictionary translation
    occurs there ("Tokyo" as 东京), or the dictionary does not know it and most of the corpus
    is Chinese, where a foreign name is written in characters nobody can guess. A place
    ("Qingyun New District") is the exception: Chinese places down to districts are in the
    gazetteer, which tags them at ingest, so one it does not know is not in the corpus."""
    from retrieval.knowledge.bilingual import translate_name

    words = [w for w in translate_name(tokens) if len(w) > 1]  # single characters are no BM25 tokens
    if words:
        return any(index.lexical.idf([w])[w] > 0 for w in words)
    # "Luke Kuechly": not every word of the name has a translation, so none can be checked
    return index.zh_share() > 0.5 and not is_place


def _in_corpus(word: str, index: Index) -> bool:
    """Whether any BM25 token of a Chinese word occurs in the corpus: the part-of-speech tagger
    segments names differently (潘均顺) from the indexing tokenizer (潘均 / 顺)."""
    tokens = tokenize(word) or [word]
    idf = index.lexical.idf(tokens)
    return any(idf[t] > 0 for t in tokens)


def _zh_leading_word(question: str) -> list[str]:
    from retrieval.knowledge.vocab import load_vocab

    simple = to_simplified(question)
    words = [w for w in cut(simple) if w.strip() and w not in ZH_STOP]
    if not words or len(words[0]) < 2 or not CJK_RE.match(words[0]):
        return []
    # A leading verb, pronoun, numeral, time word... is no topic ("截止2014年…", "哪一年…").
    # The tagger segments on its own (潘均顺 vs 潘均/顺), so its tag counts only for the same
    # word; and its tag for a foreign name is unreliable (首尔 comes out an adverb), so only
    # these classes are ruled out.
    tagged = next(((w, f) for w, f in pos_tags(simple) if w.strip() and w not in ZH_STOP), None)
    if tagged is not None and tagged[0] == words[0] and tagged[1][:1] in _NOT_A_TOPIC:
        return []
    return [] if load_vocab().find_terms(words[0]) else [words[0]]


_NOT_A_TOPIC = set("vrmpctuqfa")


_GENERIC_PLACE_WORDS = {"new", "district", "area", "city", "province", "county", "zone", "region", "town", "park", "high-tech"}


def _zh_place_names(question: str) -> list[str]:
    """Place names (jieba's "ns" tag) in a Chinese question, e.g. 首尔, 东京."""
    return [w for w, flag in pos_tags(to_simplified(question)) if flag == "ns" and len(w) >= 2]


class Engine:
    def __init__(self, index_dir: str | Path, model: str | None = None, encoder=None, store: str | None = None) -> None:
        from embeddings import resolve_model_id

        from retrieval.store.backends import open_store

        self.index_dir = Path(index_dir).expanduser()
        self.store = store  # None/"faiss": the index directory; a Milvus URI: retrieval/store/milvus.py
        self._lock = threading.RLock()
        wanted = resolve_model_id(model) if (model or encoder is None) else encoder.model_id
        # Open the index before loading the model: a missing index or a model mismatch
        # should fail in milliseconds, not after a model load.
        self.index = open_store(self.index_dir, store, model_id=wanted if model else None)
        if encoder is None:
            from embeddings import load_encoder

            encoder = load_encoder(model or self.index.model_id)
        from retrieval.store.index import check_model

        check_model(self.index.manifest, encoder.model_id, self.index.dir)
        self.encoder = encoder
        from embeddings.cache import VectorCache

        self.vectors = VectorCache(encoder)
        self.gazetteer = _gazetteer()

    # -- lifecycle ---------------------------------------------------------------------------
    def reload_if_changed(self) -> bool:
        """Swap in the newest committed generation; the old one keeps serving until then."""
        from retrieval.store.backends import generation, open_store

        try:
            current = generation(self.index_dir, self.store)
        except Exception:
            return False  # a broken or missing new manifest never replaces a working index
        if current is None or current == self.index.generation:
            return False
        with self._lock:
            fresh = open_store(self.index_dir, self.store, model_id=self.encoder.model_id)
            old, self.index = self.index, fresh
            old.close()
        return True

    def stats(self) -> dict:
        return self.index.stats()

    # -- questions ---------------------------------------------------------------------------
    def analyse(self, question: str):
        from retrieval.ask.query import analyse

        return analyse(question, gazetteer=self.gazetteer)

    def ask(
        self,
        question: str,
        k: int = 5,
        region: str | None = None,
        context: str | None = None,
        mode: str = "hybrid",
        max_quotes: int = answer_mod.MAX_QUOTES,
    ) -> Answer:
        return self.ask_with_hits(question, k, region, context, mode, max_quotes)[0]

    def ask_with_hits(
        self,
        question: str,
        k: int = 5,
        region: str | None = None,
        context: str | None = None,
        mode: str = "hybrid",
        max_quotes: int = answer_mod.MAX_QUOTES,
        depth: int = 10,
    ):
        """The answer and the ranked chunk hits behind it (for evaluation)."""
        q = validate_question(question)
        if not context and not region:
            routed = self.table_answer(q)
            if routed is not None:
                return routed, []
        with self._lock:
            index = self.index
            analysis = self.analyse(q)
            if context:
                # A thread follow-up ("and last year?") inherits what it leaves out.
                prior = self.analyse(validate_question(context))
                if not analysis.regions:
                    analysis.regions = list(prior.regions)
                if not analysis.metric_terms:
                    analysis.metric_terms = list(prior.metric_terms)
                    analysis.expansions = list(analysis.expansions) + list(prior.expansions)
            notes: list[str] = []
            mask = None
            mentions = None
            region_ids = list(analysis.regions)
            if region:
                region_ids = [self.gazetteer.resolve(region).id]
            query_text = q if not context else f"{context} {q}"
            qvec = self.vectors.encode([query_text], kind="query")[0]
            weights = query_tokens(query_text, analysis.expansions)

            def decline(note: str):
                notes.append(note)
                hits = hybrid_search(index, qvec, weights, k=5, mode=mode)
                return answer_mod.compose(q, analysis, index, hits, [], self.region_name, notes=notes), hits

            if region_ids:
                mask, about = self._region_mask(index, region_ids)
                names = ", ".join(self.region_name(r) for r in region_ids)
                if not mask.any():
                    return decline(f"No indexed source is about {names}.")
                if not about:
                    wanted = set().union(*(self.gazetteer.descendants(r) for r in region_ids))
                    mentions = lambda text: bool({rid for rid, _, _ in self.gazetteer.find_in_text(text)} & wanted)  # noqa: E731
                uncovered = self._uncovered_years(index, analysis, mask)
                if uncovered:
                    return decline(f"The indexed sources about {names} say nothing about {', '.join(map(str, uncovered))}.")
            asked_names = _question_names(q, analysis)
            subjects: list[tuple[str, ...]] = []
            groups = lru_cache(maxsize=1)(lambda: question_bridge(q, analysis))  # asked for at most twice, maybe never
            missing = unknown_names(q, analysis, index, asked_names)
            if missing:
                return decline("Nothing in the indexed sources mentions " + ", ".join(missing) + ".")
            fuse, search_tokens = SAME_LANG_WEIGHTS, weights
            if self._mostly_other_script(index, script_of(q)):
                # Most sources are in the other language: dense evidence leads, and the question's
                # dictionary translations join the lexical query. Where the question's own
                # language holds half the corpus or more, its own words find better-answering
                # sources (mixed XQuAD, 618: quote hit 0.730 without translations, 0.704 with).
                fuse, search_tokens = CROSS_LANG_WEIGHTS, bridged_query(weights, groups())
            hits = hybrid_search(index, qvec, search_tokens, k=max(k, depth), mask=mask, mode=mode,
                                 weights=fuse, query_script=script_of(q))
            pool = hits[: max(k, 8)]
            if mode != "dense":
                pool = pool + focused_hits(index, analysis, mask, {h.position for h in pool})
            candidates = answer_mod.candidate_sentences(index, pool)
            if candidates:
                vecs = self.vectors.encode([c.text for c in candidates], kind="passage")
                idf = index.lexical.idf(weights)
                dates = {c.doc_id: index.document(c.doc_id).date for c in candidates}
                bridge, bridge_idf = self._bridge(index, q, groups, candidates)
                subjects = named_subjects(asked_names)
                subject_docs = None
                if subjects:
                    texts = {d: index.document(d).text for d in dates}
                    subject_docs = {d: answer_mod.mentions_subjects(t, fold(t), subjects) for d, t in texts.items()}
                    if not any(subject_docs.values()):
                        notes.append(f"None of the closest sources mentions {', '.join(n for n, _ in asked_names)}.")
                answer_mod.score_sentences(candidates, vecs, qvec, weights, idf, analysis, dates, mentions, bridge, bridge_idf,
                                           subjects=subjects, subject_docs=subject_docs)
            ans = answer_mod.compose(q, analysis, index, hits[:k], candidates, self.region_name, max_quotes=max_quotes, notes=notes)
            if ans.answered and subjects:
                unchecked = [name for (name, _), forms in zip(asked_names, subjects)
                             if any(not answer_mod.subjects_checkable(qt.text, [forms]) for qt in ans.quotes)]
                if unchecked:
                    # Measured on XQuAD: marking such sentences down loses as many right answers
                    # as wrong ones, so the user is told instead.
                    ans.notes.append(f"No {'Chinese' if script_of(q) == 'en' else 'English'} name is known for "
                                     f"{', '.join(unchecked)}: check that the quotes are about it.")
            return ans, hits

    @staticmethod
    def _bridge(index: Index, question: str, groups, candidates):
        """The question's translations and their IDFs, when some candidate sentence is in the
        other language (see answer.bridged_coverage)."""
        q_script = script_of(question)
        if all(script_of(c.text) == q_script for c in candidates):
            return None, None
        keys = {w for group in groups().values() for key in group for w in key.split()}
        return groups(), index.lexical.idf(keys)

    def _uncovered_years(self, index: Index, analysis, mask: np.ndarray) -> list[int]:
        """Explicit years that no source about the region covers: neither its date (a report
        dated Y covers Y-1 and Y) nor its text mentions them."""
        years = list(getattr(analysis, "years", []) or [])
        if not years:
            return []
        covered: set[int] = set()
        for i in set(index.table.doc_index[mask].tolist()):
            date = index.document(index.table.doc_ids[i]).date
            covered |= report_years(date)
        out = []
        for y in years:
            if y in covered:
                continue
            if (index.lexical.scores({str(y): 1.0}) * mask).any():
                continue
            out.append(y)
        return out

    @staticmethod
    def _mostly_other_script(index: Index, q_script: str) -> bool:
        """True when most of the corpus is in the other script than the question: then the
        dense (cross-lingual) side leads the fusion."""
        zh = index.zh_share()
        return zh > 0.5 if q_script == "en" else zh < 0.5

    def _region_mask(self, index: Index, region_ids: list[str]) -> tuple[np.ndarray, bool]:
        """Chunks of documents mainly about the regions (or regions inside them); only when no
        such document exists, chunks of other documents that mention them. A national report
        that names a province once is not a source about that province."""
        wanted: set[str] = set()
        for rid in region_ids:
            wanted |= self.gazetteer.descendants(rid)
        doc_ids = {d for d, main in index.main_regions().items() if main in wanted}
        if doc_ids:
            return index.positions_where(doc_ids=doc_ids), True
        return index.positions_where(chunk_regions=wanted), False

    # -- regions -----------------------------------------------------------------------------
    def region_name(self, region_id: str) -> str:
        try:
            return self.gazetteer.get(region_id).name
        except Exception:
            return region_id

    def region(self, name: str) -> dict:
        from retrieval.ask.digest import region_digest

        with self._lock:
            return region_digest(self.index, self.gazetteer, name)

    def regions(self) -> list[dict]:
        from retrieval.ask.digest import regions_with_documents

        with self._lock:
            return regions_with_documents(self.index, self.gazetteer)

    # -- compare / trend (retrieval.compare) ------------------------------------------------
    def table_answer(self, question: str):
        """A table for a question that asks for one ("Which provinces target GDP growth above
        5.5%?", "长三角各省今年经济增长目标"), else None: the normal answer path goes on."""
        from retrieval.compare import Comparer
        from retrieval.compare.answer import table_answer
        from retrieval.compare.route import route

        request = route(question, self.gazetteer)
        if request is None:
            return None
        with self._lock:
            comparer = Comparer(self.index, self.gazetteer)
            try:
                make = comparer.compare if request.what == "compare" else comparer.trend
                table = make(request.indicator, **request.options())
            except PlanbotError:
                return None  # a name the comparer cannot use: the question is answered as usual
        ans = table_answer(question, table)
        return ans if ans.answered else None

    def compare(self, indicator: str, **options):
        """One indicator across regions, from the figure facts (see Comparer.compare)."""
        from retrieval.compare import Comparer

        with self._lock:
            return Comparer(self.index, self.gazetteer).compare(indicator, **options)

    def trend(self, indicator: str, **options):
        """One indicator over the years (see Comparer.trend)."""
        from retrieval.compare import Comparer

        with self._lock:
            return Comparer(self.index, self.gazetteer).trend(indicator, **options)

    def figures(self, region: str | None = None, indicator: str | None = None, period: str | None = None,
                kind: str | None = None, source: str | None = None) -> list[dict]:
        """Figure facts (retrieval/facts) filtered by region (and places inside it), indicator,
        period, kind and source, in the JSON shape `planbot figures --json` prints."""
        from retrieval.facts.query import find_facts
        from retrieval.knowledge.vocab import load_vocab

        with self._lock:
            return find_facts(self.index, self.gazetteer, load_vocab(), region, indicator, period, kind, source)


@lru_cache(maxsize=1)
def _gazetteer():
    from retrieval.knowledge.regions import load_gazetteer

    return load_gazetteer()
