"""Indicator matching by meaning: how strongly a question asks for each vocabulary indicator.

A listed phrase finds "一般公共预算收入" but not "tax and fee income of the province" or "R&D
outlay measured against output". Here every name of every indicator (English, Simplified and
Traditional variants, data/vocab.tsv) is encoded once per encoder and vocabulary and kept in the
user's cache; a question's word n-grams are encoded (a few dozen short strings, through the
engine's vector cache) and each indicator gets the best cosine between any n-gram and any of
its names. `asked_by_meaning` keeps the strong matches among the indicators the vocabulary did
not read in the question's words: those behave like a listed indicator in proportion to their
strength (ask/query.py `add_meaning`: expansions and answer kind; ask/scoring.py: the metric
signal and the missing-indicator penalty; ask/search.py: the focused search), and a weak match
(below spec.meaning_strength) does nothing.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from retrieval.ask.spec import SPEC
from retrieval.knowledge.cache import cache_file, load_or_build
from retrieval.knowledge.vocab import GENERIC_MEASURES, VOCAB_PATH, Vocab, load_vocab, tokenize_en
from retrieval.text.fold import fold_zh
from retrieval.text.script import has_cjk
from retrieval.text.segment import cut
from retrieval.text.stopwords import QUESTION_EN_STOP, QUESTION_ZH_STOP

CATEGORIES = ("indicator",)  # measures; industries (real economy, silver economy) matched "economy" too loosely on tune questions
MAX_WORDS = 6  # n-grams of up to this many words ("R&D outlay measured against total output")
MAX_NGRAMS = 48  # bounds the encoding work per question
# Cosines of unrelated short phrases under USE v3 sit around 0.3-0.5: strength is the cosine
# rescaled so that 0.5 -> 0 and 1.0 -> 1 (a fixed rescale, not fitted).
FLOOR = 0.5
# Below spec.meaning_strength (ask/spec.py: the threshold and what it was read off) a match does
# nothing; at or above it the indicator counts as asked, in proportion to its strength.
# measures of something else and cue words, not things a figure is of (vocab.GENERIC_MEASURES;
# 主要目标 is read as a target cue by ask/query.py)
NOT_ASKED_BY_MEANING = frozenset(GENERIC_MEASURES | {"main_targets"})
CACHE_VERSION = 2
NEAREST = 2  # indicators under the threshold whose facts retrieval looks at (not a fitted value)
COVER_SLACK = 2  # other content words allowed between a name's reordered words ("spending on the livelihood of residents")
_WORD_EN = re.compile(r"[A-Za-z][A-Za-z&\-]*|\d+(?:\.\d+)?%?")
_PUNCT_ZH = re.compile(r"^[\s\W\d]+$")
_ENCODE = Callable[..., np.ndarray]
_EN_STOP_STEMS = frozenset(QUESTION_EN_STOP)


@dataclass(frozen=True)
class NameVectors:
    term_ids: tuple[str, ...]  # one per indicator
    owner: np.ndarray  # name row -> index into term_ids
    vectors: np.ndarray  # one unit vector per name
    zh: np.ndarray  # name row -> whether it is a Chinese name


def question_ngrams(question: str) -> list[str]:
    """Word n-grams of a question that could name a measure: English word runs not starting or
    ending in a stop word, Chinese runs of segmented words (folded to Simplified)."""
    out: list[str] = []
    if has_cjk(question):
        words = [w for w in cut(fold_zh(question)[0]) if w.strip() and not _PUNCT_ZH.match(w)]
        for n in range(1, MAX_WORDS + 1):
            for i in range(len(words) - n + 1):
                span = words[i:i + n]
                if span[0] in QUESTION_ZH_STOP or span[-1] in QUESTION_ZH_STOP:
                    continue
                text = "".join(span)
                if len(text) >= 2:
                    out.append(text)
    words = _WORD_EN.findall(question)
    for n in range(1, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            span = words[i:i + n]
            if span[0].lower() in QUESTION_EN_STOP or span[-1].lower() in QUESTION_EN_STOP:
                continue
            out.append(" ".join(span))
    return list(dict.fromkeys(out))[:MAX_NGRAMS]


def _names(vocab: Vocab) -> tuple[tuple[str, ...], list[str], list[int]]:
    """Indicator ids, and every English and Simplified name with its indicator's position (the
    question's Chinese n-grams are folded to Simplified, so Traditional names would repeat them)."""
    ids: list[str] = []
    names: list[str] = []
    owner: list[int] = []
    for t in vocab:
        if t.category not in CATEGORIES:
            continue
        ids.append(t.id)
        for name in dict.fromkeys([*t.english, *(fold_zh(z)[0] for z in t.zh)]):
            names.append(name)
            owner.append(len(ids) - 1)
    return tuple(ids), names, owner


_memo: dict[str, NameVectors] = {}


def name_vectors(encode: _ENCODE, model_id: str, vocab: Optional[Vocab] = None) -> NameVectors:
    """Every indicator name encoded once, cached on disk per encoder model and vocabulary file."""
    vocab = vocab or load_vocab()
    ids, names, owner = _names(vocab)
    digest = hashlib.sha256(("\n".join(names) + "\0" + model_id).encode("utf-8")).hexdigest()[:16]
    if digest in _memo:
        return _memo[digest]

    def build() -> NameVectors:
        vecs = np.asarray(encode(names, kind="query"), dtype=np.float32)
        return NameVectors(ids, np.asarray(owner, dtype=np.int32), vecs, np.array([has_cjk(n) for n in names]))

    nv = load_or_build(cache_file(f"indicator-names-{digest}", VOCAB_PATH, CACHE_VERSION), build)
    _memo[digest] = nv
    return nv


def indicator_strengths(question: str, encode: _ENCODE, names: NameVectors, exact: set[str] = frozenset(),
                        drop: tuple[str, ...] = (), listed: tuple[str, ...] = ()) -> dict[str, float]:
    """Indicator id -> how strongly the question asks for it, in [0, 1]: the best cosine between
    a question n-gram and one of its names, rescaled (FLOOR); an indicator the vocabulary found
    in the question as written (`exact`) is 1.0. The `drop` spans (the asked regions' names,
    years) are taken out first: "share of Anhui's output" is "share of output". An n-gram
    inside a phrase the vocabulary already read (`listed`: the matched texts) says nothing more:
    "jobs" in "new urban jobs" is not a second question about employment, nor "GDP" one about
    GDP per capita."""
    return {t: s for t, (s, _) in _strengths(question, encode, names, exact, drop, listed).items()}


def _strengths(question: str, encode: _ENCODE, names: NameVectors, exact: set[str], drop: tuple[str, ...],
               listed: tuple[str, ...]) -> dict[str, tuple[float, str]]:
    """indicator_strengths, with the n-gram each strength comes from."""
    out = {t: (1.0, "") for t in exact}
    for span in drop:
        if span:
            question = question.replace(span, " ")
    inside = [fold_zh(x)[0] for x in listed if x]
    grams = [g for g in question_ngrams(question) if not any(fold_zh(g)[0] in x for x in inside)]
    if grams and len(names.vectors):
        sims = np.asarray(encode(grams, kind="query"), dtype=np.float32) @ names.vectors.T
        # a Chinese n-gram against Chinese names, an English one against English names: across
        # languages the encoder is looser, and the vocabulary names every entry in both (a bare
        # 经济 is close to "economy", a GDP name in English that the vocabulary does not give 经济)
        grams_zh = np.array([has_cjk(g) for g in grams])
        sims[grams_zh[:, None] != names.zh[None, :]] = -1.0
        best_name, best_gram = sims.max(axis=0), sims.argmax(axis=0)
        for col in np.flatnonzero(best_name > FLOOR):
            tid = names.term_ids[names.owner[col]]
            strength = float(min(1.0, (best_name[col] - FLOOR) / (1 - FLOOR)))
            if strength > out.get(tid, (0.0, ""))[0]:
                out[tid] = (strength, grams[best_gram[col]])
    return out


def stem_covered(question: str, vocab: Vocab, listed: list[tuple[int, int]] = ()) -> dict[str, set[tuple[int, int]]]:
    """Indicators one of whose English names of two or more content words has every word's stem
    in the question, in any order and close together, at least one outside the phrases the
    vocabulary read (`listed`: character spans), none splitting one: "spending on residents' livelihood" names
    livelihood spending, "invest in fixed assets" investment in fixed assets. A listed phrase
    must appear as written; its words reordered or inflected are the same indicator. Each
    indicator comes with the listed phrases it takes in."""
    toks = [(st, a, b) for st, a, b in tokenize_en(question) if st not in _EN_STOP_STEMS]
    if len(toks) < 2:
        return {}
    out: dict[str, set[tuple[int, int]]] = {}
    for tid, want in _name_stems(vocab):
        at = [i for i, (st, _, _) in enumerate(toks) if st in want]
        if tid in out or {toks[i][0] for i in at} != want or not _close(toks, at, want):
            continue
        inside = [next(((a, b) for a, b in listed if a <= toks[i][1] and toks[i][2] <= b), None) for i in at]
        if all(inside):
            continue  # all its words are phrases the vocabulary read as what they are
        # a name may take in a whole listed phrase ("R&D ratio to GDP" -> R&D to GDP ratio), never
        # split one: "the value of its economic output" is GDP, not output value
        if any(not {st for st, a, b in toks if span[0] <= a and b <= span[1]} <= want for span in filter(None, inside)):
            continue
        out[tid] = set(filter(None, inside))
    return out


def names_reordered(text: str, term_id: str, vocab: Vocab) -> bool:
    """Whether an English text names the indicator by one of its names with the words reordered
    or inflected, as stem_covered reads a question ("374 companies listed" names listed companies)."""
    wanted = [want for tid, want in _name_stems(vocab) if tid == term_id]
    if not wanted or has_cjk(text):
        return False
    toks = [(st, a, b) for st, a, b in tokenize_en(text) if st not in _EN_STOP_STEMS]
    for want in wanted:
        at = [i for i, (st, _, _) in enumerate(toks) if st in want]
        if {toks[i][0] for i in at} == want and _close(toks, at, want):
            return True
    return False


_stem_memo: dict[int, list[tuple[str, frozenset[str]]]] = {}


def _name_stems(vocab: Vocab) -> list[tuple[str, frozenset[str]]]:
    """(indicator id, the content stems of one English name) for names of two or more content words."""
    key = id(vocab)
    if key not in _stem_memo:
        rows = []
        for t in vocab:
            if t.category in CATEGORIES:
                for name in t.english:
                    want = frozenset(st for st, _, _ in tokenize_en(name) if st not in _EN_STOP_STEMS)
                    if len(want) >= 2:
                        rows.append((t.id, want))
        _stem_memo.clear()
        _stem_memo[key] = rows
    return _stem_memo[key]


def _close(toks: list, at: list[int], want: set[str]) -> bool:
    """Whether some window of len(want) + COVER_SLACK content words holds every wanted stem."""
    width = len(want) + COVER_SLACK
    return any({toks[i][0] for i in at if start <= i < start + width} == want for start in at)


@dataclass(frozen=True)
class Meaning:
    """What a question asks for by meaning (asked_by_meaning)."""

    strengths: dict  # indicator id -> strength (>= the threshold), strongest first
    subsumed: frozenset  # ids of listed indicators read inside one of those ("GDP" in "R&D measured against GDP")
    # indicator id -> the question's words that ask for it (folded; none for a reordered name): a
    # sentence using the same words names it too (糧食作物播種面積, which no grain-area name lists)
    words: dict = field(default_factory=dict)
    # the nearest indicators under the threshold, strongest first (at most NEAREST): not asked, but
    # where the sources' figures of them are is worth a look (ask/pipeline.py fact_hits)
    nearest: tuple = ()


_CONTENT = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")  # what is left of an n-gram besides listed phrases


def asked_by_meaning(question: str, encode: _ENCODE, model_id: str, drop: tuple[str, ...] = (),
                     vocab: Optional[Vocab] = None, min_strength: float = SPEC.meaning_strength) -> Meaning:
    """The indicators the question asks for by meaning and whose names the vocabulary did not
    find in its words, with strength >= `min_strength`. An indicator the vocabulary read, even one
    a relation then replaced (研发经费占生产总值的比例: R&D spending and GDP read as R&D intensity),
    is its reading, not a second indicator; nor is an n-gram inside a phrase it read. A listed
    phrase inside the words that ask for such an indicator is part of it, as a shorter name
    inside a longer listed one is: "R&D measured against GDP" asks for R&D intensity, not GDP."""
    vocab = vocab or load_vocab()
    found = vocab.matches(question)
    known = {m.term.id for m in found}
    scored = _strengths(question, encode, name_vectors(encode, model_id, vocab), set(), drop, tuple(m.text for m in found))
    taken: dict[str, set[str]] = {}  # indicator -> listed ids inside its evidence
    for tid, (strength, gram) in scored.items():
        g = fold_zh(gram)[0]
        inside = [fold_zh(m.text)[0] for m in found if fold_zh(m.text)[0] in g]
        rest = g
        for w in sorted(inside, key=len, reverse=True):
            rest = rest.replace(w, " ")
        # words that are only listed phrases (产业产值 = 产业 + 产值) keep their listed reading beside
        # the meaning: the vocabulary's 产值 is not given up for a near indicator (工业产值)
        taken[tid] = set() if inside and not _CONTENT.search(rest) else \
            {m.term.id for m in found if fold_zh(m.text)[0] in g}
    for tid, spans in stem_covered(question, vocab, [(m.start, m.end) for m in found]).items():
        scored[tid] = (1.0, "")  # its name's own words: as sure as the listed phrase
        taken[tid] = {m.term.id for m in found if (m.start, m.end) in spans}
    strong = {t: s for t, (s, _) in sorted(scored.items(), key=lambda p: -p[1][0])
              if s >= min_strength and t not in known and t not in NOT_ASKED_BY_MEANING}
    nearest = tuple(t for t, (s, _) in sorted(scored.items(), key=lambda p: -p[1][0])
                    if 0 < s < min_strength and t not in known and t not in NOT_ASKED_BY_MEANING)[:NEAREST]
    return Meaning(strong, frozenset().union(*(taken[t] for t in strong)) if strong else frozenset(),
                   {t: fold_zh(scored[t][1])[0] for t in strong if scored[t][1]}, nearest)


# -- the asked kind of quantity against each candidate figure's own indicator -----------------------
_QUANTITY_EN = re.compile(r"[A-Za-z][A-Za-z&\-]*")
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]s\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*\s*(?:年|月|日)?")


def quantity_words(question: str, drop: tuple[str, ...] = ()) -> str:
    """What kind of quantity the question asks for, in its own words: the question without the
    asked places and years (`drop`) and the words that only frame a question ("how much did …
    in", 多少, 今年). Chinese is folded to Simplified, so a Traditional question compares with a
    Simplified report's words."""
    for span in sorted(filter(None, drop), key=len, reverse=True):
        question = question.replace(span, " ")
    question = _NUMBER.sub(" ", question)  # numbers and dates say which, not what kind of quantity
    if has_cjk(question):
        words = [w for w in cut(fold_zh(question)[0]) if w.strip() and not _PUNCT_ZH.match(w) and w not in QUESTION_ZH_STOP]
        return "".join(w if has_cjk(w) else f" {w} " for w in words).strip()
    return " ".join(w for w in _QUANTITY_EN.findall(_POSSESSIVE.sub("", question)) if w.lower() not in QUESTION_EN_STOP)


@dataclass(frozen=True)
class FactIndicator:
    """One candidate figure's fact, as far as its indicator goes (retrieval/facts.Fact)."""

    key: tuple  # what the caller knows the figure by: (doc_id, start of the fact in the document)
    indicator_id: Optional[str]  # its vocabulary indicator, if any
    indicator_text: str  # the words naming it in the source, as written


def fact_strengths(words: str, encode: _ENCODE, names: NameVectors, facts: list[FactIndicator],
                   floors: dict[str, float]) -> dict[tuple, float]:
    """Fact key -> how near the figure's own indicator is to the asked kind of quantity, in
    [0, 1]: the best cosine between the question's quantity words (quantity_words) and the
    indicator's words as the source writes them or, for a vocabulary indicator, any of its names
    in either script, rescaled from the floor of that script pair (`floors`: "same" or "cross",
    the cosine at which the strength is 0). A source names "中药材专业市场交易额" where a question
    asks what a market "sells"; the vocabulary's names of a figure's indicator are the other
    language's words for it. Facts under both floors are left out."""
    if not words or not facts:
        return {}
    q = np.asarray(encode([words], kind="query"), dtype=np.float32)[0]
    q_zh = has_cjk(words)
    texts = list(dict.fromkeys(t for t in (fold_zh(f.indicator_text)[0].strip() for f in facts) if _has_word(t)))
    text_sim = dict(zip(texts, (np.asarray(encode(texts, kind="query"), dtype=np.float32) @ q).tolist())) if texts else {}
    by_id: dict[str, float] = {}
    wanted_ids = {f.indicator_id for f in facts if f.indicator_id}
    if wanted_ids and len(names.vectors):
        wanted = np.array([t in wanted_ids for t in names.term_ids])
        rows = np.flatnonzero(wanted[names.owner])
        sims = names.vectors[rows] @ q
        for row, s in zip(rows, sims):
            tid = names.term_ids[names.owner[row]]
            st = _rescale(float(s), floors["same" if bool(names.zh[row]) == q_zh else "cross"])
            by_id[tid] = max(by_id.get(tid, 0.0), st)
    out: dict[tuple, float] = {}
    for f in facts:
        t = fold_zh(f.indicator_text)[0].strip()
        s = _rescale(text_sim[t], floors["same" if has_cjk(t) == q_zh else "cross"]) if t in text_sim else 0.0
        s = max(s, by_id.get(f.indicator_id, 0.0)) if f.indicator_id else s
        if s > 0:
            out[f.key] = s
    return out


def _has_word(text: str) -> bool:
    return bool(has_cjk(text) and len(re.sub(r"[^\u4e00-\u9fff]", "", text)) >= 2 or len(_QUANTITY_EN.findall(text)) >= 1)


def _rescale(cosine: float, floor: float) -> float:
    return max(0.0, min(1.0, (cosine - floor) / (1.0 - floor)))
