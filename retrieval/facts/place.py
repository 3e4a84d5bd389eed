"""The region a figure is about: the most specific place named as its clause's subject.

A provincial report's figures are the province's unless a place inside it is named before the
figure in the same clause ("成都市地区生产总值…"); a national report's are 全国 unless a
province or city is ("广东…增长"). Places outside a sub-national document's region are
comparisons or partners ("对中亚五国", "京津冀"), never the subject.
"""
from __future__ import annotations

import bisect
import re

from retrieval.facts.model import NATIONAL


_PARTNER = set("向对對与與同援助")
_WHOLE = re.compile(r"全省|全市|全区|全區|全国|全國|whole (?:province|city|country)")


class Places:
    """Region mentions of one document, found once, looked up per figure."""

    def __init__(self, gazetteer, text: str, base: str) -> None:
        self.gazetteer = gazetteer
        self.base = base
        self.text = text
        found = gazetteer.find_in_text(text) if gazetteer is not None else []
        # "向金门供水", "对中亚增长": a place after 向/对/与 receives or partners, it is not the subject
        self.mentions = [m for m in found if not (m[1] and text[m[1] - 1] in _PARTNER)]
        self._starts = [m[1] for m in self.mentions]
        self._inside = gazetteer.descendants(base) if gazetteer is not None and base != NATIONAL["id"] and base in gazetteer else None

    _whole = _WHOLE

    def subjects(self, lo: int, hi: int) -> list[str]:
        """Distinct places (inside the document's region) named in text[lo:hi], in order."""
        i = bisect.bisect_left(self._starts, lo)
        out: list[str] = []
        while i < len(self.mentions) and self.mentions[i][2] <= hi:
            rid = self.mentions[i][0]
            if (self._inside is None or rid in self._inside) and rid not in out:
                out.append(rid)
            i += 1
        return out

    def region_at(self, lo: int, fig_start: int, sentence_start: int | None = None) -> str:
        """The region of a figure starting at `fig_start` whose clause starts at `lo`: the place
        named before it; several places ("广州、深圳、珠海3个中心") make it their common region.
        A clause naming none keeps the sentence's subject ("2023年，江北新区实现营收…，地区生产总值
        增长5.1%"), unless it says 全省/全市 (the document's own region)."""
        named = self.subjects(lo, fig_start)
        if not named:
            if self._whole.search(self.text, lo, fig_start):
                return self.base
            if sentence_start is not None and sentence_start < lo:
                earlier = self.subjects(sentence_start, lo)
                if len(earlier) == 1 and not self._whole.search(self.text, sentence_start, lo):
                    return earlier[0]
            return self.base
        if len(named) == 1:
            return named[0]
        return self.common(named)

    def common(self, ids: list[str]) -> str:
        chains = [[i, *self.gazetteer.ancestors(i)] for i in ids]
        shared = [a for a in chains[0] if all(a in c for c in chains[1:])]
        return shared[0] if shared else self.base


def base_region(doc, prof_kind: str, gazetteer) -> str:
    if prof_kind == "national_report":
        return NATIONAL["id"]
    if doc.main_region:
        return doc.main_region
    if gazetteer is not None:
        main, _ = gazetteer.tag(doc.title, doc.text)
        if main:
            return main
    return NATIONAL["id"] if prof_kind == "communique" else ""
