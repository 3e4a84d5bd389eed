"""Bilingual (English / Simplified / Traditional) vocabulary of planning and economic terms.

The data lives in `data/vocab.tsv`, one concept a line (see docs/VOCABULARY.md):

    id <TAB> category <TAB> english|variants <TAB> 简体|变体 [<TAB> 繁體|變體]

Traditional forms are generated with OpenCC s2t at load time; the optional fifth column
adds Taiwan/Hong Kong wordings that s2t cannot produce (積體電路, 人工智慧).

Matching is span based so that the longest term wins across both scripts: English is
matched on light-stemmed word tokens (plurals, -ing/-ed, British spellings), Chinese on
text folded to Simplified, so one key set serves both scripts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from retrieval.text.chinese import to_simplified
from retrieval.text.chinese import traditional_forms as to_traditional
from retrieval.text.fold import fold_text, fold_zh
from retrieval.text.script import has_cjk
from retrieval.text.stem import stem
from retrieval.text.tokens import tokenize_en

VOCAB_PATH = Path(__file__).resolve().parent / "data" / "vocab.tsv"
RELATIONS_PATH = Path(__file__).resolve().parent / "data" / "relations.tsv"

# Partial overlaps ("fiscal deficit ratio": "fiscal deficit" and "deficit ratio"; 财政赤字率:
# 财政赤字 and 赤字率): a compound's head comes last in English and Chinese alike, so a ratio
# named last is what the words ask for, not the base it shares a word with. Only ratio-like
# indicators are heads here: 进出口额 overlaps 出口额 too, and is trade, not exports.
RATIO_ENDINGS = ("率", "比重", "强度", "ratio", "rate", "intensity", "share")
# indicators that name a measure of something else rather than a thing: "economic growth rate"
# asks for the economy's growth, which the kind cues read (ask/query.py), not a "growth rate" term
GENERIC_MEASURES = {"growth_rate"}
# indicators that, opening a list item right after another indicator's figure, measure that
# indicator's things: "重点项目2000多个、完成投资1800多亿元" is the key projects' investment
ATTRIBUTE_MEASURES = frozenset({"investment", "output_value", "operating_revenue"})
# A sector named right before a generic head ("生产总值", the tail of 地区生产总值) makes a
# compound that is that sector's figure: 工业生产总值, 海洋生产总值 are not GDP. An attribute
# measure's head stays (种业产值 is the seed industry's output value, which 产值 names).
SECTOR_CATEGORIES = ("industry",)

# "stop" lines are matched and then dropped: they shield single-character terms from
# longer words that merely contain them (铜 "copper" inside the city name 铜仁).
STOP = "stop"

__all__ = ["Match", "Term", "Vocab", "fold_text", "fold_zh", "has_cjk", "load_vocab", "parse_vocab", "stem",
           "to_simplified", "to_traditional", "tokenize_en"]


@dataclass
class Term:
    id: str
    category: str  # indicator, industry, policy, period, unit, general
    english: list[str]  # first is the display name
    zh: list[str]  # Simplified; first is the display name
    zh_hant: list[str] = field(default_factory=list)  # Traditional; first is the display name

    def variants(self, lang: str) -> list[str]:
        """Forms in `lang`: "en", "zh-Hans", "zh-Hant", or "zh" for both Chinese scripts."""
        if lang == "en":
            return list(self.english)
        if lang == "zh-Hans":
            return list(self.zh)
        if lang == "zh-Hant":
            return list(self.zh_hant)
        return _dedupe([*self.zh, *self.zh_hant])


@dataclass(frozen=True)
class Match:
    term: Term
    start: int
    end: int
    script: str  # "en" when matched on Latin words, "zh" on Chinese characters
    text: str


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(x for x in items if x))


class Vocab:
    """Lookup of terms in English, Simplified and Traditional text."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._all: dict[str, Term] = {}
        self._en: dict[tuple[str, ...], str] = {}
        self._zh: dict[str, str] = {}
        self.collisions: list[tuple[str, str, str]] = []  # (key, kept id, dropped id)
        for t in terms:
            if t.id in self._all:
                raise ValueError(f"duplicate vocabulary id {t.id!r}")
            self._all[t.id] = t
            for v in t.english:
                self._add(self._en, tuple(s for s, _, _ in tokenize_en(v)), t.id)
            for v in (*t.zh, *t.zh_hant):
                key = fold_zh(v)[0]
                if has_cjk(key):  # purely Latin forms (6G) are matched as English
                    self._add(self._zh, key, t.id)
        self._en_lens: dict[str, set[int]] = {}
        for k in self._en:
            self._en_lens.setdefault(k[0], set()).add(len(k))
        self._zh_lens: dict[str, set[int]] = {}
        for k in self._zh:
            self._zh_lens.setdefault(k[0], set()).add(len(k))
        self.terms: dict[str, Term] = {i: t for i, t in self._all.items() if t.category != STOP}
        # Chinese keys that end another key of the same term (生产总值 of 地区生产总值): generic heads
        by_term: dict[str, list[str]] = {}
        for k, tid in self._zh.items():
            by_term.setdefault(tid, []).append(k)
        self._heads = {k for keys in by_term.values() for k in keys
                       if any(len(o) > len(k) and o.endswith(k) for o in keys)}
        self.ratios: dict[str, tuple[str, ...]] = {}  # ratio id -> (numerator, denominator...)
        self.measured_by: dict[str, tuple[str, ...]] = {}  # broad id -> the statistics plans state it by
        # broad id -> [(narrower id, English modifiers)]: "companies … above-scale" asks the narrower
        self.qualified: dict[str, list[tuple[str, tuple[str, ...]]]] = {}

    def _add(self, table: dict, key, term_id: str) -> None:
        if not key:
            return
        kept = table.setdefault(key, term_id)
        if kept != term_id:  # first line wins, so curated lines beat seeded ones
            self.collisions.append(("|".join(key) if isinstance(key, tuple) else key, kept, term_id))

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms

    def get(self, term_id: str) -> Term:
        return self.terms[term_id]

    def categories(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.terms.values():
            out[t.category] = out.get(t.category, 0) + 1
        return out

    def english_name(self, term_id: str) -> str:
        return self.terms[term_id].english[0]

    def chinese_name(self, term_id: str, traditional: bool = False) -> str:
        t = self.terms[term_id]
        return (t.zh_hant or t.zh)[0] if traditional else t.zh[0]

    def matches(self, text: str) -> list[Match]:
        """Non-overlapping term occurrences, longest first across both scripts, in text order."""
        cands: list[tuple[int, int, str, str]] = []
        toks = tokenize_en(text)
        stems = [s for s, _, _ in toks]
        for i, s in enumerate(stems):
            for n in self._en_lens.get(s, ()):
                tid = self._en.get(tuple(stems[i:i + n])) if i + n <= len(stems) else None
                if tid:
                    cands.append((toks[i][1], toks[i + n - 1][2], tid, "en"))
        if has_cjk(text):
            folded, idx = fold_zh(text)
            for i, ch in enumerate(folded):
                for n in self._zh_lens.get(ch, ()):
                    tid = self._zh.get(folded[i:i + n]) if i + n <= len(folded) else None
                    if tid:
                        cands.append((idx[i], idx[i + n - 1] + 1, tid, "zh"))
        cands = self._compounds(text, cands)
        cands.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = [False] * (len(text) + 1)
        out = []
        for start, end, tid, script in cands:
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            if self._all[tid].category != STOP:
                out.append(Match(self._all[tid], start, end, script, text[start:end]))
        return sorted(out, key=lambda m: m.start)

    def _compounds(self, text: str, cands: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """Drop candidates a compound overrides (see RATIO_ENDINGS and SECTOR_CATEGORIES)."""
        drop: set[int] = set()
        order = sorted(range(len(cands)), key=lambda k: cands[k][0])
        for x, i in enumerate(order):
            s1, e1, t1, _ = cands[i]
            for j in order[x + 1:]:
                s2, e2, t2, sc2 = cands[j]
                if s2 > e1:
                    break  # sorted by start: no later candidate overlaps or touches this one
                b = self._all[t2]
                if (s1 < s2 < e1 < e2 and b.category == "indicator" and t2 not in GENERIC_MEASURES
                        and self._all[t1].category != STOP and text[s2:e2].lower().endswith(RATIO_ENDINGS)):
                    drop.add(i)  # the earlier word is the ratio's base
                if (e1 == s2 and sc2 == "zh" and self._all[t1].category in SECTOR_CATEGORIES
                        and t2 not in ATTRIBUTE_MEASURES and fold_zh(text[s2:e2])[0] in self._heads):
                    drop.add(j)  # the sector's own figure, not the aggregate
        return [c for k, c in enumerate(cands) if k not in drop]

    def relate(self, terms: list[Term], share: bool) -> tuple[list[Term], list[Term]]:
        """(terms, added): a question's terms read through data/relations.tsv. Asked for a share,
        a ratio's numerator (with or without its denominator) is the ratio ("research spending as
        a share of the economy" is R&D intensity); a broad indicator brings the statistics plans
        state it by (consumer spending is reported as retail sales)."""
        ids = [t.id for t in terms]
        added: list[str] = []
        if share:
            for ratio, (num, *den) in self.ratios.items():
                if num in ids and ratio not in ids and ratio in self.terms:
                    ids = [i for i in ids if i != num and i not in den]
                    added.append(ratio)
        for tid in list(ids):
            for rel in self.measured_by.get(tid, ()):
                if rel not in ids and rel not in added and rel in self.terms:
                    added.append(rel)
        kept = [t for t in terms if t.id in ids]
        new = [self.terms[i] for i in added]
        return kept + new, new

    def find_terms(self, text: str, include_units: bool = False) -> list[Term]:
        """Terms found in `text` (English, Simplified or Traditional), in order of first occurrence.

        Units (亿元, percentage points) are left out unless asked for: they are in the
        vocabulary for rendering, and a quote's "metric" should never be its unit.
        """
        seen: dict[str, Term] = {}
        for m in self.matches(text):
            if include_units or m.term.category != "unit":
                seen.setdefault(m.term.id, m.term)
        return list(seen.values())

    def expand(self, text: str, synonyms: bool = False) -> list[str]:
        """Other-language forms of the terms (units aside) in `text`.

        A term written in English expands to its Simplified and Traditional forms, one
        written in Chinese to its English forms. `synonyms=True` also adds the other
        forms in the language it was written in (社零 → 社会消费品零售总额).
        """
        out: list[str] = []
        found = self.matches(text)
        for m in found:
            if m.term.category == "unit":
                continue
            t = m.term
            if m.script == "en":
                out += [*t.zh, *t.zh_hant] + (t.english if synonyms else [])
            else:
                out += t.english + ([*t.zh, *t.zh_hant] if synonyms else [])
        present = {m.text.lower() for m in found}
        return [x for x in _dedupe(out) if x.lower() not in present]


def parse_relations(lines: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(ratios, measured_by) from `relation <TAB> term <TAB> related...` lines (`qualified` lines
    are read by parse_qualified)."""
    ratios: dict[str, tuple[str, ...]] = {}
    measured: dict[str, tuple[str, ...]] = {}
    for n, cols in _relation_lines(lines):
        if cols[0] in ("ratio", "measured_by"):
            (ratios if cols[0] == "ratio" else measured)[cols[1]] = tuple(cols[2:])
    return ratios, measured


def parse_qualified(lines: Iterable[str]) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """broad id -> [(narrower id, English modifiers)] from `qualified NARROW BROAD modifier|…` lines."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for n, cols in _relation_lines(lines):
        if cols[0] == "qualified":
            if len(cols) != 4:
                raise ValueError(f"relations line {n}: expected qualified, a narrower term, a broader term and modifiers")
            out.setdefault(cols[2], []).append((cols[1], tuple(w.strip().lower() for w in cols[3].split("|") if w.strip())))
    return out


def _relation_lines(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.rstrip("\n").split("\t") if c.strip()]
        if len(cols) < 3 or cols[0] not in ("ratio", "measured_by", "qualified"):
            raise ValueError(f"relations line {n}: expected ratio|measured_by|qualified, a term and its related terms: {line!r}")
        yield n, cols


def parse_vocab(lines: Iterable[str]) -> list[Term]:
    terms = []
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            raise ValueError(f"vocab line {n}: expected at least 4 tab-separated columns: {line!r}")
        tid, cat, en, zh = (c.strip() for c in cols[:4])
        explicit = cols[4].strip() if len(cols) > 4 else ""
        english = _dedupe(v.strip() for v in en.split("|"))
        zh_list = _dedupe(v.strip() for v in zh.split("|"))
        extra = _dedupe(v.strip() for v in explicit.split("|"))
        # an explicit form replaces generated ones that read the same: OpenCC writes 糧食麪積
        overridden = {to_simplified(v) for v in extra}
        generated = [h for v in zh_list for h in to_traditional(v) if to_simplified(h) not in overridden]
        hant = _dedupe([*generated, *extra])
        terms.append(Term(tid, cat, english, zh_list, hant))
    return terms


CACHE_VERSION = 1  # raise when parse_vocab or Term change


@lru_cache(maxsize=4)
def load_vocab(path: str | Path | None = None) -> Vocab:
    """The vocabulary in `path` (default: the packaged data/vocab.tsv), parsed once per path.
    The packaged one's terms are kept in the user's cache: generating their Traditional forms
    loads OpenCC's s2tw/s2hk dictionaries (0.2 s, 40 MB) that nothing else in an answer needs."""
    p = Path(path) if path else VOCAB_PATH

    def parse() -> list[Term]:
        with p.open(encoding="utf-8") as f:
            return parse_vocab(f)

    if p != VOCAB_PATH:
        return Vocab(parse())
    from retrieval.knowledge.cache import cache_file, load_or_build

    v = Vocab(load_or_build(cache_file(f"vocab-opencc{opencc_version()}", p, CACHE_VERSION), parse))
    with RELATIONS_PATH.open(encoding="utf-8") as f:
        lines = f.readlines()
    v.ratios, v.measured_by = parse_relations(lines)
    v.qualified = parse_qualified(lines)
    return v


def opencc_version() -> str:
    import opencc

    return str(getattr(opencc, "__version__", "0"))
