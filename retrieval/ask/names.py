"""The names a question asks about, and whether the corpus knows them (question analysis
beyond `query.analyse`: it needs the index, so it runs in the pipeline's analyse stage)."""
from __future__ import annotations

import re
from typing import Optional

from retrieval.ask.query import QueryAnalysis
from retrieval.knowledge.bilingual import translate_name
from retrieval.knowledge.vocab import load_vocab
from retrieval.store.index import Index
from retrieval.text.chinese import to_simplified
from retrieval.text.script import CJK_RE
from retrieval.text.segment import cut, pos_tags
from retrieval.text.stopwords import EN_STOP, ZH_STOP
from retrieval.text.tokens import tokenize

_NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")
GENERIC_PLACE_WORDS = frozenset({"new", "district", "area", "city", "province", "county", "zone", "region", "town", "park", "high-tech"})
# jieba tag classes that cannot be a question's topic: verb, pronoun, numeral, preposition,
# conjunction, time word, particle, measure word, locality, adjective
_NOT_A_TOPIC = set("vrmpctuqfa")

Names = list[tuple[str, list[str]]]  # (name as written, its content tokens)


def question_names(question: str, analysis: QueryAnalysis) -> Names:
    """Capitalised names in an English question other than the regions it names, with their
    content tokens. A capitalised first word is usually just the start of the sentence
    ("Roughly how many…"), unless it is possessive ("Tokyo's"). A Chinese place name several
    places carry ("Yichun") is a region, read in retrieval.ask.places, not a name to check."""
    known = {n.lower() for n in analysis.region_names} | {x.name.lower() for x in getattr(analysis, "ambiguous", [])}
    out = []
    for m in _NAME_RE.finditer(question):
        name = m.group()
        if m.start() == 0 and not question[m.end():].startswith(("'s", "’s")):
            continue
        if name.lower() in known or any(name.lower() in k for k in known):
            continue
        toks = [t for t in tokenize(name) if t not in EN_STOP and t not in GENERIC_PLACE_WORDS]
        if toks:
            out.append((name, toks))
    return out


def unknown_names(question: str, analysis: QueryAnalysis, index: Index, names: Optional[Names] = None) -> list[str]:
    """Names in a question that no indexed text contains (e.g. "Tokyo", "首尔").

    Answering "What is Tokyo's GDP target?" from some province's report would present an
    unrelated figure as the answer; a name the corpus has never seen means the corpus
    cannot answer.
    """
    known = {n.lower() for n in analysis.region_names}
    out = []
    for name, toks in question_names(question, analysis) if names is None else names:
        is_place = any(w in GENERIC_PLACE_WORDS for w in name.lower().split())
        if all(index.lexical.idf([t])[t] == 0.0 for t in toks) and not known_in_chinese(toks, index, is_place):
            out.append(name)
    if CJK_RE.search(question):
        known_zh = {to_simplified(n) for n in known}
        candidates = zh_place_names(question)
        if not known:
            # The topic of a Chinese question comes first ("首尔今年的GDP…"); jieba does not tag
            # every foreign place as one, but a leading word the corpus has never seen is enough.
            candidates += zh_leading_word(question)
        out += [w for w in dict.fromkeys(candidates)
                if not any(w in k or k in w for k in known_zh) and not in_corpus(w, index)]
    return out


def named_subjects(names: Names) -> list[tuple[str, ...]]:
    """The forms of each name a question is about (from question_names): "Tokyo" -> ("tokyo",
    "东京"); "Panthers" -> ("panther", "豹"). An answer sentence should mention it."""
    return [(" ".join(toks), *translate_name(toks)) for _, toks in names]


def known_in_chinese(tokens: list[str], index: Index, is_place: bool = False) -> bool:
    """Whether a Latin-script name may still be in a Chinese corpus: its dictionary translation
    occurs there ("Tokyo" as 东京), or the dictionary does not know it and most of the corpus
    is Chinese, where a foreign name is written in characters nobody can guess. A place
    ("Qingyun New District") is the exception: Chinese places down to districts are in the
    gazetteer, which tags them at ingest, so one it does not know is not in the corpus."""
    words = [w for w in translate_name(tokens) if len(w) > 1]  # single characters are no BM25 tokens
    if words:
        return any(index.lexical.idf([w])[w] > 0 for w in words)
    # "Luke Kuechly": not every word of the name has a translation, so none can be checked
    return index.zh_share() > 0.5 and not is_place


def in_corpus(word: str, index: Index) -> bool:
    """Whether any BM25 token of a Chinese word occurs in the corpus: the part-of-speech tagger
    segments names differently (潘均顺) from the indexing tokenizer (潘均 / 顺)."""
    tokens = tokenize(word) or [word]
    idf = index.lexical.idf(tokens)
    return any(idf[t] > 0 for t in tokens)


def zh_leading_word(question: str) -> list[str]:
    """The first content word of a Chinese question, when it could be its topic."""
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


def zh_place_names(question: str) -> list[str]:
    """Place names (jieba's "ns" tag) in a Chinese question, e.g. 首尔, 东京."""
    return [w for w, flag in pos_tags(to_simplified(question)) if flag == "ns" and len(w) >= 2]
