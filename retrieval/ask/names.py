"""The names a question asks about, and whether the corpus knows them (question analysis
beyond `query.analyse`: it needs the index, so it runs in the pipeline's analyse stage)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from retrieval.ask.query import QueryAnalysis
from retrieval.knowledge.bilingual import chinese_index, translate, translate_name
from retrieval.knowledge.vocab import load_vocab
from retrieval.knowledge.world import latin_key, load_world
from retrieval.store.index import Index
from retrieval.text.chinese import to_simplified
from retrieval.text.fold import fold
from retrieval.text.script import CJK_RE
from retrieval.text.segment import cut, pos_tags, word_frequencies
from retrieval.text.stopwords import EN_STOP, ZH_STOP
from retrieval.text.tokens import tokenize

# Capitalised words in a row; accented letters and hyphenated particles count (Provence-Alpes-Côte)
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_RE = re.compile(rf"\b[{_UP}][{_LOW}]+(?:(?:-[{_LOW}]{{1,4}})*[ -][{_UP}][{_LOW}]+)*")
GENERIC_PLACE_WORDS = frozenset({"new", "district", "area", "city", "province", "county", "zone", "region", "town", "park", "high-tech"})
# jieba tag classes that cannot be a question's topic: verb, pronoun, numeral, preposition,
# conjunction, time word, particle, measure word, locality, adjective
_NOT_A_TOPIC = set("vrmpctuqfa")

Names = list[tuple[str, list[str]]]  # (name as written, its content tokens)
# jieba's tags for proper nouns other than places (ns, read as places): person names, which it
# also gives to many company and brand names (华为), transliterations, organisations,
# other proper nouns (腾讯)
_PROPER_NOUN_TAGS = frozenset({"nr", "nrt", "nrfg", "nt", "nz"})
# words of a dictionary gloss that say what kind of body a name is, not which ("… company")
_BODY_WORDS = frozenset({"company", "co", "corporation", "corp", "group", "limited", "ltd", "inc", "brand"})
# ...and the parts of a Chinese name that do (华为公司: 公司), which any other company's source holds
_BODY_WORDS_ZH = frozenset({"公司", "集团", "企业", "股份", "有限", "有限公司", "控股", "银行", "品牌"})


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
        if m.start() == 0:
            # "In Anhua's report…": the capitalised function word only starts the sentence
            words = name.split()
            while len(words) > 1 and words[0].lower() in EN_STOP:
                words = words[1:]
            name = " ".join(words)
        if name.lower() in known or any(name.lower() in k for k in known):
            continue
        toks = [t for t in tokenize(name) if t not in EN_STOP and t not in GENERIC_PLACE_WORDS]
        if toks:
            out.append((name, toks))
    return out


@dataclass(frozen=True)
class Place:
    """A place outside China's gazetteer that a question names (Tokyo, 萨克森, 加州), with the
    forms a source would name it by: lower-case English and Simplified Chinese."""

    name: str  # as written in the question
    forms: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        """Whether a sentence names the place in one of its forms."""
        folded, words = fold(text), None
        for f in self.forms:
            if CJK_RE.search(f):
                if f in folded:
                    return True
            else:
                words = words if words is not None else set(tokenize(text))
                if all(w in words for w in tokenize(f)):
                    return True
        return False


def _world_forms(name: str) -> Optional[tuple[str, ...]]:
    """The forms of a name the world table holds as a place, or None."""
    world = load_world()
    if not world.lookup(name):
        return None
    english = [latin_key(n) for n in [name, *world.english_names(name)] if not CJK_RE.search(n)]
    chinese = [to_simplified(name)] if CJK_RE.search(name) else []
    return tuple(dict.fromkeys(english + chinese + world.chinese_names(name)))


def asked_places(question: str, analysis: QueryAnalysis, names: Optional[Names] = None) -> list[Place]:
    """Places outside China's gazetteer that the question names: English names the world table
    holds as a whole ("Saxony", "New South Wales", not "Denver Broncos"), and Chinese place
    words (jieba's ns tag, or a leading topic word) that it holds."""
    out: dict[str, Place] = {}
    names = question_names(question, analysis) if names is None else names
    # A leading capitalised word is usually just the sentence's start ("What…"), but one the
    # world table holds as a place is the topic ("Osaka GDP growth target?").
    lead = _NAME_RE.match(question)
    known = {n.lower() for n in analysis.region_names}
    if lead and lead.group().lower() not in known and all(lead.group() != n for n, _ in names):
        names = [(lead.group(), [t for t in tokenize(lead.group()) if t not in EN_STOP]), *names]
    for name, toks in names:
        forms = _world_forms(name)
        if forms:
            out[name] = Place(name, tuple(dict.fromkeys(forms + tuple(translate_name(toks)))))
    if CJK_RE.search(question):
        known_zh = {to_simplified(n) for n in analysis.region_names}
        words = zh_place_names(question) + (zh_leading_word(question) if not analysis.regions else [])
        for w in dict.fromkeys(words):
            forms = None if any(w in k or k in w for k in known_zh) else _world_forms(w)
            if forms:
                out[w] = Place(w, forms)
    return list(out.values())


def unknown_words(question: str, index: Index) -> Optional[list[str]]:
    """The question's content words when none of them is a word planbot can search for: no
    BM25 token of the corpus, no English word of the dictionary bridge, no word (of two or more
    characters) of jieba's Chinese dictionary. "asdkjh qwe" or a jumble of characters has
    nothing to be answered from; [] when some word is real, None when all are stop words."""
    tokens = [t for t in tokenize(question) if not t.isdigit()]
    if not tokens:
        return None if not any(ch.isdigit() for ch in question) else []
    idf = index.lexical.idf(tokens)
    if any(idf[t] > 0 and (len(t) > 1 or not CJK_RE.match(t)) for t in tokens):
        return []
    latin = [t for t in tokens if not CJK_RE.search(t)]
    if latin and translate(latin):
        return []
    freq = word_frequencies()
    if any(len(t) > 1 and freq.get(t, 0) > 0 for t in tokens if CJK_RE.search(t)):
        return []
    return list(dict.fromkeys(tokens))


def form_in_corpus(form: str, index: Index) -> bool:
    """Whether a place's form occurs in the corpus: all of its BM25 tokens do (one-character
    tokens aside: 州 of 萨克森州 says nothing)."""
    tokens = [t for t in tokenize(form) if len(t) > 1 or not CJK_RE.match(t)] or [form]
    idf = index.lexical.idf(tokens)
    return all(idf[t] > 0 for t in tokens)


def place_positions(place: Place, index: Index) -> np.ndarray:
    """Chunks that contain some form of the place (every token of it)."""
    mask = np.zeros(len(index), dtype=bool)
    for f in place.forms:
        if not form_in_corpus(f, index):
            continue
        tokens = [t for t in tokenize(f) if len(t) > 1 or not CJK_RE.match(t)] or [f]
        hit = np.ones(len(index), dtype=bool)
        for t in tokens:
            hit &= index.lexical.scores({t: 1.0}) > 0
        mask |= hit
    return mask


def unknown_names(question: str, analysis: QueryAnalysis, index: Index, names: Optional[Names] = None,
                  places: Optional[list[Place]] = None) -> list[str]:
    """Names in a question that no indexed text contains (e.g. "Tokyo", "首尔", "Saxony").

    Answering "What is Tokyo's GDP target?" from some province's report would present an
    unrelated figure as the answer; a name the corpus has never seen means the corpus
    cannot answer. A place (`asked_places`) is known when one of its forms in either script
    occurs; a Chinese corpus that has never written 萨克森 has nothing on Saxony.
    """
    places = asked_places(question, analysis, names) if places is None else places
    out = [p.name for p in places if not any(form_in_corpus(f, index) for f in p.forms)]
    checked = {p.name for p in places}
    known = {n.lower() for n in analysis.region_names}
    for name, toks in question_names(question, analysis) if names is None else names:
        if name in checked:
            continue
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
        out += [w for w in dict.fromkeys(candidates) if w not in checked
                and not any(w in k or k in w for k in known_zh) and not in_corpus(w, index)]
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


def _tagged_words(simple: str) -> list[tuple[str, str, int]]:
    """(word, POS tag, offset) of a Simplified question, without the remnants of vocabulary
    terms jieba cuts apart: 浏阳经开区 is cut 浏阳|经|开区 with 开区 tagged a place, but 开区 is a
    piece of the term 经开区, no name. A word that holds a whole term is kept (a place may)."""
    terms = [(m.start, m.end) for m in load_vocab().matches(simple) if m.term.category != "unit"]
    out = []
    pos = 0
    for w, flag in pos_tags(simple):
        start, pos = simple.find(w, pos), pos + len(w)
        end = start + len(w)
        if start >= 0 and any(a < end and start < b and not (start <= a and b <= end) for a, b in terms):
            continue
        out.append((w, flag, start))
    return out


def zh_place_names(question: str) -> list[str]:
    """Place names (jieba's "ns" tag) in a Chinese question, e.g. 首尔, 东京."""
    return [w for w, flag, _ in _tagged_words(to_simplified(question)) if flag == "ns" and len(w) >= 2]


def zh_subject_names(question: str, analysis: QueryAnalysis) -> list[str]:
    """Proper nouns of a Chinese question that are neither a place it names nor a vocabulary
    term: the company, organisation or brand it is about (華為), as written in the question.
    jieba tags some places and terms as names too (玉林, 农村居民): those are left out here; a
    word it mis-tags otherwise only has to occur in the quoted source to pass (see
    pipeline.subject_not_quoted)."""
    simple = to_simplified(question)
    known = [to_simplified(n) for n in [*analysis.region_names, *(x.name for x in getattr(analysis, "ambiguous", []))]]
    vocab = load_vocab()
    out: list[str] = []
    for w, flag, start in _tagged_words(simple):
        if flag not in _PROPER_NOUN_TAGS or len(w) < 2 or not CJK_RE.match(w) or w in ZH_STOP:
            continue
        if any(w in k or k in w for k in known) or vocab.find_terms(w):
            continue
        # the question's own script (華為, not 华为) where the conversion kept the length
        written = question[start:start + len(w)] if start >= 0 and len(simple) == len(question) else w
        out.append(written)
    return list(dict.fromkeys(out))


def zh_subject_forms(word: str) -> tuple[str, ...]:
    """The forms a source may name a Chinese proper noun by: its Simplified form, its parts and
    the English names the dictionary gives it (华为 -> "huawei"; "… company" without the body word),
    as BM25 tokens."""
    simple = to_simplified(word)
    english = []
    for key in chinese_index().get(simple, ()):
        toks = [t for t in tokenize(key) if t not in _BODY_WORDS]
        if toks:
            english.append(" ".join(toks))
    # a source may name it by a part of the word (荷兰 for 荷兰人, on DRCD's tune half): its
    # BM25 tokens of two characters or more count as forms of it, the body words aside
    parts = [t for t in tokenize(simple) if len(t) > 1 and t not in _BODY_WORDS_ZH]
    return tuple(dict.fromkeys([fold(simple), *parts, *english]))
