"""Figures in one sentence (English, Simplified or Traditional Chinese), normalised.

Pure functions, no I/O. Full-width and Traditional forms are matched in place rather than
rewritten first, so offsets stay exact: `sentence[f.start:f.end] == f.text` always.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Optional

from retrieval.types import Figure

__all__ = [
    "extract_figures", "classify_kind", "render_english", "render_chinese",
    "parse_number", "has_figure", "figure_category",
]

# ----------------------------------------------------------------------------- script helpers
# Simplified -> Traditional for every character a pattern below uses, so one pattern matches
# both scripts without converting the sentence (opencc can change lengths and break offsets).
_TRAD = dict(p for p in (
    "万萬 亿億 个個 项項 吨噸 亩畝 点點 标標 准準 辆輛 户戶 时時 场場 币幣 欧歐 门門 园園 区區 业業 总總 链鏈 务務 "
    "条條 处處 两兩 实實 现現 达達 过過 预預 争爭 确確 计計 划劃 将將 长長 来來 较較 额額 约約 于於 余餘 内內 规規 "
    "机機 构構 产產 净淨 涨漲 盖蓋 顷頃 钟鐘 台臺 国國 学學 医醫 开開 发發 厂廠 车車 间間 纲綱 紧緊 闻聞 节節 签簽 级級 "
    "岁歲 张張 种種 占佔 头頭 担擔 马馬 伏伏"
).split())
_T2S = {t: s for s, t in _TRAD.items() if s != t}


def _z(s: str) -> str:
    """Regex source matching `s` in either script."""
    return "".join(f"[{c}{_TRAD[c]}]" if c in _TRAD and _TRAD[c] != c else re.escape(c) for c in s)


def _alt(words) -> str:
    """Alternation in either script, longest first so that 个百分点 wins over 个."""
    return "|".join(_z(w) for w in sorted(words, key=len, reverse=True))


def _simp(s: str) -> str:
    return "".join(_T2S.get(c, c) for c in s)


_FW = str.maketrans("０１２３４５６７８９．，／％－", "0123456789.,/%-")

# ----------------------------------------------------------------------------- numbers
_D = "[0-9０-９]"
# "8 ．8 ％": typeset reports space out a full-width point; an ASCII "2024. 5" is a sentence end
_NUM_AR = rf"{_D}+(?:[,，]{_D}{{3}}(?!{_D}))*(?:[.．]{_D}+| ?． ?{_D}+)?"
_CN_CHARS = "零〇○一二两兩三四五六七八九十百千万萬亿億"
_CN_DIGITS = set("零〇○一二两兩三四五六七八九")
# 两三年, 七八个: adjacent digits are an estimate or a code (一五六项), not a number cn2an should read
_CN_ADJACENT = re.compile("[一二两兩三四五六七八九][一二两兩三四五六七八九]")
_CN_BIG = re.compile("[百千万萬亿億]")
# 千 before 瓦/克/米 after a scale or unit (五万千瓦 = 50,000 kW, 二万五千千瓦) starts the unit, not the
# numeral; after a digit it is the numeral's (五千米 = 5,000 metres, 一千米)
_NUM_CN = rf"[{_CN_CHARS}](?:(?!(?<![一二两兩三四五六七八九])千[瓦克米])[{_CN_CHARS}]|[点點](?=[{_CN_CHARS}]))*"
_CORE = re.compile(
    rf"(?P<pct>(?P<pctw>百分之|千分之)(?P<pctn>{_NUM_AR}|{_NUM_CN}))"
    rf"|(?P<cfrac>(?P<cden>{_NUM_AR}|{_NUM_CN})分之(?P<cnum>{_NUM_AR}|{_NUM_CN}))"
    rf"|(?P<frac>(?P<fn>{_D}{{1,2}})[/／](?P<fd>{_D}{{1,3}})(?![0-9０-９/／]))"
    rf"|(?P<ar>{_NUM_AR})"
    rf"|(?P<cn>{_NUM_CN})"
)
_PCT_HIGH = re.compile(rf"(?:百分之)?(?:{_NUM_AR}|{_NUM_CN})")
_QUICK = re.compile(rf"{_D}|[{_CN_CHARS}]")
_AR_START = set("0123456789０１２３４５６７８９")

_ZH_SCALES = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "亿": 10**8,
              "千万": 10**7, "百万": 10**6, "十万": 10**5, "万": 10**4}
_EN_SCALES = {"trillion": 10**12, "billion": 10**9, "bn": 10**9, "million": 10**6, "thousand": 10**3}
_ZH_SCALE_RE = re.compile(_alt(_ZH_SCALES))
_EN_SCALE_RE = re.compile(r"(?:\s?-\s?|\s+)?(trillion|billion|million|thousand|bn)\b", re.I)
_CN_TRAIL_SCALE = re.compile(rf"(?:{_z('万亿')}|[亿億万萬])$")
_COUNT_AFTER = re.compile(r"[多余餘]?[个個家项項所条條座批台套名位户戶件]")
_MORE = re.compile("[多余餘]")  # 100多家, 300多项, 1万余人: right after a number it always means "more than"

# ----------------------------------------------------------------------------- units
# (written form, unit, look for the counted noun) -- measure words like 个 say little alone.
_ZH_UNITS = [
    ("元人民币", "yuan", 0), ("人民币", "yuan", 0), ("美元", "US dollars", 0), ("港元", "HK dollars", 0),
    ("港币", "HK dollars", 0), ("欧元", "euros", 0), ("日元", "yen", 0), ("元", "yuan", 0),
    ("个百分点", "percentage points", 0), ("百分点", "percentage points", 0),
    ("人次", "person-times", 0), ("户次", "household-times", 0), ("人", "people", 0), ("名", "people", 0),
    ("个月", "months", 0), ("个季度", "quarters", 0), ("个工作日", "working days", 0),
    ("个", "", 1), ("家", "enterprises", 1), ("户", "households", 1), ("座", "", 1), ("项", "items", 1),
    ("处", "sites", 1), ("所", "institutions", 1), ("条", "items", 1), ("批", "batches", 0),
    ("台", "units", 0), ("套", "sets", 0), ("件", "items", 0), ("辆", "vehicles", 0), ("架", "aircraft", 0),
    ("艘", "ships", 0), ("场", "events", 0), ("次", "times", 0), ("倍", "times", 0),
    ("平方公里", "square kilometres", 0), ("平方千米", "square kilometres", 0), ("平方米", "square metres", 0),
    ("立方米", "cubic metres", 0), ("公里", "kilometres", 0), ("千米", "kilometres", 0), ("公顷", "hectares", 0),
    ("亩", "mu", 0), ("吨", "tonnes", 0), ("公斤", "kilograms", 0), ("千克", "kilograms", 0), ("斤", "jin", 0),
    ("千瓦时", "kWh", 0), ("度", "kWh", 0), ("千瓦", "kW", 0), ("兆瓦", "MW", 0), ("吉瓦", "GW", 0),
    ("标准箱", "TEU", 0), ("米", "metres", 0), ("小时", "hours", 0), ("分钟", "minutes", 0), ("秒钟", "seconds", 0), ("秒", "seconds", 0), ("天", "days", 0),
    ("年", "years", 0), ("岁", "years of age", 0), ("张", "", 1), ("起", "cases", 0), ("例", "cases", 0),
    ("种", "kinds", 0), ("部", "items", 1), ("成", "percent", 0),
    # livestock, older and Taiwanese measures the national reports use (生猪出栏6150万头, 一亿六千万平方公尺,
    # 三千二百万担 of cotton, 五百七十八万匹 of cloth), voltage classes and screen or wafer sizes
    ("头", "head", 0), ("公尺", "metres", 0), ("平方公尺", "square metres", 0), ("立方公尺", "cubic metres", 0),
    ("公吨", "tonnes", 0), ("市斤", "jin", 0), ("市亩", "mu", 0), ("担", "dan", 0), ("匹马力", "horsepower", 0),
    ("马力", "horsepower", 0), ("匹", "bolts", 0), ("千伏", "kV", 0), ("瓩", "kW", 0), ("千瓦小时", "kWh", 0),
    ("英寸", "inches", 0), ("微克/立方米", "micrograms per cubic metre", 0),
]
_ZH_UNIT_OF = {w: (u, bool(scan)) for w, u, scan in _ZH_UNITS}
_ZH_UNIT_RE = re.compile(
    r"\s?(?P<pct>%|％|‰)|(?P<u>"
    # 年代 (decade), 年级 (grade), 年度 (annual) are not durations; 所有 is not a measure word.
    + "|".join(_z(w) + {"年": "(?![代级級度])", "所": "(?![有以属屬])", "度": "(?![电電])", "成": "(?![为為员員果功本立效就])"}.get(w, "")
               for w in sorted(_ZH_UNIT_OF, key=len, reverse=True))
    + ")"
)
_ZH_NOUNS = {
    "项目": "projects", "企业": "enterprises", "公司": "enterprises", "机构": "institutions", "园区": "parks",
    "公园": "parks", "场景": "scenarios", "平台": "platforms", "集群": "clusters", "产业链": "industrial chains",
    "基地": "bases", "总部": "headquarters", "门店": "stores", "首店": "stores", "任务": "tasks", "措施": "measures",
    "城市": "cities", "国家": "countries", "学校": "schools", "医院": "hospitals", "开发区": "development zones",
    "口岸": "ports", "中心": "centres", "工厂": "factories", "车间": "workshops", "景区": "scenic spots",
    "床位": "beds",
    # 户 counts households unless the noun says otherwise (规上企业法人1802户, 1802户企业)
    "法人": "legal entities",
}
_ZH_NOUN_END = re.compile(f"(?:{_alt(_ZH_NOUNS)})$")
_NOUN_STOP = re.compile(rf"[，,。；;：:、！？!?\s“”\"（）()和与與及的]|{_D}")

_EN_UNITS = [
    (r"percentage[- ]points?|percent(?:age)? points?|pct\.? points?|ppts?\b|pp\b", "percentage points"),
    (r"%|％|percent\b|per cent\b|pct\b", "percent"),
    (r"yuan\b|RMB\b|renminbi\b|CNY\b", "yuan"), (r"U\.?S\.? dollars|dollars\b|USD\b", "US dollars"),
    (r"(?:metric )?tonnes?\b|tons?\b", "tonnes"), (r"mu\b", "mu"),
    (r"square kilomet(?:re|er)s?\b|sq\.? ?km\b|km2\b|km²", "square kilometres"),
    (r"square met(?:re|er)s?\b|sq\.? ?m\b|m2\b|m²", "square metres"), (r"hectares?\b", "hectares"),
    (r"kilomet(?:re|er)s?\b|km\b", "kilometres"), (r"kWh\b|kilowatt[- ]hours?\b", "kWh"),
    (r"kW\b|kilowatts?\b", "kW"), (r"MW\b|megawatts?\b", "MW"), (r"GW\b|gigawatts?\b", "GW"),
    (r"TEUs?\b", "TEU"), (r"times\b", "times"), (r"years?\b", "years"), (r"months?\b", "months"),
    (r"days?\b", "days"), (r"hours?\b", "hours"), (r"seconds?\b", "seconds"), (r"person-times?\b", "person-times"),
]
_EN_UNIT_RE = re.compile(r"(?:\s?-\s?|\s?)(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(_EN_UNITS)) + ")", re.I)
# English counted nouns; a count may be followed by a few modifiers ("214 new consumption scenarios").
_EN_NOUNS = {
    **{w: "enterprises" for w in ("enterprises", "enterprise", "companies", "company", "firms", "firm", "businesses")},
    **{w: "projects" for w in ("projects", "project")}, **{w: "people" for w in ("people", "persons", "person")},
    **{w: w for w in ("headquarters", "scenarios", "stores", "parks", "platforms", "clusters", "tasks", "measures",
                      "jobs", "tourists", "visitors", "vehicles", "households", "institutions", "talents", "patents",
                      "events", "activities", "cities", "countries", "centres", "centers", "factories", "schools",
                      "hospitals", "universities", "units", "items", "sets", "bases", "zones", "workers", "employees",
                      "residents", "ports", "industries", "products", "hotels", "shops")},
}
_EN_STOP = {"the", "of", "and", "or", "were", "was", "worth", "in", "to", "from", "for", "with", "by", "that", "which",
            "are", "is", "a", "an", "at", "on", "as", "than", "more", "have", "has", "had", "be", "been", "respectively"}
_EN_WORD = re.compile(r"\s+([A-Za-z][A-Za-z-]*)")

# ----------------------------------------------------------------------------- qualifiers
_ZH_PRE = {"超过": "more than", "超出": "more than", "超": "more than", "逾": "more than", "突破": "over",
           "约": "about", "大约": "about", "约合": "about", "近": "nearly", "将近": "nearly", "接近": "nearly",
           "不少于": "at least", "不低于": "at least", "至少": "at least", "最高": "up to", "最多": "up to",
           "高达": "up to", "多达": "up to", "不超过": "up to", "不到": "less than", "不足": "less than"}
# 节约 (save) and 合约 (contract) are not 约 (about); 最近 (latest) is not 近 (nearly).
_ZH_PRE_RE = re.compile("(?:" + "|".join(
    ("(?<![节節制签簽合])" if w == "约" else "(?<![最附])" if w == "近" else "") + _z(w)
    for w in sorted(_ZH_PRE, key=len, reverse=True)) + ")$")
_ZH_POST = {"以上": "over", "左右": "about", "上下": "about", "以内": "up to", "以下": "up to"}
_ZH_POST_RE = re.compile(r"以上|左右|上下(?!游)|以[内內]|以下")
_EN_PRE = {"more than": "more than", "exceeding": "more than", "in excess of": "more than",
           "over": "over", "about": "about", "around": "about", "approximately": "about", "approx.": "about",
           "roughly": "about", "some": "about", "nearly": "nearly", "almost": "nearly", "close to": "nearly",
           "at least": "at least", "no less than": "at least", "not less than": "at least", "up to": "up to",
           "as much as": "up to", "as many as": "up to", "as high as": "up to", "no more than": "up to",
           "not more than": "up to", "less than": "less than", "under": "less than", "below": "less than",
           "fewer than": "less than"}
_EN_PRE_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(k) for k in sorted(_EN_PRE, key=len, reverse=True)) + r")\s+$", re.I)
_EN_POST = {"or more": "at least", "or above": "at least", "and above": "at least", "or so": "about"}
_EN_POST_RE = re.compile(r"\s+(or more|or above|and above|or so)\b", re.I)
_CODE_TAIL = re.compile(r"\s?\+\s?\w")  # "1+6" is a slogan code, not 1
_PARSE_PRE = re.compile(rf"(?:{_alt(_ZH_PRE)}|(?:{'|'.join(map(re.escape, _EN_PRE))})\s)\s*", re.I)
_CURRENCY_PRE = re.compile(r"(RMB|CNY|US\$|HK\$|\$|¥|￥)\s?$")
_CURRENCY_UNIT = {"RMB": "yuan", "CNY": "yuan", "¥": "yuan", "￥": "yuan", "$": "US dollars", "US$": "US dollars",
                  "HK$": "HK dollars"}
_RANGE_SEP = re.compile(r"\s?(?:——|[-－–—~～〜]|至|到)\s?|\s+to\s+")

# ----------------------------------------------------------------------------- things that are not figures
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")
_A = "[A-Za-z0-9_]"
_BLOCK = re.compile("|".join([
    r"(?:https?://|www\.)\S+", rf"[A-Za-z0-9_.+-]+@{_A}+(?:[.-]{_A}+)*\.?",
    rf"\b[A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.?=&%#-]+)+", rf"\b[A-Za-z0-9_-]+\.(?:com|cn|net|org|gov|html?|shtml|php)\b\S*",
    rf"(?<![0-9０-９])(?:\+?86[-\s]?)?0{_D}{{2,3}}[-－]{_D}{{7,8}}(?![0-9０-９])",  # landlines
    r"(?<![0-9０-９.,，])[0-9０-９]{9,}(?![0-9０-９])",  # mobiles, ids
    rf"{_D}{{4}}[-/.年]{_D}{{1,2}}[-/.月]{_D}{{1,2}}[日号號]?", rf"{_D}{{4}}[-/]{_D}{{1,2}}(?![0-9０-９])",
    rf"(?:19|20|１９|２０){_D}{{2}}\s?年(?:{_D}{{1,2}}月(?:{_D}{{1,2}}[日号號])?)?",
    rf"{_D}{{1,2}}(?:\s?[-—~至到]\s?{_D}{{1,2}})?月(?:份|{_D}{{1,2}}[日号號])?", rf"{_D}{{1,2}}[日号號]",
    rf"{_D}+(?:[.．]{_D}+)?\s?[:：∶]\s?{_D}+(?:[.．]{_D}+)?(?:[:：∶]{_D}+)?",  # times 09:52, ratios 1∶3.4
    rf"\b{_MONTH}\.?\s+{_D}{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_D}{{4}})?\b",
    rf"\b{_D}{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_D}{{4}})?", rf"\b{_MONTH}\s+{_D}{{4}}\b",
    rf"[（(]\s*(?:{_D}{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[)）]", rf"^\s*{_D}{{1,2}}\s?[.、．](?![0-9０-９])",
    rf"{_D}+(?:\.{_D}+){{2,}}", r"十[一二三四五六七八九]五", r"[一二三四五六七八九〇○零]{4}年",
    rf"(?:{_D}+|[{_CN_CHARS}]+)\s?(?:周年|世纪|世紀|届|屆)", rf"{_D}+(?:\.{_D}+)?版", rf"[［\[]{_D}+[］\]]",
]))
_LIST_SEP = re.compile(r"[,，;；]\s")
_FROM = re.compile(r"\bfrom\s+$", re.I)
_SIGN_BLOCK = re.compile(r"[0-9A-Za-z０-９]")  # 2024-25, A-1 are not negative numbers
_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’", '"': '"'}
_MONEY = {"yuan", "US dollars", "HK dollars", "euros", "yen"}
MONEY_UNITS = frozenset(_MONEY)  # the units of an amount of money


@dataclass
class _Raw:
    start: int
    end: int
    value: Decimal
    high: Optional[Decimal] = None
    unit: str = ""
    scale: str = ""
    qualifier: str = ""
    year_like: bool = False
    scan: bool = False  # a measure word (个, 家): the counted noun may say more


_CN_DIGIT_VALUE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT_VALUE = {"千": 1000, "百": 100, "十": 10}


def _cn_small(t: str) -> Optional[int | float]:
    """A Chinese numeral below 10,000 in its plain written form (五, 十五, 二十八, 三百, 一千二百,
    两千三百四十五, 一百零五, 两千零五十: each digit with its unit, units in order, ones only after
    十 or 零), digits alone (六五 = 65, as cn2an reads them), or either with decimals (四点五),
    read without cn2an; None for any other form (一百五, 万 inside, ...), which cn2an reads.
    Wherever it answers it equals cn2an's "smart" reading, type included (tests/test_figures.py
    tries every string of up to five numeral characters): these are 96% of the corpus's Chinese
    numerals, so a cold ask seldom imports cn2an."""
    if "点" in t:
        return _cn_decimal(t)
    if t == "零":
        return 0
    if len(t) > 1 and all(c in _CN_DIGIT_VALUE or c == "零" for c in t):  # 六五, 一二三: digit by digit
        return int("".join(str(_CN_DIGIT_VALUE.get(c, 0)) for c in t))
    if t[0] == "十":  # 十, 十五
        if len(t) == 1:
            return 10
        return 10 + _CN_DIGIT_VALUE[t[1]] if len(t) == 2 and t[1] in _CN_DIGIT_VALUE else None
    total, prev, i, n = 0, 0, 0, len(t)
    while i < n:
        if t[i] == "零" and prev in (100, 1000) and i + 1 < n:  # 一百零五, 两千零五十
            rest = t[i + 1:]
            if prev == 100:
                return total + _CN_DIGIT_VALUE[rest] if rest in _CN_DIGIT_VALUE else None
            if rest in _CN_DIGIT_VALUE or (rest[-1] in _CN_DIGIT_VALUE and len(rest) == 3 and rest[1] == "十") \
                    or (rest[-1] == "十" and len(rest) == 2) or (rest[0] == "十" and len(rest) <= 2):
                tail = _cn_small(rest)
                return None if tail is None else total + tail
            return None
        d = _CN_DIGIT_VALUE.get(t[i])
        if d is None:
            return None
        if i + 1 == n:  # the ones: alone, or right after 十
            return total + d if prev in (0, 10) else None
        u = _CN_UNIT_VALUE.get(t[i + 1])
        if u is None or (prev and u * 10 != prev):
            return None
        total, prev, i = total + d * u, u, i + 2
    return total


def _cn_decimal(t: str) -> Optional[float]:
    """四点五 = 4.5, computed as cn2an computes it (a float, rounded to the decimals written)."""
    whole, _, frac = t.partition("点")
    if not whole or not frac or len(frac) > 15 or not all(c in _CN_DIGIT_VALUE or c == "零" for c in frac):
        return None
    w = _cn_small(whole)
    if w is None or isinstance(w, float):
        return None
    dec = 0
    for index in range(len(frac) - 1, -1, -1):
        dec += _CN_DIGIT_VALUE.get(frac[index], 0) * 10 ** -(index + 1)
    return round(w + round(dec, len(frac)), len(frac))


def _dec(text: str) -> Optional[Decimal]:
    """Arabic (full-width too) or Chinese numerals, scale characters inside Chinese ones included."""
    t = text.translate(_FW).replace(",", "").replace(" ", "").strip()
    if not t:
        return None
    if t[0] in _AR_START:
        try:
            return Decimal(t)
        except InvalidOperation:
            return None
    t = _simp(t).replace("〇", "零").replace("○", "零")
    mult = 1
    if m := _CN_TRAIL_SCALE.search(t):
        if _CN_GROUP.search(t, 0, m.start()):  # 五亿五千万, 十亿零七千万: groups, read as one number
            v = _cn_grouped(t)
            if v is None:
                v = _cn2an(t)
            return None if v is None else Decimal(v)
        mult, t = _ZH_SCALES[m.group()], t[: m.start()]
        if not t:
            return Decimal(mult)
    if t[0] in "百千":  # 千亿 = 一千亿
        t = "一" + t
    if (small := _cn_small(t)) is not None:
        return Decimal(str(small)) * mult
    v = _cn2an(t)
    return None if v is None else Decimal(v) * mult


_CN_GROUP = re.compile("[万亿]")


def _cn_grouped(t: str) -> Optional[int]:
    """A numeral of 亿 and 万 groups, each group a plain numeral below 10,000 (五亿五千万 = 550000000,
    十亿零七千万 = 1070000000, 三亿七千零六十二万, 一万二千, 三万亿); None for forms it does not
    know (一亿五, 一万二: the tail's unit is left unsaid), which cn2an reads."""
    for scale, size in (("亿", 10**8), ("万", 10**4)):
        if scale in t:  # the last one: 三万亿 and the old 六万万 (= 六亿), 一百亿亿 are a group of groups
            i = t.rindex(scale)
            head, tail = _cn_grouped(t[:i]), _cn_tail(t[i + 1:], size)
            return None if head is None or tail is None else head * size + tail
    return _cn_group(t)


def _cn_group(t: str) -> Optional[int]:
    if not t:
        return None
    v = _cn_small("一" + t if t[0] in "百千" else t)  # 千万 = 一千万
    return v if isinstance(v, int) and not (len(t) > 1 and all(c in _CN_DIGIT_VALUE for c in t)) else None


def _cn_tail(t: str, below: int) -> Optional[int]:
    """What follows a 亿 or 万 group: nothing, 零 and a smaller number, or a number with its unit."""
    if not t:
        return 0
    zero = t[0] == "零"
    t = t[1:] if zero else t
    if not t or (not zero and t in _CN_DIGIT_VALUE):
        return None  # 一万二 is 12000 in speech: left to cn2an
    v = _cn_grouped(t)
    return v if v is not None and v < below else None


# cn2an's readings of the numerals `_cn_small` leaves to it (百千万工程's 一百千, 一百五, ...):
# importing cn2an and compiling its patterns is 0.1-0.2 s CPU of a cold ask, for a handful of
# strings that are mostly in the indexed text. Ingest reads every figure of the corpus, so the
# readings it needed are kept in the user cache (`save_cn2an_readings`, run by
# retrieval/warmup.py after `planbot ingest`) and an ask over that corpus looks them up there.
_CN2AN_NEW: dict[str, Optional[str]] = {}  # read by cn2an in this process, not in the cache yet


def _cn2an(t: str) -> Optional[str]:
    """cn2an's "smart" reading of `t` as a decimal string, None where it raises."""
    known = _cn2an_cache()
    if t in known:
        return known[t]
    if t in _CN2AN_NEW:
        return _CN2AN_NEW[t]
    try:
        import cn2an  # here, not at the top: see above

        v: Optional[str] = str(cn2an.cn2an(t, "smart"))
    except Exception:  # cn2an raises ValueError and friends on anything odd, e.g. 十四五
        v = None
    _CN2AN_NEW[t] = v
    return v


def _cn2an_entry():
    """(the cache entry's path, cn2an's file it is keyed by), or None without cn2an."""
    import importlib.util
    from pathlib import Path

    from retrieval.knowledge.cache import cache_file

    spec = importlib.util.find_spec("cn2an")  # finds the file, imports nothing
    if not spec or not spec.origin:
        return None
    return cache_file("cn2an-readings", Path(spec.origin), 1), Path(spec.origin)


@lru_cache(maxsize=1)
def _cn2an_cache() -> dict[str, Optional[str]]:
    import pickle

    from retrieval.usercache import adopt

    from retrieval.cachepack import restore

    entry = _cn2an_entry()
    try:
        with open(entry[0], "rb") as fh:
            found = pickle.load(fh)
    except Exception:  # noqa: BLE001 - none, missing or damaged: from the index's pack, or cn2an reads them
        try:
            if entry is None or not restore(entry[0], [entry[1]]):
                return {}
            with open(entry[0], "rb") as fh:
                found = pickle.load(fh)
        except Exception:  # noqa: BLE001
            return {}
    adopt(entry[0], [entry[1]])
    return found if isinstance(found, dict) else {}


def cached_cn2an_readings() -> dict[str, Optional[str]]:
    """The readings in the user cache (read, and so recorded as read: retrieval/cachepack.py)."""
    return dict(_cn2an_cache())


def take_cn2an_readings() -> dict[str, Optional[str]]:
    """This process's new readings, handed over (ingest's text-work process gives them back)."""
    new = dict(_CN2AN_NEW)
    _CN2AN_NEW.clear()
    return new


def add_cn2an_readings(readings: dict[str, Optional[str]]) -> None:
    _CN2AN_NEW.update(readings)


def save_cn2an_readings() -> int:
    """Add this process's new cn2an readings to the user cache; how many were added."""
    import pickle

    from retrieval.usercache import write_atomic

    entry = _cn2an_entry()
    if not _CN2AN_NEW or entry is None:
        return 0
    _cn2an_cache.cache_clear()
    merged = {**_cn2an_cache(), **_CN2AN_NEW}  # what another process added meanwhile too
    if not write_atomic(entry[0], lambda fh: pickle.dump(merged, fh, protocol=pickle.HIGHEST_PROTOCOL), [entry[1]]):
        return 0
    added = len(_CN2AN_NEW)
    _CN2AN_NEW.clear()
    _cn2an_cache.cache_clear()
    return added


def _inside_quotes(s: str, a: int, b: int) -> bool:
    """A bare number alone in short quotes is a slogan code ("3610", “3815”), not a quantity."""
    for o, c in _QUOTES.items():
        i, j = s.rfind(o, 0, a), s.find(c, b)
        if i != -1 and j != -1 and j - i <= 20 and (o == c or s.rfind(c, 0, a) < i) \
                and not _LIST_SEP.search(s, i, j):
            return True
    return False


def _scale_unit(s: str, pos: int, r: _Raw, english: bool = True) -> int:
    """Read 多/余, a scale word, a unit and a trailing qualifier after a number ending at `pos`."""
    if m := _MORE.match(s, pos):
        r.qualifier, pos = r.qualifier or "more than", m.end()
    if not r.scale:
        if m := _ZH_SCALE_RE.match(s, pos):
            r.scale, r.value, pos = m.group(), r.value * _ZH_SCALES[_simp(m.group())], m.end()
        elif english and (m := _EN_SCALE_RE.match(s, pos)):
            r.scale, r.value, pos = m.group(1), r.value * _EN_SCALES[m.group(1).lower()], m.end()
        if r.scale and (m := _MORE.match(s, pos)):
            r.qualifier, pos = r.qualifier or "more than", m.end()
    if m := _ZH_UNIT_RE.match(s, pos):
        if m.group("pct"):
            r.unit = "per mille" if m.group("pct") == "‰" else "percent"
        else:
            r.unit, r.scan = _ZH_UNIT_OF[_simp(m.group("u"))]
            if m.group("u") == "成":  # 4成 = 40%
                r.value *= 10
        pos = m.end()
    elif english and (m := _EN_UNIT_RE.match(s, pos)):
        r.unit, pos = _EN_UNITS[int(m.lastgroup[1:])][1], m.end()
    if m := _ZH_POST_RE.match(s, pos):
        r.qualifier, pos = r.qualifier or _ZH_POST[_simp(m.group())], m.end()
    elif m := _EN_POST_RE.match(s, pos):
        r.qualifier, pos = r.qualifier or _EN_POST[m.group(1).lower()], m.end()
    return pos


def _plain_number(s: str, m: re.Match) -> Optional[_Raw]:
    """An Arabic or Chinese numeral that is not an ordinal, a code or part of a word."""
    a, b = m.span()
    prev = s[a - 1] if a else ""
    if prev == "第":
        return None
    if m.group("ar"):
        prev2 = s[a - 2] if a >= 2 else ""
        nxt, nxt2 = s[b: b + 1], s[b + 1: b + 2]
        if prev.isascii() and prev.isalpha() or (prev and prev in "#№") or (prev == "-" and prev2.isascii() and prev2.isalpha()) \
                or (prev == "_" and prev2.isascii() and prev2.isalnum()):
            return None  # PM2.5, No.#3, COVID-19, t2024_1
        if (prev == "+" and prev2.isalnum()) or (nxt == "+" and nxt2.isalnum()):
            return None  # "1+6", "4+3+4": slogan codes
        v = _dec(m.group())
        core = m.group().translate(_FW)
        return None if v is None else _Raw(a, b, v, year_like=len(core) == 4 and core.isdigit() and 1900 <= int(core) <= 2100)
    v = _dec(m.group())
    return None if v is None else _Raw(a, b, v, scale=(sm.group() if (sm := _CN_TRAIL_SCALE.search(m.group())) else ""))


def _cn_ok(tok: str, r: _Raw) -> bool:
    """Chinese numerals are everywhere in prose (一批, 三大, 两新, 十四五); keep only counted ones."""
    if r.unit in _MONEY and len(tok) >= 2:  # 千亿元, 万亿元
        return True
    if not any(c in _CN_DIGITS for c in tok) or _CN_ADJACENT.search(tok):
        return False
    # a bare 三千 / 两万 is a quantity; a bare 三十 is usually part of a name or idiom
    return r.value >= 10 and bool(r.unit or r.scale) or r.value >= 100 and bool(_CN_BIG.search(tok))


def _read(s: str, m: re.Match, blocked: list[tuple[int, int]]) -> tuple[Optional[_Raw], int]:
    """The figure whose number is core match `m` (or None), and where scanning resumes."""
    a, b = m.span()
    if any(x < b and a < y for x, y in blocked):
        return None, b
    if m.group("pct"):
        if (v := _dec(m.group("pctn"))) is None:
            return None, b
        r = _Raw(a, b, v, unit="per mille" if m.group("pctw") == "千分之" else "percent")
        # 百分之四到五: the second number is bare
        if (sep := _RANGE_SEP.match(s, b)) and (m2 := _PCT_HIGH.match(s, sep.end())) \
                and (hi := _dec(m2.group())) is not None and hi > v:
            r.high, r.end = hi, m2.end()
        if q := _ZH_POST_RE.match(s, r.end):
            r.qualifier, r.end = _ZH_POST[_simp(q.group())], q.end()
    elif m.group("cfrac") or m.group("frac"):
        num, den = (m.group("cnum"), m.group("cden")) if m.group("cfrac") else (m.group("fn"), m.group("fd"))
        num, den = _dec(num), _dec(den)
        if not num or not den or num >= den or (m.group("frac") and s[a - 1: a].isascii() and s[a - 1: a].isalnum()):
            return None, b
        r = _Raw(a, b, num / den, unit="fraction")
    else:
        r = _plain_number(s, m)
        if r is None:
            return None, b
        is_cn = bool(m.group("cn"))
        r.end = _scale_unit(s, b, r, english=not is_cn)
        if not is_cn and r.end == b and s[b: b + 1].isascii() and s[b: b + 1].isalpha():
            return None, b  # 3D, 5G, 20th
        if is_cn:
            if not _cn_ok(m.group(), r):
                return None, b
            r.year_like = r.unit in ("", "years") and len(m.group()) == 4 and 1900 <= r.value <= 2100
        if _range(s, m, r, blocked) is None:
            return None, r.end
        if r.year_like and not r.scale and r.unit in ("", "years") and r.high is None \
                and not _COUNT_AFTER.match(s, b):
            return None, r.end  # a year, not "重点项目2000多个" nor "2000家企业"
    # prefixes: sign, currency, then qualifier word
    start = a
    if m.group("ar") and a and s[a - 1] in "-−－" and not _SIGN_BLOCK.match(s[a - 2: a - 1]) and r.high is None:
        start, r.value = a - 1, -r.value
    if cm := _CURRENCY_PRE.search(s, max(0, start - 4), start):
        r.unit, start = r.unit or _CURRENCY_UNIT[cm.group(1)], cm.start()
    if qm := _ZH_PRE_RE.search(s, max(0, start - 3), start):
        r.qualifier, start = _ZH_PRE[_simp(qm.group())], qm.start()
    elif qm := _EN_PRE_RE.search(s, max(0, start - 16), start):
        r.qualifier, start = _EN_PRE[qm.group(1).lower()], qm.start()
    r.start = start
    if not r.unit and not r.scale and _inside_quotes(s, a, r.end):
        return None, r.end
    if r.scan or (m.group("ar") and not r.unit):
        _count_noun(s, r)
    return r, r.end


def _range(s: str, m: re.Match, r: _Raw, blocked) -> Optional[_Raw]:
    """Extend `r` over a range (5.0%—5.5%, 1000至1200亿元, 5 to 6 percent). None: a span of years."""
    sep = _RANGE_SEP.match(s, r.end)
    if not sep or _FROM.search(s, max(0, m.start() - 6), m.start()):  # "from 5% to 6%" is a change
        return r
    m2 = _CORE.match(s, sep.end())
    if not m2 or not (m2.group("ar") or m2.group("cn")) or bool(m2.group("cn")) != bool(m.group("cn")) \
            or any(x < m2.end() and m2.start() < y for x, y in blocked):
        return r
    r2 = _plain_number(s, m2)
    if r2 is None:
        return r
    end2 = _scale_unit(s, m2.end(), r2, english=not m.group("cn"))
    if r.year_like and r2.year_like:
        r.end = end2
        return None
    wordy = sep.group().strip() in ("to", "到", "至")
    if not (r.unit == r2.unit or (not r.unit and r2.unit)) or (wordy and not (r2.unit or r2.scale)):
        return r
    if not r.scale and r2.scale:
        r.value *= _ZH_SCALES.get(_simp(r2.scale)) or _EN_SCALES[r2.scale.lower()]
        r.scale = r2.scale
    if r2.value < r.value:
        return r
    r.high, r.unit, r.scan, r.end = r2.value, r2.unit, r2.scan, end2
    r.qualifier = r.qualifier or r2.qualifier
    r.year_like = False
    return r


def _count_noun(s: str, r: _Raw) -> None:
    """Unit from the noun counted: 159个…重大项目, 项目151个, 214 new consumption scenarios."""
    if r.scan:
        stop = _NOUN_STOP.search(s, r.end, r.end + 14)
        window = s[r.end: stop.start() if stop else r.end + 14]
        # the head noun closes a Chinese noun phrase: 2个国家优势特色产业集群 are clusters, not countries
        if nm := _ZH_NOUN_END.search(window):
            r.unit = _ZH_NOUNS[_simp(nm.group())]
        elif bm := _ZH_NOUN_END.search(s[max(0, r.start - 4):r.start]):
            r.unit = _ZH_NOUNS[_simp(bm.group())]  # the noun just before: 项目151个, 企业法人1802户
        return
    pos = r.end
    for _ in range(4):
        wm = _EN_WORD.match(s, pos)
        if not wm or wm.group(1).lower() in _EN_STOP:
            return
        if (w := wm.group(1).lower()) in _EN_NOUNS:
            r.unit, r.end = _EN_NOUNS[w], wm.end()
            return
        pos = wm.end()


# ----------------------------------------------------------------------------- public API
def extract_figures(sentence: str, *, ref_year: Optional[int] = None) -> list[Figure]:
    """Every figure in `sentence`, in order, with its verbatim span, base-unit value, kind and renderings.

    `ref_year` (the document's year, when known) lets "2025年" in a 2025 report read as a target."""
    if not sentence or not _QUICK.search(sentence):
        return []
    blocked = [x.span() for x in _BLOCK.finditer(sentence)]
    out: list[Figure] = []
    pos = 0
    while m := _CORE.search(sentence, pos):
        r, pos = _read(sentence, m, blocked)
        pos = max(pos, m.end())
        if r is None:
            continue
        f = Figure(text=sentence[r.start:r.end], value=float(r.value), unit=r.unit, scale=r.scale,
                   qualifier=r.qualifier, value_high=None if r.high is None else float(r.high),
                   start=r.start, end=r.end)
        f.english, f.chinese = render_english(f), render_chinese(f)
        out.append(f)
    for f in out:
        f.kind = classify_kind(sentence, f, ref_year=ref_year)
    return out


def has_figure(sentence: str) -> bool:
    return bool(extract_figures(sentence))


def parse_number(text: str) -> Optional[float]:
    """700亿 → 7e10, 13.7万亿 → 1.37e13, 三千 → 3000, 两万 → 20000, 1，000 → 1000, 4.8 million → 4.8e6,
    百分之十二 → 12, 1/4 → 0.25. A qualifier before and a unit after are ignored; None if not a number."""
    t = (text or "").strip()
    if q := _PARSE_PRE.match(t):
        t = t[q.end():]
    m = _CORE.match(t)
    if not m:
        return None
    if m.group("pct") or m.group("cfrac") or m.group("frac"):
        r, _ = _read(t, m, [])
        return None if r is None else float(r.value)
    if (v := _dec(m.group())) is None or _CODE_TAIL.match(t, m.end()):
        return None
    r = _Raw(0, 0, v, scale=(sm.group() if m.group("cn") and (sm := _CN_TRAIL_SCALE.search(m.group())) else ""))
    _scale_unit(t, m.end(), r, english=bool(m.group("ar")))
    return float(r.value)


# ----------------------------------------------------------------------------- rendering
_EN_UNIT_WORD = {"percent": "%", "per mille": "‰"}
_ZH_UNIT_WORD = {
    "yuan": "元", "US dollars": "美元", "HK dollars": "港元", "euros": "欧元", "yen": "日元", "percent": "%",
    "per mille": "‰", "percentage points": "个百分点", "people": "人", "enterprises": "家", "projects": "个项目",
    "households": "户", "items": "项", "person-times": "人次", "household-times": "户次", "tonnes": "吨", "mu": "亩",
    "square kilometres": "平方公里", "square metres": "平方米", "cubic metres": "立方米", "kilometres": "公里",
    "hectares": "公顷", "kilograms": "公斤", "jin": "斤", "kW": "千瓦", "kWh": "千瓦时", "MW": "兆瓦", "GW": "吉瓦",
    "TEU": "标准箱", "vehicles": "辆", "years": "年", "months": "个月", "quarters": "个季度", "days": "天",
    "hours": "小时", "minutes": "分钟", "seconds": "秒", "times": "倍", "events": "场", "institutions": "家机构", "parks": "个园区",
    "scenarios": "个场景", "platforms": "个平台", "clusters": "个集群", "headquarters": "家总部", "stores": "家门店",
    "tasks": "项任务", "measures": "条措施", "cities": "个城市", "countries": "个国家", "centres": "个中心",
    "sets": "套", "units": "台", "batches": "批", "sites": "处", "industrial chains": "条产业链", "aircraft": "架",
    "ships": "艘", "working days": "个工作日", "bases": "个基地", "factories": "家工厂", "schools": "所学校",
    "hospitals": "家医院", "development zones": "个开发区", "ports": "个口岸",
    "metres": "米", "head": "头", "dan": "担", "horsepower": "马力", "bolts": "匹", "kV": "千伏", "inches": "英寸",
    "micrograms per cubic metre": "微克/立方米",
}
_ZH_QUAL = {"more than": "超过{}", "over": "{}以上", "about": "{}左右", "nearly": "近{}", "at least": "不少于{}",
            "up to": "最多{}", "less than": "不到{}"}
_FRACTION_WORDS = {2: ("half", "halves"), 3: ("third", "thirds"), 4: ("quarter", "quarters"), 5: ("fifth", "fifths"),
                   6: ("sixth", "sixths"), 8: ("eighth", "eighths"), 10: ("tenth", "tenths")}
_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_CN_NUM = "零一二三四五六七八九十"
_ARABIC_IN = re.compile(r"[0-9０-９]+(?:[.．]([0-9０-９]+))?")
_EN_PHRASE = re.compile(r"[0-9０-９](?:\s?(?:thousand|million|billion|trillion))?\s+((?:[A-Za-z][A-Za-z-]*\s+){0,3}[A-Za-z][A-Za-z-]*)$")
_NO_SCALE_UNITS = {"percent", "per mille", "percentage points", "fraction", "times", "years", "months", "days",
                   "quarters", "hours", "minutes", "seconds"}


def _fmt(x: float, decimals: Optional[int] = None, commas: bool = True) -> str:
    if decimals is not None:
        return f"{x:,.{decimals}f}" if commas else f"{x:.{decimals}f}"
    s = f"{round(x, 6):,.6f}" if commas else f"{round(x, 6):.6f}"
    return s.rstrip("0").rstrip(".")


def _written_decimals(f: Figure) -> Optional[int]:
    """Keep 5.0 as 5.0 when the figure is shown at the scale it was written in."""
    ds = [len(m.group(1) or "") for m in _ARABIC_IN.finditer(f.text)]
    return max(ds) if ds else None


def _fraction(f: Figure) -> tuple[str, str]:
    for den in (2, 3, 4, 5, 6, 8, 10, 100):
        num = f.value * den
        if abs(num - round(num)) < 1e-9 and 0 < round(num) < den:
            n = round(num)
            if den in _FRACTION_WORDS:
                en = f"{_SMALL[n] if n < 10 else n} {_FRACTION_WORDS[den][n != 1]}"
            else:
                en = f"{n}/{den}"
            zh_den = _CN_NUM[den] if den <= 10 else "一百"
            zh_num = _CN_NUM[n] if n <= 10 else str(n)
            return en, f"{zh_den}分之{zh_num}"
    return _fmt(f.value), _fmt(f.value, commas=False)


def _en_noun_phrase(f: Figure) -> Optional[str]:
    """The English words counted, kept as written: "214 new consumption scenarios"."""
    m = _EN_PHRASE.search(f.text)
    if m and _EN_NOUNS.get(m.group(1).split()[-1].lower()) == f.unit:
        return m.group(1)
    return None


def _unit_word(unit: str, one: bool) -> str:
    """English unit, singular for exactly one: "1 project", "1 percentage point"."""
    if not one or unit in ("headquarters", "people", "yuan", "mu", "jin", "aircraft", "kW", "kWh", "MW", "GW", "TEU",
                           "head", "dan", "horsepower", "kV", "micrograms per cubic metre"):
        return unit
    if unit.endswith("ches"):
        return unit[:-2]  # inches -> inch
    if unit.endswith("ies"):
        return unit[:-3] + "y"
    return unit[:-1] if unit.endswith("s") else unit


def render_english(f: Figure) -> str:
    """"70 billion yuan", "more than 500 billion yuan", "5.0–5.5%", "about 4%", "25,000 enterprises"."""
    lo, hi = f.value, f.value_high
    one = hi is None and lo == 1
    if f.unit == "fraction":
        body = _fraction(f)[0]
    elif f.unit in _NO_SCALE_UNITS:
        d = _written_decimals(f)
        nums = _fmt(lo, d) if hi is None else f"{_fmt(lo, d)}–{_fmt(hi, d)}"
        if f.unit in _EN_UNIT_WORD:
            body = nums + _EN_UNIT_WORD[f.unit]
        else:
            body = f"{nums} {_unit_word(f.unit, one)}"
    else:
        top = abs(hi if hi is not None else lo)
        div, word = next(((d, w) for d, w in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")) if top >= d), (1, ""))
        d = _written_decimals(f) if div == 1 and not f.scale else None
        nums = _fmt(lo / div, d) if hi is None else f"{_fmt(lo / div, d)}–{_fmt(hi / div, d)}"
        unit = _en_noun_phrase(f) or _unit_word(f.unit, one and not word)
        body = " ".join(x for x in (nums, word, unit) if x)
    return f"{f.qualifier} {body}" if f.qualifier else body


def render_chinese(f: Figure) -> str:
    """"700亿元", "超过5000亿元", "5.0%—5.5%", "4%左右", "2.5万家", "480万"."""
    lo, hi = f.value, f.value_high
    if f.unit == "fraction":
        body = _fraction(f)[1]
    else:
        unit = _ZH_UNIT_WORD.get(f.unit, "")
        if f.unit in _NO_SCALE_UNITS:
            div, word = 1, ""
        elif (sc := _simp(f.scale)) in _ZH_SCALES and not (abs(lo) >= 1e8 > _ZH_SCALES[sc] and abs(lo) / _ZH_SCALES[sc] >= 1e4):
            div, word = _ZH_SCALES[sc], sc
        else:
            top = abs(hi if hi is not None else lo)
            div, word = next(((d, w) for d, w in ((10**12, "万亿"), (10**8, "亿"), (10**4, "万")) if top >= d), (1, ""))
        d = _written_decimals(f) if div == 1 and not f.scale else None
        if f.unit in ("percent", "per mille") and hi is not None:
            body = f"{_fmt(lo, d, False)}{unit}—{_fmt(hi, d, False)}{unit}"
        else:
            nums = _fmt(lo / div, d, False) if hi is None else f"{_fmt(lo / div, d, False)}—{_fmt(hi / div, d, False)}"
            body = f"{nums}{word}{unit}"
    return _ZH_QUAL[f.qualifier].format(body) if f.qualifier in _ZH_QUAL else body


# ----------------------------------------------------------------------------- achieved or target
_YEAR = r"(?:19|20)[0-9]{2}"
# (pattern, kind, weight). Weight >= 2: time phrases and modals, which decide; 1: verbs and
# aspect words that lean one way but also appear in plans ("力争实现…", "要完成…").
_CUES = [(re.compile(p, re.I), k, w) for p, k, w in [
    (rf"\bby (?:the end of )?{_YEAR}\b", "target", 3), (r"\b(?:will|shall)\b", "target", 3),
    (r"\bstriv(?:e|es|ing)\b", "target", 3), (r"\baim(?:s|ed|ing)? (?:to|at|for)\b", "target", 3),
    (r"\btarget(?:s|ed|ing)?\b", "target", 3), (r"\bgoals?\b", "target", 3), (r"\bplan(?:s|ned)? to\b", "target", 3),
    (r"\bexpected to\b", "target", 3), (r"\bseek(?:s|ing)? to\b", "target", 3), (r"\bensure\b", "target", 2),
    (r"\bnext year\b", "target", 2), (_z("明年"), "target", 2),
    ("|".join(_z(w) for w in ("力争", "目标", "预期", "确保", "争取", "计划", "规划目标")), "target", 3),
    (rf"[到至]{_YEAR}年|{_YEAR}年(?:前|底前|末前)", "target", 3),
    # floors and ceilings are how Chinese plans state targets ("城镇新增就业不少于26万人", "失业率5.5%
    # 以内"); English ones are left to the figure's qualifier: as a strong cue, "within" and
    # "at least" would turn "jobs grew by 1.2 million, with at least 300,000…" into targets.
    ("|".join(_z(w) for w in ("不少于", "不低于", "不超过", "以内")), "target", 2),
    (_z("今年") + r"[^。；;]{0,40}?" + _z("要"), "target", 3),
    (rf"(?<![主重需紧緊必只纲綱摘提])要(?![求素点點闻聞害])", "target", 2),
    (_z("将") + "(?=" + "|".join(_z(w) for w in ("达", "突破", "超过", "实现", "增长", "提高", "完成", "建成", "新增", "力争")) + ")", "target", 2),
    # "较好完成全年…目标任务" reports a target met: the figures before it were achieved.
    ("(?:" + "|".join(_z(w) for w in ("完成", "实现", "超额完成", "达成")) + ")[^。；;，,]{0,16}" + _z("目标"), "achieved", 3),
    (r"\blast year\b|\bpast (?:year|(?:\w+ )?years)\b|\bso far\b|\bup to now\b", "achieved", 3),
    (rf"\b(?:in|during|throughout) {_YEAR}\b", "achieved", 3), (r"\bfirst \d+ months\b", "achieved", 2),
    ("|".join(_z(w) for w in ("去年", "过去", "一年来", "近年来")) + rf"|(?:[一二三四五六七八九十]|[0-9]+){_z('年来')}", "achieved", 3),
    (rf"(?<![到至])(?P<year>{_YEAR})年(?![前底末]|{_z('目标')})", "achieved", 2),
    (r"\b(?:reached|grew|rose|increased|achieved|completed|totall?ed|hit|exceeded|was|were|reali[sz]ed|attracted|"
     r"introduced|added|signed|received|recorded|fell|dropped|declined|accounted|registered|generated|surpassed|"
     r"has been|have been|year[- ]on[- ]year)\b", "achieved", 1),
    ("|".join(_z(w) for w in ("实现", "完成", "达到", "累计", "同比", "比上年", "较上年", "增长", "新增", "净增", "已")),
     "achieved", 1),
]]
_CLAUSE = re.compile(r"[。；;!?！？\n]")


@lru_cache(maxsize=512)
def _cues(sentence: str, ref_year: Optional[int]) -> tuple[tuple[int, int, str, int], ...]:
    """(start, end, kind, weight) of every cue in `sentence`. Cached: a sentence is classified
    once per figure in it, and again when its facts are read (ingest's text work)."""
    cues = []
    for rx, kind, w in _CUES:
        for m in rx.finditer(sentence):
            k = kind
            if ref_year and m.groupdict().get("year") and int(m.group("year")) >= ref_year:
                k = "target"
            cues.append((m.start(), m.end(), k, w))
    return tuple(cues)


def classify_kind(sentence: str, figure: Figure | None = None, *, ref_year: Optional[int] = None) -> str:
    """"achieved", "target" or "unknown", from the wording around `figure` (or the whole sentence).

    The nearest time phrase or modal before the figure decides ("去年完成100亿元，今年要完成150亿元");
    verbs only break ties. `ref_year` (the document's year) turns "2025年" into a target year."""
    cues = _cues(sentence, ref_year)
    if not cues:
        return "unknown"
    if figure is None:
        for strong in (True, False):
            score = {"achieved": 0, "target": 0}
            for _, _, k, w in cues:
                if (w >= 2) == strong:
                    score[k] += w
            if score["achieved"] != score["target"]:
                return max(score, key=score.get)
        return "unknown"
    a, b = figure.start, figure.end
    ca = max((m.end() for m in _CLAUSE.finditer(sentence, 0, a)), default=0)
    cm = _CLAUSE.search(sentence, b)
    cb = cm.start() if cm else len(sentence)
    strong = [c for c in cues if c[3] >= 2 and not (c[0] < b and a < c[1])]
    for lo, hi, before in ((ca, a, True), (0, a, True), (b, cb, False), (b, len(sentence), False)):
        near = [c for c in strong if lo <= c[0] and c[1] <= hi]
        if near:
            return (max(near, key=lambda c: c[1]) if before else min(near, key=lambda c: c[0]))[2]
    score = {"achieved": 0, "target": 0}
    for _, _, k, w in cues:
        score[k] += w
    if figure.qualifier in ("at least", "up to"):
        score["target"] += 2  # a floor or ceiling is how plans state targets ("不少于26万人")
    return max(score, key=score.get) if score["achieved"] != score["target"] else "unknown"


# ----------------------------------------------------------------------------- category
_COUNT = {"", "people", "enterprises", "projects", "households", "person-times", "household-times", "items",
          "institutions"} | set(_EN_NOUNS.values()) | set(_ZH_NOUNS.values())
_SHARE_CUE = re.compile("|".join([_z(w) for w in ("占", "比重", "比例", "占比", "份额", "覆盖率", "率")])
                        + r"|\b(?:share|proportion|accounted for|accounts? for|of the total|ratio|rate)\b", re.I)
_GROWTH_CUE = re.compile("|".join(_z(w) for w in ("增长", "提高", "上涨", "下降", "增收", "净增", "增速", "降低"))
                         + "|增加(?!值)"  # 增加值 is value added, not an increase
                         + r"|\b(?:up|grew|grow|rose|increased?|decreased?|declined?|fell|down|growth)\b", re.I)


_CUT = re.compile(r"[，,、；;：:]|[0-9０-９%％]")


def figure_category(f: Figure, sentence: str | None = None) -> str:
    """"growth", "amount", "count", "share" or "other". Without the sentence a percentage counts as
    growth; with it, 占/比重/share just before the figure makes it a share and 增长/up makes any figure growth."""
    before = ""
    if sentence:
        ca = max((m.end() for m in _CLAUSE.finditer(sentence, 0, f.start)), default=0)
        before = sentence[max(ca, f.start - 16): f.start]
        # only the words tied to this figure: 增长6%左右、突破2.6万亿元 -- 突破 is not growth
        before = _CUT.split(before)[-1]
    if f.unit == "fraction":
        return "share"
    if f.unit in ("percent", "per mille", "percentage points"):
        if before and f.unit != "percentage points" and _SHARE_CUE.search(before) and not _GROWTH_CUE.search(before[-6:]):
            return "share"
        return "growth"
    if before and _GROWTH_CUE.search(before[-8:]):
        return "growth"
    if f.unit in _MONEY:
        return "amount"
    if f.unit in _COUNT:
        return "count"
    return "other"
