"""What a figure measures: a vocabulary indicator when one is named before it, else the words."""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts.cues import (COUNTING_WORDS, OTHER_QUANTITY, OTHER_QUANTITY_OWNERS, QUANTITY_HEAD,
                                  QUANTITY_HEAD_GENERIC, SHARE_BASE)
from retrieval.facts.spans import clause_bounds
from retrieval.knowledge.vocab import Match

# Verbs and qualifiers between an indicator and its figure: not part of the indicator's name.
_TRAIL = re.compile(r"(?:分别|分別|同比|比上年|较上年|年均|平均|每年|累计|均|共|再|又|已|将|要|力争|确保|预计|实际|實際|"
                    r"增长|增長|提高|提升|下降|降低|减少|达到|达|達到|達|突破|超过|超|为|是|实现|完成|新增|净增|"
                    r"稳定在|控制在|保持在|保持|增至|提高到|提高至|上升到|定为|定在|到|至|约|近|逾|了|的|\s)+$")
_YEARS_SAID = re.compile(r"(?:(?:19|20)\d{2}\s*年(?:度)?(?:以来)?\s*[、，,和与與及至到—\-]?\s*)+")
_CONJUNCTIONS = frozenset({"和", "与", "與", "及", "以及", "或"})
_LEAD = re.compile(r"^(?:全省|全市|全区|全国|全年|其中|今年|去年|[，,、])+")
_PIECE = re.compile(r"[、：:“”\"]|[0-9０-９.．%％]+[^\u4e00-\u9fff]*?(?:[场場个個家项項万亿億人名次]|以上|左右)*")
# an amount's "of" phrase ("438 million tonnes of raw coal") or a count's noun ("420 heavy trucks"):
# a few words, ending before punctuation or a word that opens a clause or a time
_EN_PHRASE_STOP = r"(?:and|in|from|at|last|this|up|down|which|with|was|were|by|to|for|over|than|on|per|compared|while|year-on-year)"
_EN_NOUNS = (rf"((?:(?!(?:{_EN_PHRASE_STOP}|a|an)\b)[A-Za-z][\w\-]*\s*){{1,%d}}?)"
             rf"(?=[,.;:)]|\s+{_EN_PHRASE_STOP}\b|$)")
_EN_OF = re.compile(r"\s+of\s+(?:its\s+|their\s+|the\s+)?" + _EN_NOUNS % 5, re.I)
_EN_COUNTED = re.compile(r"\s+(?:new\s+)?" + _EN_NOUNS % 4, re.I)
_EN_SHARE_UNIT = re.compile(r"(?:percent|per cent|%|percentage points?|per mille)\s*$", re.I)
_EN_AMOUNT_OF = re.compile(r"^.*\d[\d,.]*(?:\s+[A-Za-z\-]+){0,3}?\s+of\s+(?=[A-Za-z])", re.I)
_EN_FIGURE = re.compile(r"\d[\d,.]*\s*(?:%|per ?cent|percentage points?|(?:(?:million|billion|trillion|thousand)\s+)?"
                        r"(?:(?:US |U\.S\. )?[A-Za-z][\w\-]*))?", re.I)
_EN_WORD = re.compile(r"[A-Za-z][\w\-]*")
_EN_FILLER = frozenset("""and or up down an a the of by increase increased increases rise rose rising growth grew grow growing
    year-on-year yoy from to with was were is are be been will would at stable keep kept steady about around over nearly more
    less than compared while which its their it reaching reached reach hitting hit in last this that year years same period
    respectively each per cent percent points point fall fell decline declined drop dropped against versus vs""".split())
_EN_TRAIL = re.compile(r"\b(?:reached|was|were|is|are|of|by|up|to|increased|grew|rose|achieved|a|an|the|with|"
                       r"about|over|more than|nearly|around)\s*$", re.I)


_COUNTING = re.compile(COUNTING_WORDS)
_OTHER_QUANTITY = re.compile(OTHER_QUANTITY)
_ASIDE = re.compile(r"[（(][^（()）]*[）)]")
_QUANTITY_HEAD = re.compile(QUANTITY_HEAD)
_HEAD_GENERIC = re.compile(QUANTITY_HEAD_GENERIC)
_SHARE_BASE = re.compile(SHARE_BASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LISTED = re.compile(r"[、和与與及]")
_DIGITS = re.compile(r"[0-9０-９]")
_BASE_BROKEN = re.compile(r"[、，,；;0-9０-９%％]")
_SHARE_OPENS = re.compile(rf"[，,、\s]*(?:约|約|只|仅|僅|大约|大約|又|已|均|分别|分別)?(?:{SHARE_BASE})")
_MEASURE_WORD = re.compile(r"[个個项項家所条條处處座批场場支款件台套]$")
_COUNTED = re.compile(r"[\u4e00-\u9fff“”\"]{1,12}?(?=[，,。；;、：:）)]|$|[获被为是在纳入达实现完成建成开工]|以上)")


def decide(vocab, sentence: str, clause_start: int, fig_start: int, matches: list[Match],
           fig_end: Optional[int] = None) -> tuple[Optional[str], str]:
    """(vocabulary id or None, the indicator as written). A count names what it counts after
    itself ("29项成果", "159个重大项目"); other figures name their indicator before them."""
    if fig_end is not None and _MEASURE_WORD.search(sentence[fig_start:fig_end]):
        m = _COUNTED.match(sentence, fig_end)
        if m and m.group().strip("“”\""):
            hit = next((x for x in matches if x.term.category == "indicator" and fig_end <= x.start < m.end()), None)
            return (hit.term.id if hit else None), m.group().strip("“”\"")
    best = None
    of_phrase = _en_of_phrase(sentence, fig_end) if fig_end is not None else None
    for m in matches:
        if m.term.category == "indicator" and clause_start <= m.start and m.end <= fig_start \
                and not _share_base(sentence, clause_start, m.start):
            if best is None or m.start >= best.start:
                best = m
    if best is not None and not _CJK.search(sentence) and _en_own_words(sentence[best.end:fig_start]):
        # "GDP growth of around 6 percent and will keep raw coal output stable at about 440 million
        # tonnes": the words after the indicator's own figure name this one's quantity
        best = None
        clause_start = _en_after_last_figure(sentence, clause_start, fig_start)
    if best is not None:
        between = sentence[best.end:fig_start]
        if other_quantity(between, best.term.id) or _modified_head(between):
            # "粮食储备规模达500万吨": grain reserves, a quantity the vocabulary's grain output is not;
            # "企业直接融资规模增长": direct financing, of which enterprises are only the modifier
            return None, _TRAIL.sub("", sentence[best.start:fig_start])[-16:]
        ratio = _ratio_named(vocab, sentence, clause_start, best, fig_start, matches)
        if ratio is not None:
            return ratio, _TRAIL.sub("", sentence[best.start:fig_start])
        return best.term.id, best.text
    if of_phrase is not None:
        # "produced 438 million tonnes of raw coal": English names the quantity after its amount
        a, b = of_phrase
        hit = next((x for x in matches if x.term.category == "indicator" and a <= x.start and x.end <= b), None)
        return (hit.term.id if hit else None), sentence[a:b]
    words = sentence[clause_start:fig_start]
    if re.search(r"[\u4e00-\u9fff]", words):
        # years say when, not what: "2022年、2023年和2024年分别新增42家" names nothing of its own
        words = _YEARS_SAID.sub("", words)
        # only the words tied to this figure: after the last list mark or earlier figure
        words = _PIECE.split(words)[-1]
        words = _LEAD.sub("", _TRAIL.sub("", words))
        if words in _CONJUNCTIONS:
            words = ""  # "…、51家和63家": the list's subject, named before it
        return None, words[-16:]
    for _ in range(3):
        # "rose to 32 percent, compared with 24 percent": a figure after another with no words of
        # its own measures the same quantity, named before the first
        last = None
        for last in _EN_FIGURE.finditer(words):
            pass
        if last is None or _en_content(words[last.end():]):
            break
        words = words[:last.start()]
    for _ in range(3):
        words = _EN_TRAIL.sub("", words).rstrip(" ,")
    # "438 million tonnes of raw coal, up 2.1 percent": the growth is of what the amount before named
    words = _EN_AMOUNT_OF.sub("", words)
    return None, " ".join(words.split()[-6:])


def _ratio_named(vocab, sentence: str, clause_start: int, best: Match, fig_start: int,
                 matches: list[Match]) -> Optional[str]:
    """The ratio (data/relations.tsv) whose numerator is `best` and whose base is named after it as
    a share's base (研发经费支出相当于全市生产总值的比例: R&D intensity, not R&D spending), or None."""
    for ratio, (num, *den) in getattr(vocab, "ratios", {}).items():
        if num == best.term.id and any(m.term.id in den and best.end <= m.start and m.end <= fig_start
                                       and _share_base(sentence, clause_start, m.start) for m in matches):
            return ratio
    return None


def _en_content(words: str) -> list[str]:
    """The words that could name a quantity, without change words, fillers and figures."""
    return [w for w in _EN_WORD.findall(words) if w.lower() not in _EN_FILLER]


def _en_own_words(between: str) -> bool:
    """Whether, after the last figure between an indicator's name and this figure, words name
    something of their own (not "up", "an increase of", "compared with")."""
    last = None
    for last in _EN_FIGURE.finditer(between):
        pass
    return last is not None and bool(_en_content(between[last.end():]))


def _en_after_last_figure(sentence: str, start: int, fig_start: int) -> int:
    last = None
    for last in _EN_FIGURE.finditer(sentence, start, fig_start):
        pass
    return last.end() if last is not None else start


def _en_of_phrase(sentence: str, fig_end: int) -> Optional[tuple[int, int]]:
    """(start, end) of the noun phrase an English amount is of ("438 million tonnes of raw coal"),
    or None: a share ("32 percent of its coal") names its base there, not its quantity."""
    if _CJK.search(sentence):
        return None
    m = _EN_OF.match(sentence, fig_end)
    if m and not _EN_SHARE_UNIT.search(sentence, max(0, fig_end - 20), fig_end):
        return m.start(1), m.end(1)
    if fig_end and sentence[fig_end - 1].isdigit():
        # a count names what it counts after itself: "about 420 hydrogen-fuelled heavy trucks"
        m = _EN_COUNTED.match(sentence, fig_end)
        if m:
            return m.start(1), m.end(1)
    return None


def other_quantity(between: str, indicator_id: str) -> bool:
    """Whether the words between an indicator's name and its figure name another quantity of it
    (cues.OTHER_QUANTITY: a stock, capacity, yield, area or fund) that the indicator is not."""
    between = _ASIDE.sub("", between)  # "地方预算收入（扣除中央补助的部分）为…": a remark, not the head
    return any(indicator_id not in OTHER_QUANTITY_OWNERS.get(m.group(), ()) for m in _OTHER_QUANTITY.finditer(between))


def _modified_head(between: str) -> bool:
    """Whether the words between an indicator's name and its figure end on a quantity head of
    their own after other nouns (cues.QUANTITY_HEAD: "直接融资规模" after 企业), which makes the
    whole phrase the figure's quantity; a generic qualifier alone before the head (总, 实际) does not."""
    words = _TRAIL.sub("", _ASIDE.sub("", between))
    m = _QUANTITY_HEAD.search(words)
    if not m:
        return False
    if _DIGITS.search(words, 0, m.start()):
        return True  # "项目1933个、总金额2.26万亿元": the head opens an item of its own
    if _LISTED.search(words, 0, m.start()):
        return False  # "服务贸易、数字贸易规模": the head is every listed item's, the first one's too
    return bool(_CJK.search(_HEAD_GENERIC.sub("", words[:m.start()])))


def _share_base(sentence: str, clause_start: int, at: int) -> bool:
    """Whether an indicator named at `at` is a share's base ("占本年预算收入的47%"): 占 before it in
    its clause, with no list mark or figure between (in "…占…比重提高4个百分点、税收收入增速高于…"
    the second item's indicator is its own)."""
    last = None
    for last in _SHARE_BASE.finditer(sentence, clause_start, at):
        pass
    return last is not None and not _BASE_BROKEN.search(sentence, last.end(), at)


def _share_only(words: str) -> bool:
    """A clause that opens on the share ("…，占本年预算收入的47.02%"): its subject is the clause before's."""
    return bool(_SHARE_OPENS.match(words or ""))


def decide_in_sentence(vocab, sentence: str, clause_start: int, fig_start: int, matches: list[Match],
                       fig_end: Optional[int] = None) -> tuple[Optional[str], str]:
    """`decide`, and for a figure whose clause names nothing ("国内生产总值达到114万亿元，增长8.1%",
    "今年经济增长速度的宏观调控目标，定为百分之八至九") the subject of the clause before it, as
    Chinese leaves it unsaid: clauses that only say how the figure was counted (按可比价格计算) are
    passed over. A figure whose clause names something keeps it, even when it is not in the vocabulary."""
    found = decide(vocab, sentence, clause_start, fig_start, matches, fig_end)
    if found[0] is not None or not (_subjectless(found[1]) or _only_a_change(sentence[clause_start:fig_start])
                                    or _share_only(sentence[clause_start:fig_start])) \
            or not re.search(r"[\u4e00-\u9fff]", sentence[:fig_start]):
        return found
    end = clause_start
    while end > 0:
        a, b = clause_bounds(sentence, 0, len(sentence), max(0, end - 1))
        if b >= end:  # the separator itself: step over it
            a, b = clause_bounds(sentence, 0, len(sentence), max(0, end - 2))
        if b > end or a >= end:
            break
        words = sentence[a:b]
        if not _COUNTING.sub("", words).strip("，,、 "):
            end = a
            continue
        earlier = decide(vocab, sentence, a, b, matches)
        if earlier[0] is not None or not _subjectless(earlier[1]):
            return earlier
        end = a
    return found


_CHANGE_ONLY = re.compile(r"[，,、\s]*(?:实际)?(?:增长|增加|提高|上升|下降|减少|降低|扩大|缩小)了?[，,、\s]*")


def _only_a_change(words: str) -> bool:
    """A clause that says only how much and against what ("比2002年增长")."""
    return bool(_CHANGE_ONLY.fullmatch(_COUNTING.sub("", words or "")))


def _subjectless(words: str) -> bool:
    return not _COUNTING.sub("", words or "").strip("，,、 ")
