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

    return Vocab(load_or_build(cache_file(f"vocab-opencc{opencc_version()}", p, CACHE_VERSION), parse))


def opencc_version() -> str:
    import opencc

    return str(getattr(opencc, "__version__", "0"))
