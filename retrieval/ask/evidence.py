"""What a sentence says about the question (pure): the asked indicator's figure, the kind of
figure the period implies, whether it names the question's subjects."""
from __future__ import annotations

import re
from typing import Callable, Optional

from retrieval.ask.query import QueryAnalysis, resolve_period
from retrieval.facts.cues import SHARE_BASE
from retrieval.facts.indicator import other_quantity
from retrieval.knowledge.vocab import ATTRIBUTE_MEASURES, GENERIC_MEASURES, RATIO_ENDINGS, Match, load_vocab
from retrieval.text.dates import doc_year
from retrieval.text.script import CJK_RE, script_of
from retrieval.text.tokens import tokenize
from retrieval.types import Figure


# a line of a table as ingest keeps it: cells joined by tabs (.docx) or between pipes (Markdown,
# HTML); its figures' years are in the header, which only their facts hold (facts/tables.py)
TABLE_ROW = re.compile(r"\t|^\s*[|｜]", re.M)


def period_years(analysis: QueryAnalysis, doc_date: Optional[str]) -> set[int]:
    return set(resolve_period(analysis, doc_date))


def wanted_kind(analysis: QueryAnalysis, doc_date: Optional[str]) -> Optional[str]:
    """"target" or "achieved", when the question says which: a target cue, or a period before
    the document's own year (a 2025 report states 2024 results and 2025 targets)."""
    y = doc_year(doc_date)
    years = period_years(analysis, doc_date)
    if getattr(analysis, "wants_target", False):
        # "built by the end of 2024", asked of a report dated 2025: that year is reported on
        if getattr(analysis, "target_by_year_only", False) and years and y is not None and all(x < y for x in years):
            return "achieved"
        return "target"
    if not years and getattr(analysis, "done_asked", False):
        return "achieved"  # "What share did … make up?": done, so a result
    if not years or y is None:
        return None
    if all(x < y for x in years):
        return "achieved"
    if all(x >= y for x in years):
        return "target"
    return None


def metric_figure(sentence: str, figures: list[Figure], asked_ids: set[str], window: int,
                  fits: Optional[Callable[[Figure], bool]] = None) -> tuple[bool, Optional[Figure]]:
    """(matched, figure): whether the sentence names an asked indicator (as a whole term: 单位地区
    生产总值能耗 is energy intensity, not GDP) and the first figure that follows that name within
    `window` characters; with `fits`, the first such figure that fits the question, if any
    (生产总值6.36万亿元、增长5.1%: the growth for "how fast", the amount for "how big")."""
    if not asked_ids:
        return False, None
    matched = False
    first: Optional[Figure] = None
    found = load_vocab().matches(sentence)
    # another indicator named between a name and a figure owns that figure (拉动消费785亿元，网上零售额
    # 增长19％: 19％ is online retail's); a bare measure word (增速) or a unit does not
    owners = [m.start for m in found if m.term.category == "indicator" and m.term.id not in asked_ids
              and m.term.id not in GENERIC_MEASURES]
    attributes = {m.start for m in found if m.term.id in ATTRIBUTE_MEASURES}

    def of_asked(o: int, after: int) -> bool:
        # an attribute measure right after the asked name ("医疗器械产业营业收入305亿元"), or opening
        # the item after its own figure ("重点项目2000多个、完成投资1800多亿元"), is the asked thing's
        return o in attributes and (bool(_OF_NAMED.fullmatch(sentence, after, o))
                                    or any(after <= g.start and _ITEM_OPEN.fullmatch(sentence, g.end, o) for g in figures))
    for m in [*found, *ratio_spans(sentence, found, asked_ids)]:
        if m.term.id not in asked_ids:
            continue
        matched = True
        for f in figures:
            if m.end <= f.start <= m.end + window and not any(m.end <= o < f.start and not of_asked(o, m.end)
                                                              for o in owners) \
                    and not other_quantity(sentence[m.end:f.start], m.term.id):
                # (and no other quantity of it is named between: "粮食播种面积…1255万亩" is an area)
                if fits is None or fits(f):
                    return True, f
                first = first or f
    return matched, first


# a ratio named by its parts: the numerator, then 占/相当于 and the base, then 比重/比例 (研发经费支出
# 相当于全市生产总值的比例达到4.5%左右), or "X as a share of Y"; within one clause
# (the link is the share's base cue that fact extraction reads, cues.SHARE_BASE, or 与 before 之比)
_RATIO_LINK = re.compile(rf"[^，,；;。]{{0,6}}?(?:{SHARE_BASE}|与|與|as\s+a\s+(?:share|percentage|proportion)\s+of)\s*"
                         r"[^，,；;。]{0,6}?$", re.I)
_RATIO_TAIL = re.compile(r"[^，,；;。\d]{0,4}?(?:的)?(?:比重|比例|比值|之比|份额|份額)|", re.I)


def ratio_spans(sentence: str, found, asked_ids: set[str]) -> list:
    """Matches of asked ratios (data/relations.tsv) that the sentence names by their parts: the
    numerator's name, a link word and the base's name in one clause, with the ratio word after the
    base (or, in English, before the numerator's figure). Each spans numerator to ratio word, so the
    figure after it is the ratio's."""
    vocab = load_vocab()
    out = []
    for rid in asked_ids:
        parts = vocab.ratios.get(rid)
        if not parts or rid not in vocab.terms:
            continue
        num, *den = parts
        for a in found:
            if a.term.id != num:
                continue
            for b in found:
                if b.term.id in den and b.start >= a.end and _RATIO_LINK.match(sentence, a.end, b.start):
                    tail = _RATIO_TAIL.match(sentence, b.end)
                    end = tail.end() if tail else b.end
                    if CJK_RE.search(sentence[a.start:b.end]) and end == b.end:
                        continue  # Chinese says which ratio after the base: 占GDP比重, not 占GDP
                    out.append(Match(vocab.terms[rid], a.start, end, a.script, sentence[a.start:end]))
                    break
    return out


def answer_figure(sentence: str, figures: list[Figure], asked_ids: set[str], window: int,
                  fits: Optional[Callable[[Figure], bool]] = None,
                  within: Optional[Callable[[Figure], bool]] = None) -> tuple[bool, Optional[Figure]]:
    """metric_figure, and with `within` (whether a figure's fact, read at ingest, is of the asked
    years) the asked year's figure: a table row's is its column's ("高新技术企业（家）\t268\t300\t350",
    facts/tables.py), and of a sentence's figures of the asked indicator the one of the asked year
    comes before the first one ("储能材料产值412亿元，较2023年的365亿元" asked for 2023). Scoring
    and compose's note both take the answer figure so."""
    def dated(f: Figure) -> bool:
        return (fits is None or fits(f)) and within(f)
    if within is not None and TABLE_ROW.search(sentence):
        return metric_figure(sentence, figures, asked_ids, window, dated)
    matched, fig = metric_figure(sentence, figures, asked_ids, window, fits)
    if matched and fig is not None and within is not None and not within(fig):
        _, then = metric_figure(sentence, figures, asked_ids, window, dated)
        if then is not None and dated(then):
            fig = then
    return matched, fig


# the rest of the asked thing's compound before its measure: 储能|材料产业|产值 is energy-storage
# materials' output value (a few more characters of the same noun, no punctuation between)
_OF_NAMED = re.compile(r"[\u3400-\u9fff]{0,4}?(?:产业|產業|行业|行業|企业|企業|板块|板塊)?(?:的)?(?:全年|年度)?")
_ITEM_OPEN = re.compile(r"\s*[、，,]\s*(?:完成|实现|實現|累计|累計)?")
_CLAUSE_ZH = re.compile(r"[，,；;。！？!?]")
_CLAUSE_EN = re.compile(r";|[.!?](?:\s|$)")  # English commas join far looser than Chinese ones


def term_clauses(sentence: str, found, asked_ids: set[str]) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a sentence that name an asked term."""
    cuts = [0, *(m.end() for m in (_CLAUSE_ZH if CJK_RE.search(sentence) else _CLAUSE_EN).finditer(sentence)),
            len(sentence) + 1]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if any(a <= m.start < b for m in found if m.term.id in asked_ids)]


def free_figures(sentence: str, figures: list[Figure], asked_ids: set[str], window: int) -> list[Figure]:
    """Figures in a clause that names an asked term and that no other indicator owns: none
    follows, within `window` characters, the name of an indicator that was not asked
    (城镇新增就业70万人 is the jobs figure, whatever else is asked)."""
    found = load_vocab().matches(sentence)
    owners = [m.end for m in found if m.term.category == "indicator"
              and m.term.id not in asked_ids and m.term.id not in GENERIC_MEASURES]
    clauses = term_clauses(sentence, found, asked_ids)
    return [f for f in figures if any(a <= f.start < b for a, b in clauses)
            and not any(e <= f.start <= e + window for e in owners)]


def words_number_of(sentence: str, asked_ids: set[str], pattern: re.Pattern) -> bool:
    """Whether a clause naming an asked term holds a figure in words (`pattern`: 六个, 第147位)."""
    clauses = term_clauses(sentence, load_vocab().matches(sentence), asked_ids)
    return any(a <= m.start() < b for m in pattern.finditer(sentence) for a, b in clauses)


# terms a figure is "for": the vocabulary's curated entries (an indicator, industry or policy), not
# the general words seeded from the dictionary (研究, 贸易), whose figure may sit anywhere in a sentence
SUBJECT_CATEGORIES = ("indicator", "industry", "policy")


def asks_subject(analysis) -> bool:
    """Whether a question names an indicator, industry or policy of the vocabulary."""
    return any(t.category in SUBJECT_CATEGORIES for t in (getattr(analysis, "metric_terms", []) or []))


def is_ratio(term) -> bool:
    """Whether an indicator is itself a rate or a share (R&D intensity, the unemployment rate):
    its percentage is its level, not its growth."""
    names = [n.lower() for n in (*term.english[:1], *term.zh[:1])]
    return term.id not in GENERIC_MEASURES and any(n.endswith(RATIO_ENDINGS) for n in names)


def category_fits(kind: str, category: str) -> bool:
    """Whether a figure of `category` can answer a question of `kind`."""
    # A physical quantity (万吨, 亿千瓦) answers "how much" as well as money does.
    return ((kind == category) or (kind == "share" and category in ("share", "growth"))
            or (kind == "amount" and category == "other") or kind in ("target", "other"))


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
