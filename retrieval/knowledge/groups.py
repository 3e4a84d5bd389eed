"""Named groups of regions ("the Yangtze River Delta" = Shanghai, Jiangsu, Zhejiang, Anhui).

Declared in data/region_groups.tsv, one group a line: id, English names, Chinese names, member
adcodes. The gazetteer holds places; a group is not a place (it has no adcode, no parent), so
groups live beside it and name their members by the gazetteer's ids.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from retrieval.text.chinese import to_simplified

GROUPS_PATH = Path(__file__).resolve().parent / "data" / "region_groups.tsv"


@dataclass(frozen=True)
class RegionGroup:
    id: str
    english: tuple[str, ...]  # first is the display name
    chinese: tuple[str, ...]
    members: tuple[str, ...]  # gazetteer ids

    @property
    def name(self) -> str:
        return self.english[0]

    @property
    def name_zh(self) -> str:
        return self.chinese[0]


def _key(name: str) -> str:
    return re.sub(r"^the\s+|[\s\-_]+", "", to_simplified(name.strip()).lower())


class RegionGroups:
    def __init__(self, groups: list[RegionGroup]) -> None:
        self.groups = {g.id: g for g in groups}
        self._by_name: dict[str, RegionGroup] = {}
        for g in groups:
            for n in (*g.english, *g.chinese, g.id):
                self._by_name.setdefault(_key(n), g)
        # longest names first, so 长三角地区 wins over 长三角 and "Northeast China" over "Northeast"
        names = sorted({n for g in groups for n in (*g.english, *g.chinese)}, key=len, reverse=True)
        self._in_text = re.compile("|".join(
            (r"(?<![A-Za-z])" + re.escape(n) + r"(?![A-Za-z])") if n.isascii() else re.escape(n) for n in names), re.I)

    def __iter__(self):
        return iter(self.groups.values())

    def get(self, name: str) -> Optional[RegionGroup]:
        """The group called `name` (any of its names, any case, Traditional or Simplified), or None."""
        return self._by_name.get(_key(name))

    def find_in_text(self, text: str) -> list[tuple[RegionGroup, int, int]]:
        """Groups named in `text`, with their spans, in text order."""
        simple = to_simplified(text)
        out = []
        for m in self._in_text.finditer(simple if len(simple) == len(text) else text):
            g = self.get(m.group())
            if g is not None:
                out.append((g, m.start(), m.end()))
        return out


def parse_groups(lines) -> list[RegionGroup]:
    out = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 4:
            raise ValueError(f"region_groups line {n}: expected 4 tab-separated columns: {line!r}")
        gid, en, zh, members = cols[:4]
        out.append(RegionGroup(gid, tuple(x for x in en.split("|") if x), tuple(x for x in zh.split("|") if x),
                               tuple(x for x in members.split(",") if x)))
    return out


@lru_cache(maxsize=2)
def load_groups(path: str | Path | None = None) -> RegionGroups:
    with Path(path or GROUPS_PATH).open(encoding="utf-8") as f:
        return RegionGroups(parse_groups(f))
