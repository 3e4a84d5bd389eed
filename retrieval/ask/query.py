"""Question analysis: language, regions, period, metric and the kind of answer wanted.

`analyse()` is pure (no I/O beyond the packaged vocabulary): the gazetteer is passed in,
and "today" only matters for relative periods when a document has no date. Cue lists are
data at the top of the module; Chinese cues are written in Simplified and matched against
the question folded to Simplified, so Traditional questions need no second list.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Optional

from retrieval.knowledge.regions import Ambiguity, Gazetteer
from retrieval.knowledge.vocab import Match, Term, Vocab, load_vocab
from retrieval.text.fold import fold_zh
from retrieval.text.lang import question_lang
from retrieval.text.script import CJK_RUN_RE, has_cjk
from retrieval.text.segment import cut
from retrieval.text.stopwords import QUESTION_EN_STOP as EN_STOPWORDS, QUESTION_ZH_STOP as ZH_STOPWORDS

# ---- cues -------------------------------------------------------------------------------

# answer kind: the first kind in this order whose cue occurs wins ("GDP growth target" is growth)
KIND_ORDER = ("count", "share", "growth", "target", "amount")
KIND_CUES_EN = {
    "count": r"how many|number of|count of",
    "share": r"what share|share of|what percentage|percentage of|proportion|what portion|percent of|ratio of"
             # the noun before what it does or at the end ("its high-end share be", "market share?"), not the verb
             r"|shares?(?=\s+(?:be|is|are|was|were|will|would|reach(?:ed)?|rise|rose|hit|stand|stood)\b|\s*\?)",
    "growth": r"how fast|how quickly|grow|grew|grown|growing|growth|growth rate|increased?|increases|rise|rose|risen"
              r"|year[- ]on[- ]year|expand(?:ed)?|went up|gone up|go(?:es)? up|climb(?:ed|s)?",
    "target": r"targets?|targeted|targeting|aims?|aimed|aiming|goals?|plans?(?= to| for)|planned|planning to|expects?|expected"
              r"|strives?|projected|forecasts?|seeks? to|intends? to|will|going to"
              # everyday wishes of a place, not of the asker ("I want to know" is no target), for a figure
              # ("want to become" a hub asks what it means to be, not how much)
              r"|(?:wants?|wanted|hopes?|hoping|wish(?:es)?|looking) to(?! (?:know|find|ask|see|check|learn|understand|be|become)\b)",
    "amount": r"how much|how big|how large|size of|scale of|value of|total|volume of|how high|what level"
              r"|\bworth\b(?! (?:it|visiting|seeing|noting|mentioning)\b)",  # what a trade is worth: its value
}
KIND_CUES_ZH = {
    "count": r"多少(?:个|家|项|座|名|人|户|条|所|款|只|批|次)|几(?:个|家|项|座|名|条|所|批)|数量|数目",
    "share": r"比重|占比|比例|占.{0,8}(?:多少|百分之|%)|百分比",
    "growth": r"增长|增速|增幅|增长率|同比|提高了?多少|上升|涨|增加了?多少|增了多少|多了多少|升了多少",
    # 想 as a place's wish (想知道, 想问 are the asker's), 冲到/拉到/要突破 as its reach; not 希望, which
    # questions on stories use for any hope (让荷兰人燃起反扑的希望)
    "target": r"目标|力争|预期|计划|预计|争取|打算|要求达到|规划|(?<![理思设构联梦])想(?!知道|问|了解|查|看|请教|成为|当)"
              r"|冲到|冲刺|拉到|要(?:达到|冲|拉|升|提|突破|做到|实现)",
    "amount": r"多少|总额|规模|总量|几何|达到|有多大|多大|多高",
}
# words for a quantity: a target question naming one asks for a figure even when its subject is
# an industry, not an indicator ("Ningde's lithium-battery output target", 锂电池产值目标)
QUANTITY_CUES = re.compile(r"\b(?:output|production|capacity|value|revenue|sales|volume|turnover|scale)\b"
                           r"|产值|产量|产能|规模|营收|收入|销量|总量|销售额", re.I)
# questions for a time, a place, a name or a reason: not a figure, whatever indicator they name
# ("In which century did Strasbourg's population triple?", 从何时开始推动…, 规定于何)
NOT_FIGURE_EN = re.compile(r"\b(?:when|where|which|who|whom|whose|why|what year|what century)\b", re.I)
NOT_FIGURE_ZH = re.compile(r"何时|何年|何处|何地|何种|于何|为何|哪|谁|什么时候|什么地方|几世纪|西元几年|公元几年")
# vocabulary terms that are themselves cues and so must not be masked before cue matching
CUE_TERMS = {"growth_rate", "main_targets"}
FIGURE_KINDS = {"amount", "growth", "share", "count"}
NOT_METRIC = {"unit", "period"}  # 十四五 is when, not what
# Kinds of zone: right after a place's name they name the place ("the Liuyang development
# zone", 浏阳经开区, 苏州工业园区), not what is asked about it
ZONE_TERMS = frozenset({"development_zones", "high_tech_zones", "free_trade_zone", "industrial_parks"})
# English words that, in the singular, name a trade rather than its firms: "the tea business" is
# the trade (its output, its sales), "tea businesses" are enterprises
TRADE_SENSE_EN = frozenset({"business"})

RELATIVE_EN = [
    ("this_year", r"this year|current year|so far this year|this year's"),
    ("last_year", r"last year|past year|previous year|a year ago|prior year|the year before(?! last)"),
    ("next_year", r"next year|coming year|following year"),
    ("year_before_last", r"year before last|two years ago"),
]
RELATIVE_ZH = [
    ("this_year", r"今年|本年度|本年|当年"),
    ("last_year", r"去年|上年|上一年|过去一年|前一年"),
    ("next_year", r"明年|下一年|来年|下年"),
    # 前年 is two years back, unless it ends a word (目前|年均, 提前|年底, 空前, 之前)
    ("year_before_last", r"(?<![目提空此之以超向当眼事往从日])前年(?![均度])"),
]
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
             "fourteenth": 14, "fifteenth": 15, "sixteenth": 16}
_FYP_EN = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+five[- ]year\s+plan|\b(" + "|".join(_ORDINALS)
                     + r")\s+five[- ]year\s+plan|\b(\d{1,2})(?:st|nd|rd|th)\s+fyp\b", re.I)
_FYP_ZH = re.compile(r"十([一二三四五六])五|第十([一二三四五六])个五年(?:规划|计划)")
_ZH_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0"}
_ZH_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")
_NUM = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
# a 4-digit number followed by one of these is an amount, not a year
_NOT_YEAR_AFTER = re.compile(
    r"\s*(?:亿|万|千|百|元|个|家|人|吨|亩|多|余|平方|公里|项|户|件|台|辆|%|％"
    r"|(?:yuan|rmb|million|billion|trillion|thousand|people|persons|enterprises|companies|firms|projects"
    r"|tons?|tonnes?|households|units|km|mu|jobs|times)\b)", re.I)
_BY_YEAR_EN = re.compile(r"\bby\s+(?:the\s+)?(?:end\s+of\s+)?(?:year\s+)?((?:19|20)\d\d)\b", re.I)
_BY_YEAR_ZH = re.compile(r"(?:(?<![年\d])(?:到|至)\s*((?:19|20)\d\d)年?|((?:19|20)\d\d)年底?(?:以)?前)")

_ZH_PUNCT = re.compile(r"[\s，。？！、：；,.?!:;“”‘’\"'「」『』（）()《》【】\-—]+")


@dataclass
class QueryAnalysis:
    question: str
    lang: str  # "en", "zh-Hans", "zh-Hant"
    regions: list[str] = field(default_factory=list)  # region ids, in text order
    region_names: list[str] = field(default_factory=list)  # the spans that named them
    years: list[int] = field(default_factory=list)  # explicit years, in text order
    relative: Optional[str] = None  # this_year, last_year, next_year, year_before_last, five_year_plan, by_year
    five_year_plan: Optional[int] = None  # 14 for 十四五 when relative == "five_year_plan"
    metric_terms: list[Term] = field(default_factory=list)
    answer_kind: str = "other"  # amount, growth, share, target, count, other
    wants_target: bool = False  # a target cue was present (also when answer_kind is growth/count)
    # wants_target came only from "by 2024" / 到2024年, with no target word: a year the
    # document has already reported on then asks for the result (evidence.wanted_kind)
    target_by_year_only: bool = False
    names_quantity: bool = False  # the question names a quantity (output, 产值, 规模): QUANTITY_CUES
    # English "how much" asks an amount that no count answers ("How much money…" is not "1782 banks");
    # Chinese 多少 asks either (多少企业 is a count), so it sets nothing
    mass_asked: bool = False
    # "How much cotton did it harvest?", 去年产了多少吨钢: a physical quantity made or harvested, which no
    # money figure answers (a crop's 全产业链产值 in 亿元 is its trade's value, not its output)
    output_asked: bool = False
    # an amount of money asked with no indicator named ("How much were its tea shipments worth?", 卖了多少钱):
    # a figure in tonnes or people is no answer (scoring, abstain.amount_not_stated)
    money_asked: bool = False
    # the thing a Chinese question asks the output of, as written after the measure word (去年产了多少吨粗钢
    # -> 粗钢): a quote that never names it gives some other thing's tonnes (pipeline.compose_answer)
    made_thing: str = ""
    # no time named and no target cue, but the words say it is done ("What share did … make up?",
    # 占了多大比例): the latest result is asked, not a plan's goal (evidence.wanted_kind)
    done_asked: bool = False
    wants_figure: bool = False
    expansions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    # the words that say where, in both scripts: the named places, their other names, and a
    # zone's words right after them ("Liuyang development zone") -- no evidence of what is asked
    place_words: list[str] = field(default_factory=list)
    # names several places carry that the question does not settle (gazetteer.read_question)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    today: datetime.date = field(default_factory=datetime.date.today)
    # indicator id -> strength: indicators asked for by meaning, not by a listed phrase
    # (ask/meaning.py; set by add_meaning, which needs the encoder)
    meant: dict[str, float] = field(default_factory=dict)
    meant_words: dict[str, str] = field(default_factory=dict)  # ...and the question's words for each (folded)
    meant_subsumed: list[Term] = field(default_factory=list)  # listed terms read inside those words


# ---- helpers ----------------------------------------------------------------------------

def _simplified(text: str) -> str:
    return fold_zh(text)[0]  # lower case, Simplified, quotes out: for cue matching only


def find_years(text: str) -> list[int]:
    """Explicit years: 2024, in 2023, 2024年, 二〇二四年, 2021-2025. Amounts (2025亿元) are not years."""
    found: list[tuple[int, int]] = []
    for m in _NUM.finditer(text):
        s = m.group()
        if len(s) != 4 or not s.isdigit() or not 1950 <= int(s) <= 2099:
            continue
        if text[m.end():m.end() + 1] != "年" and _NOT_YEAR_AFTER.match(text, m.end()):
            continue
        found.append((m.start(), int(s)))
    for m in _ZH_YEAR.finditer(text):
        found.append((m.start(), int("".join(_ZH_DIGITS[c] for c in m.group(1)))))
    return list(dict.fromkeys(y for _, y in sorted(found)))


def find_relative(text: str) -> tuple[Optional[str], Optional[int]]:
    """The first relative period named in the question, and the five-year plan's number."""
    hits: list[tuple[int, str, Optional[int]]] = []
    simp = _simplified(text)
    for m in _FYP_EN.finditer(text):
        n = m.group(1) or m.group(3)
        hits.append((m.start(), "five_year_plan", int(n) if n else _ORDINALS[m.group(2).lower()]))
    for m in _FYP_ZH.finditer(simp):
        hits.append((m.start(), "five_year_plan", 10 + "一二三四五六".index(m.group(1) or m.group(2)) + 1))
    for rel, pat in RELATIVE_EN:
        for m in re.finditer(rf"\b(?:{pat})\b", text, re.I):
            hits.append((m.start(), rel, None))
    for rel, pat in RELATIVE_ZH:
        for m in re.finditer(pat, simp):
            hits.append((m.start(), rel, None))
    for m in (*_BY_YEAR_EN.finditer(text), *_BY_YEAR_ZH.finditer(simp)):
        hits.append((m.start(), "by_year", None))
    if not hits:
        return None, None
    _, rel, plan = min(hits, key=lambda h: h[0])
    if rel != "five_year_plan":  # a plan named anywhere still defines its years
        plan = next((p for _, r, p in hits if r == "five_year_plan"), None)
    return rel, plan


def plan_years(n: int) -> range:
    """Years of the n-th Five-Year Plan: the 3rd ran 1966–1970 and every later one follows on."""
    if n == 1:
        return range(1953, 1958)
    if n == 2:
        return range(1958, 1963)
    start = 1966 + 5 * (n - 3)
    return range(start, start + 5)


def resolve_period(analysis: QueryAnalysis, doc_date: str | None) -> set[int]:
    """The years the question asks about, read against a document's date.

    A report dated "2025" calls 2024 "last year" and 2025 "this year"; without a document
    date the question's own date (`analysis.today`) is the reference. 十四五 is 2021–2025.
    An empty set means the question names no period.
    """
    years = set(analysis.years)
    m = re.match(r"\s*(\d{4})", doc_date or "")
    ref = int(m.group(1)) if m else analysis.today.year
    rel = analysis.relative
    if rel == "this_year":
        years.add(ref)
    elif rel == "last_year":
        years.add(ref - 1)
    elif rel == "next_year":
        years.add(ref + 1)
    elif rel == "year_before_last":
        years.add(ref - 2)
    if analysis.five_year_plan:
        years.update(plan_years(analysis.five_year_plan))
    elif rel == "five_year_plan":
        years.update(plan_years(14))
    return years


def _region_forms(gazetteer: Gazetteer, rid: str) -> tuple[list[str], list[str]]:
    """(English names, Chinese names) of a region."""
    r = gazetteer.get(rid)
    names = [n for n in dict.fromkeys([r.name, r.name_zh, r.name_zh_hant, *r.aliases]) if n]
    # single-character abbreviations (冀, 粤) match far too much text to help retrieval
    zh = [n for n in names if has_cjk(n) and len(n) >= 2]
    en = [n for n in names if not has_cjk(n)]
    return en, zh


_EN_GROWTH = re.compile(r"\b(?:growth|grow|grew|grown|growing)\b", re.I)
# "how much rice do the farms grow": a noun right after "how much/many" is what is grown, so the
# verb is "cultivate, produce", not "increase" (an auxiliary, a comparative or "percent" there
# leaves it a growth question: "how much will GDP grow", "how many percent did it grow")
_EN_GROW_VERB = re.compile(r"\b(?:grow|grew|grown|growing)\b", re.I)
_EN_GROWN_OBJECT = re.compile(
    r"\bhow\s+(?:much|many)\s+(?!(?:did|does|do|will|would|could|can|should|has|have|had|is|was|are|were|been|be"
    r"|percent|percentage|per|more|less|faster|slower|further|higher|lower|bigger|larger)\b)[a-z][a-z-]*\b", re.I)
_HOW_MUCH = re.compile(r"\bhow much\b(?!\s+(?:time|longer|later|earlier|older|younger)\b)", re.I)  # time: a duration, often no figure
# the thing made is named ("how much cotton did…", 产了多少吨钢): "How much should the mills make" asks
# the factories' output value, in yuan
_OUTPUT_EN = re.compile(r"\bhow (?:much|many)\s+(?!(?:did|does|do|will|would|should|could|can|is|are|was|were|has|have|had)\b)"
                        r"[\w-]+(?:\s+[\w'’-]+){0,6}?\s+(?:produce|produced|producing|harvest|harvested|mine|mined"
                        r"|turn(?:ed)? out)\b", re.I)
_OUTPUT_ZH = re.compile(r"(?:生|出|收)?产了?多少(?=[\u4e00-\u9fff])(?!钱)|收获了?多少(?=[\u4e00-\u9fff])|产出了?多少(?=[\u4e00-\u9fff])"
                        r"|产量")  # 钢铁产量多少: the quantity made, named before the word
# the thing made after 多少 and its measure word, up to the question's end (产了多少吨粗钢？)
_MADE_THING_ZH = re.compile(r"(?:生|出|收)?产了?多少(?:万|亿|千|百)?(?:吨|公斤|千克|斤|担|台|辆|部|件|头|只|个|套|艘|架|箱|株|颗|片|"
                            r"立方米|方|千瓦时|度|千瓦|兆瓦|吉瓦|平方米|米|升|桶)?(?P<thing>[\u4e00-\u9fff]{1,8}?)"
                            r"(?:了|呢|啊|呀|吗)?(?=[？?。!！，,]|\s*$)")
_MONEY_WORDS = re.compile(r"\b(?:money|worth|value|revenue|yuan|dollars?|earn(?:ed)?|income|sales|sell|sold|spen[dt]"
                          r"|invest(?:ed)?|cost)\b|钱|元|产值|收入|营收|销售|值多少", re.I)
_MONEY_ASKED = re.compile(r"\b(?:value|worth|money|cost|costs|spend|spent|revenue|income|earn(?:ed|s)?|yuan|dollars?)\b"
                          r"|多少钱|值多少|价值|金额", re.I)
_DONE_EN = re.compile(r"^\s*(?:(?:how|what|which)(?:\s+[\w'’-]+){0,5}\s+)?(?:did|was|were|had)\b", re.I)
# a verb's perfective 了 (占了, 达到了, 卖了): not 了吗 or 为了, nor 了解
_DONE_ZH = re.compile(r"(?<![为除])(?<=[\u4e00-\u9fff])了(?![解吗])")
_RATE_WORDS = re.compile(r"\b(?:rates?|ratios?|shares?|percent|percentage|proportion|intensity|times|multiple|rank(?:ed|ing)?)\b", re.I)
_PURPOSE_GROWTH = re.compile(
    r"\b(?:to|for|that)\s+(?:(?:help|helps|will|would)\s+)?(?:back|backs|support|supports|boost|boosts|spur|spurs|drive|drives"
    r"|promote|promotes|stabili[sz]e|stabili[sz]es|sustain|sustains|stimulate|stimulates|aid|fuel|fuels|underpin|shore up)"
    r"\s+(?:(?:economic|the economy's|its|local|steady|stable)\s+)?growth\b|\bfor\s+(?:economic\s+)?growth\b"
    r"|[稳穩促保]增长|[稳穩促保]增長", re.I)
# Chinese growth words read even inside a listed term (经济增速, 经济增长 are GDP names, and the
# question asks for GDP's growth); 增加 stays masked, so 增加值 (value added) is no growth cue
_ZH_GROWTH_IN_TERM = re.compile(r"增长|增速|增幅|涨幅")
# a rate asked for (利率、税率是多少) is a percentage: a share-like figure, not an amount; 增长率
# and 增速 stay growth
_ZH_RATE = re.compile(r"(?<!增长)(?<!增)率[^，。？！]{0,6}(?:多少|几成|百分之)")


def word_edges(text: str) -> set[int]:
    """Offsets in `text` where a segmented word starts or ends (read for the Chinese matches only)."""
    folded, idx = fold_zh(text)
    edges = {0, len(text)}
    pos = 0
    for w in cut(folded):
        edges.add(idx[pos] if pos < len(idx) else len(text))
        pos += len(w)
        edges.add(idx[pos - 1] + 1 if 0 < pos <= len(idx) else len(text))
    return edges


def straddles(m: Match, edges: set[int]) -> bool:
    """A Chinese term found across two words, beginning inside one and ending inside the next
    (通航 in 小三通|航线): the words are others, not the term."""
    return m.script == "zh" and m.start not in edges and m.end not in edges


def grows_a_thing(question: str) -> bool:
    """Whether "grow" in an English question takes an object (crops grown), not a rate."""
    return bool(_EN_GROWN_OBJECT.search(question)) and not re.search(r"\bgrowth\b", question, re.I)


def _kind(masked: str, question: str = "") -> tuple[str, bool]:
    """(answer kind, whether a target cue occurs) from the question with its terms blanked out.

    English "growth" is also read from the unmasked question: "economic growth rate" is a
    growth question even though "economic growth" is a vocabulary term (Chinese terms stay
    masked so that 增加值 is not read as 增加)."""
    # growth as a purpose ("money set aside to back growth", 稳增长) is not what is asked
    masked, question = _PURPOSE_GROWTH.sub(" ", masked), _PURPOSE_GROWTH.sub(" ", question)
    simp = _simplified(masked)
    found = set()
    for kind in KIND_ORDER:
        if re.search(rf"\b(?:{KIND_CUES_EN[kind]})\b", masked, re.I) or re.search(KIND_CUES_ZH[kind], simp):
            found.add(kind)
    if _EN_GROWTH.search(question) or _ZH_GROWTH_IN_TERM.search(_simplified(question)):
        found.add("growth")
    if grows_a_thing(question):
        # the verb "grow" with an object: growth only if another cue says so
        rest = _EN_GROW_VERB.sub(" ", masked)
        if not re.search(rf"\b(?:{KIND_CUES_EN['growth']})\b", rest, re.I):
            found.discard("growth")
    if _ZH_RATE.search(_simplified(masked)):
        found.add("share")
    kind = next((k for k in KIND_ORDER if k in found), "other")
    return kind, "target" in found


def _keywords(question: str, spans: list[tuple[int, int]]) -> list[str]:
    """Content words: named regions and vocabulary terms kept whole, the rest segmented."""
    out: list[str] = []
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for s, e in sorted(spans):
        if s < pos:
            continue
        pieces += [(question[pos:s], False), (question[s:e], True)]
        pos = e
    pieces.append((question[pos:], False))
    for piece, whole in pieces:
        if whole:
            if _simplified(piece.strip()) not in ZH_STOPWORDS:  # a relative year kept apart, then dropped as ever
                out.append(piece.strip("“”\"'「」 "))
            continue
        for m in re.finditer(r"[A-Za-z][A-Za-z0-9&\-]*(?:['’]s)?|\d+(?:[.,]\d+)*%?|[\u3400-\u9fff\uf900-\ufaff]+", piece):
            tok = re.sub(r"['’]s$", "", m.group())
            if has_cjk(tok):
                for w in cut(tok):
                    if w.strip() and _simplified(w) not in ZH_STOPWORDS and not _ZH_PUNCT.fullmatch(w):
                        out.append(w)
            elif tok.lower() not in EN_STOPWORDS:
                out.append(tok)
    return list(dict.fromkeys(k for k in out if k))


# ---- the analysis -----------------------------------------------------------------------

KIND_EXPANSIONS = {  # cue words in the other language, so that lexical search sees them too
    "growth": (["增长", "增速", "增幅"], ["growth", "grew", "increase", "up"]),
    "share": (["比重", "占比"], ["share", "proportion", "percent"]),
    "target": (["目标", "力争", "预期"], ["target", "goal", "strive"]),
}
RELATIVE_EXPANSIONS = {
    "this_year": (["今年"], ["this year"]),
    "last_year": (["去年", "上年", "过去一年"], ["last year"]),
    "next_year": (["明年"], ["next year"]),
    "year_before_last": (["前年"], ["year before last"]),
}


def analyse(question: str, today: datetime.date | None = None, gazetteer: Gazetteer | None = None,
            vocab: Vocab | None = None, assume: tuple[tuple[int, int, str], ...] = ()) -> QueryAnalysis:
    """Analyse a question in English, Simplified or Traditional Chinese (see QueryAnalysis).
    `assume`: (start, end, region id) for ambiguous names already read as one place
    (retrieval.ask.places), which then count as named."""
    vocab = vocab or load_vocab()
    q = question or ""
    a = QueryAnalysis(question=q, lang=question_lang(q), today=today or datetime.date.today())
    english_q = a.lang == "en"

    region_spans: list[tuple[int, int]] = []
    if gazetteer is not None:
        found, ambiguous = gazetteer.read_question(q)
        taken = {(s, e) for s, e, _ in assume}
        a.ambiguous = [x for x in ambiguous if (x.start, x.end) not in taken]
        found = sorted([*found, *((rid, s, e) for s, e, rid in assume)], key=lambda m: m[1])
        for rid, s, e in found:
            region_spans.append((s, e))
            if rid not in a.regions:
                a.regions.append(rid)
                a.region_names.append(q[s:e])

    def in_region(m: Match) -> bool:  # 铜 in 铜仁市 is the city, not copper
        return any(s < m.end and m.start < e for s, e in region_spans)

    edges = word_edges(q) if has_cjk(q) else set()
    matches = [m for m in vocab.matches(q) if not in_region(m) and not straddles(m, edges)]
    def names_zone(m: Match) -> bool:
        return m.term.id in ZONE_TERMS and any(e <= m.start and not q[e:m.start].strip(" '’s") for _, e in region_spans)

    metric = [m for m in matches if m.term.category not in NOT_METRIC and not names_zone(m)
              and not (m.script == "en" and m.text.lower() in TRADE_SENSE_EN)]
    zones = [m.term for m in matches if names_zone(m)]
    a.place_words = [*a.region_names, *(n for t in zones for n in (*t.english, *t.zh, *t.zh_hant))]
    a.metric_terms = list({m.term.id: m.term for m in metric}.values())

    a.years = find_years(q)
    a.relative, a.five_year_plan = find_relative(q)

    masked = list(q)
    for m in matches:
        if m.term.id not in CUE_TERMS and m.term.category != "unit":  # "percent" is a share cue
            masked[m.start:m.end] = " " * (m.end - m.start)
    a.answer_kind, a.wants_target = _kind("".join(masked), q)
    # indicators the words name through others (data/relations.tsv): a ratio asked as a share
    # of its base, the statistics a broad indicator is stated by
    a.metric_terms, related = vocab.relate(a.metric_terms, share=a.answer_kind == "share")
    a.metric_terms = _qualified(a.metric_terms, q, vocab)
    has_indicator = any(t.category == "indicator" for t in a.metric_terms)
    asks_other = bool(NOT_FIGURE_EN.search(q) or NOT_FIGURE_ZH.search(_simplified(q)))
    if a.answer_kind == "other" and has_indicator and not asks_other:
        a.answer_kind = "amount"  # "What was Zhejiang's GDP last year?" asks for a figure
    if a.relative == "by_year" and a.answer_kind in ("other", "amount"):
        a.target_by_year_only = not a.wants_target
        a.wants_target = True
        a.answer_kind = "target" if a.answer_kind == "other" else a.answer_kind
    a.names_quantity = bool(QUANTITY_CUES.search(_simplified(q)))
    a.mass_asked = a.answer_kind == "amount" and bool(_HOW_MUCH.search(q)) and not _RATE_WORDS.search(q)
    a.done_asked = (not a.wants_target and not a.years and a.relative is None
                    and bool(_DONE_EN.search(q) or _DONE_ZH.search(_simplified(q))))
    a.output_asked = (a.answer_kind in ("amount", "count", "target") and not _RATE_WORDS.search(q)
                      and bool(_OUTPUT_EN.search(q) or _OUTPUT_ZH.search(_simplified(q)))
                      and not _MONEY_WORDS.search(_simplified(q)))
    made = _MADE_THING_ZH.search(_simplified(q)) if a.output_asked else None
    a.money_asked = (a.answer_kind == "amount" and not has_indicator
                     and bool(_MONEY_ASKED.search(_simplified("".join(masked)))))
    a.made_thing = made.group("thing") if made else (_thing_before_output(_simplified(q)) if a.output_asked else "")
    if a.answer_kind == "other" and not asks_other and QUANTITY_CUES.search(_simplified("".join(masked))):
        a.answer_kind = "amount"  # "the zone's appliance output in 2023" asks for a figure
    if a.answer_kind == "target" and QUANTITY_CUES.search(_simplified("".join(masked))):
        a.answer_kind = "amount"  # "an output target" asks for an amount (wants_target stays)
    if a.answer_kind == "target" and not has_indicator and re.search(KIND_CUES_ZH["amount"], _simplified("".join(masked))):
        a.answer_kind = "amount"  # 家电市场想卖到多少钱: how much it aims at, with no indicator named
    a.wants_figure = a.answer_kind in FIGURE_KINDS or (a.answer_kind == "target" and has_indicator)

    exp: list[str] = []
    for m in metric:
        t = m.term
        if m.script == "en":
            exp += [*t.zh, *t.zh_hant]
        else:  # Chinese synonyms too: the corpus is mostly Chinese (社零 → 社会消费品零售总额)
            exp += [*t.english, *t.zh, *t.zh_hant]
    for t in related:
        exp += [*t.zh, *t.zh_hant] if english_q else [*t.english, *t.zh, *t.zh_hant]
    for rid in a.regions:
        en, zh = _region_forms(gazetteer, rid)
        exp += zh if english_q else en
        a.place_words += en + zh
    exp += [f"{y}年" for y in a.years] if english_q else [str(y) for y in a.years]
    if a.relative in RELATIVE_EXPANSIONS:
        zh, en = RELATIVE_EXPANSIONS[a.relative]
        exp += zh if english_q else en
    if a.five_year_plan:
        exp += ([f"十{'一二三四五六'[a.five_year_plan - 11]}五"] if 11 <= a.five_year_plan <= 16 else []) \
            if english_q else [f"{a.five_year_plan}th Five-Year Plan"]
    if a.relative == "by_year":
        exp += [f"到{y}年" for y in a.years] if english_q else [f"by {y}" for y in a.years]
    kinds = [a.answer_kind] + (["target"] if a.wants_target and a.answer_kind != "target" else [])
    for k in kinds:
        if k in KIND_EXPANSIONS:
            zh, en = KIND_EXPANSIONS[k]
            exp += zh if english_q else en
    present = _simplified(q)
    a.expansions = [x for x in dict.fromkeys(exp) if x and _simplified(x) not in present]

    year_spans = [(m.start(), m.end()) for m in _ZH_YEAR.finditer(q)]
    # a relative year is one word, whatever the segmenter makes of it with its neighbours (去年产了
    # cuts 去|年产: "annual output" out of "last year" and "produced")
    simp = _simplified(q)
    year_spans += [(m.start(), m.end()) for _, pat in RELATIVE_ZH for m in re.finditer(pat, simp)] \
        if len(simp) == len(q) else []
    a.keywords = _keywords(q, region_spans + year_spans + [(m.start, m.end) for m in matches])
    return a


_NOT_A_THING = frozenset({"年", "的", "去年", "今年", "全年", "前年", "总", "年度", "实际", "全市", "全县", "全省"})


def _thing_before_output(q: str) -> str:
    """The word right before 产量 in a Chinese question (磷肥产量 -> 磷肥), when it names a thing."""
    words = [w for w in cut(q) if w.strip()]
    for i, w in enumerate(words):
        if w == "产量" and i > 0 and CJK_RUN_RE.fullmatch(words[i - 1]) and words[i - 1] not in _NOT_A_THING:
            return words[i - 1]
    return ""


def _qualified(terms: list[Term], q: str, vocab: Vocab) -> list[Term]:
    """A broad term that an English modifier elsewhere in the question narrows (data/relations.tsv
    `qualified`): "companies … above designated size" ask for above-size enterprises, which
    sources count apart from companies at large."""
    low = " ".join(q.lower().split())
    qualified = getattr(vocab, "qualified", {})
    out, used = [], set()
    for t in terms:
        narrow = next(((n, mods) for n, mods in qualified.get(t.id, ())
                       if n in vocab.terms and any(re.search(rf"\b{re.escape(w)}\b", low) for w in mods)), None)
        out.append(vocab.terms[narrow[0]] if narrow else t)
        if narrow:
            used.add(narrow)
    # "industrial output of enterprises above designated size": once the output is narrowed, the
    # firms named only to carry the modifier are not asked for themselves (their count is no answer)
    carriers = {n for pairs in qualified.values() for n, mods in pairs
                if any(n != m and set(mods) & set(ms) for m, ms in used)}
    narrowed = {n for n, _ in used}
    return list({t.id: t for t in out if t.id in narrowed or t.id not in carriers}.values())


def _meant_ratios(a: QueryAnalysis, vocab: Vocab) -> list[Term]:
    """Asked for a share, a ratio whose numerator is asked for by meaning is the ratio, as it is
    when the numerator is a listed phrase (Vocab.relate): R&D words read as R&D spending by
    meaning, in a question asking for a share of GDP, ask for R&D intensity, not GDP. The ratio becomes a listed term of the analysis
    (the numerator's words and the share cue name it as surely as its own name would), its
    numerator and denominators are no longer asked for themselves. The ratios added, in order."""
    if a.answer_kind != "share":
        return []
    added: list[Term] = []
    listed = {t.id for t in a.metric_terms}
    for ratio, (num, *den) in vocab.ratios.items():
        if num not in a.meant or ratio in listed or ratio not in vocab.terms:
            continue
        a.meant.pop(num)
        a.meant_words.pop(num, None)
        a.metric_terms = [t for t in a.metric_terms if t.id not in den] + [vocab.terms[ratio]]
        listed.add(ratio)
        added.append(vocab.terms[ratio])
    return added


def add_meaning(a: QueryAnalysis, meant: dict[str, float], subsumed: frozenset = frozenset(),
                words: dict[str, str] | None = None, vocab: Vocab | None = None) -> QueryAnalysis:
    """The analysis with the indicators asked for by meaning (ask/meaning.py: id -> strength, all
    strong): as a listed indicator does, each makes a figure question of a question that asks for
    no other kind, and brings its names in the other script(s) into the lexical query. The listed
    terms read inside their words (`subsumed`: "GDP" in "R&D measured against GDP") are no longer
    asked for themselves."""
    if not meant:
        return a
    vocab = vocab or load_vocab()
    a.meant, a.meant_words = dict(meant), dict(words or {})
    a.meant_subsumed = [t for t in a.metric_terms if t.id in subsumed]
    a.metric_terms = [t for t in a.metric_terms if t.id not in subsumed]
    ratios = _meant_ratios(a, vocab)
    terms = [vocab.get(t) for t in a.meant if t in vocab] + ratios
    asks_other = bool(NOT_FIGURE_EN.search(a.question) or NOT_FIGURE_ZH.search(_simplified(a.question)))
    if a.answer_kind == "other" and terms and not asks_other:
        a.answer_kind = "amount"
    a.wants_figure = a.answer_kind in FIGURE_KINDS or (a.answer_kind == "target" and bool(terms)) or a.wants_figure
    exp = list(a.expansions)
    for t in terms:
        exp += [*t.zh, *t.zh_hant] if a.lang == "en" else [*t.english, *t.zh, *t.zh_hant]
    present = _simplified(a.question)
    a.expansions = [x for x in dict.fromkeys(exp) if x and _simplified(x) not in present]
    return a
