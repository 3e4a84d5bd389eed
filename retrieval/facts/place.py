"""The region a figure is about: the most specific place named as its clause's subject.

A provincial report's figures are the province's unless a place inside it is named before the
figure in the same clause ("成都市地区生产总值…"); a national report's are 全国 unless a
province or city is ("广东…增长"). Several places named together ("襄阳、宜昌经济总量突破6000亿元")
hold the figure between them (a combined region, model.COMBINED), never the region containing
them: the province did not reach 6000亿元. Places outside a sub-national document's region are
comparisons or partners ("对中亚五国", "京津冀"), never the subject.
"""
from __future__ import annotations

import bisect
import re

from retrieval.facts.cues import AID_BEFORE, DIRECTIONAL_REGION, EXAMPLES_THEN, GROUP_AFTER, PLACE_JOIN
from retrieval.facts.model import NATIONAL, combined_region


_PARTNER = set("向对對与與同援助")
_COORDINATE = set("与與同")  # "上海与六安": after a place, 与 joins two subjects
_AID = re.compile(AID_BEFORE)
_GROUP = re.compile(GROUP_AFTER)
_JOIN = re.compile(PLACE_JOIN)
_GLUED_BEFORE = re.compile(rf"{DIRECTIONAL_REGION}$")
_GLUED_AFTER = re.compile(DIRECTIONAL_REGION)
_LIST_MARK = re.compile(r"[、和与與及]")
# a list of short names right before the figure counting them ("哇让、同德、南山口、德令哈4座")
_NAME_LIST = re.compile(r"((?:[\u4e00-\u9fff]{1,6}、)+[\u4e00-\u9fff]{1,6})$")
_PLACE_SUFFIX = re.compile(r"(?:市|县|縣|区|區|州|盟|旗)?$")
_WHOLE = re.compile(r"全省|全市|全区|全區|全国|全國|whole (?:province|city|country)")
_EXAMPLES = re.compile(EXAMPLES_THEN)
_SEMICOLON = re.compile(r"[；;]")
_DIGIT = re.compile(r"[0-9０-９]")
_COMMA = re.compile(r"[，,、：:]")
# what may stand before a clause's subject: nothing, or a time phrase ("2023年", "今年以来")
_TOPIC_HEAD = re.compile(r"\s*(?:[0-9０-９一二三四五六七八九十〇零]{2,4}年(?:[0-9０-９一二三四五六七八九十]{1,2}月)?|今年|去年|上年|全年|近年来)?"
                         r"(?:以来|来)?\s*")


class Places:
    """Region mentions of one document, found once, looked up per figure."""

    def __init__(self, gazetteer, text: str, base: str) -> None:
        self.gazetteer = gazetteer
        self.base = base
        self.text = text
        found = gazetteer.find_in_text(text) if gazetteer is not None else []
        self.mentions, self._beneficiaries = self._subject_mentions(text, found)
        self._starts = [m[1] for m in self.mentions]
        self._inside = gazetteer.descendants(base) if gazetteer is not None and base != NATIONAL["id"] and base in gazetteer else None
        self._all = found

    @staticmethod
    def _subject_mentions(text: str, found: list) -> tuple[list, set[int]]:
        """The mentions that can be a figure's subject, and the starts of those that receive aid.
        "向金门供水", "对中亚增长": a place after 向/对/与 receives or partners, it is not the subject,
        nor are the places listed after it ("向伊犁州、昌吉州和喀什地区下放…"); but after a place,
        与 joins two subjects ("上海与六安对口合作…"). "援助梅州建设4个小镇": the place after an aid
        verb holds what is done there (see region_at). "沈阳都市圈": a group named after a city is
        not the city."""
        out, aided = [], set()
        prev, prev_role = None, None
        for m in found:
            _, a, b = m
            joined = prev is not None and bool(_JOIN.match(text[prev[2]:a]))
            if _GROUP.match(text, b) or _glued(text, a, b):
                role = "group"
            elif _AID.search(text, max(0, a - 6), a):
                role = "aided"
            elif a and text[a - 1] in _PARTNER:
                role = "subject" if text[a - 1] in _COORDINATE and joined and prev_role in ("subject", "aided") else "partner"
            elif joined and prev_role == "partner":
                role = "partner"
            else:
                role = "subject"
            if role in ("subject", "aided"):
                out.append(m)
                if role == "aided":
                    aided.add(a)
            prev, prev_role = m, role
        return out, aided

    _whole = _WHOLE

    def subjects(self, lo: int, hi: int) -> list[str]:
        """Distinct places (inside the document's region) named in text[lo:hi], in order."""
        return list(dict.fromkeys(rid for rid, _, _ in self._named(lo, hi)))

    def _named(self, lo: int, hi: int) -> list[tuple[str, int, int]]:
        i = bisect.bisect_left(self._starts, lo)
        out = []
        while i < len(self.mentions) and self.mentions[i][2] <= hi:
            if self._inside is None or self.mentions[i][0] in self._inside:
                out.append(self.mentions[i])
            i += 1
        # "广州、深圳援助梅州建设4个小镇": what is done for a place named after an aid verb is its own,
        # not its helpers'
        first_aided = next((k for k, m in enumerate(out) if m[1] in self._beneficiaries), None)
        return out[first_aided:] if first_aided else out

    def region_at(self, lo: int, fig_start: int, sentence_start: int | None = None) -> str:
        """The region of a figure starting at `fig_start` whose clause starts at `lo`: the place
        named before it ("湖北省武汉市" names 武汉); several places ("襄阳、宜昌经济总量…") hold it
        together (their combined region); places followed by 等 are examples of more, whose
        region holds it ("威海碳纤维、枣庄欣旺达等…试点30个" is the province's). A clause naming none keeps the sentence's subject
        ("2023年，江北新区实现营收…，地区生产总值增长5.1%"), unless it says 全省/全市 (the
        document's own region)."""
        mentions = self._named(lo, fig_start)
        named = list(dict.fromkeys(rid for rid, _, _ in mentions))
        if not named:
            if self._whole.search(self.text, lo, fig_start):
                return self.base
            if sentence_start is not None and sentence_start < lo:
                # a semicolon ends what a subject speaks for ("长沙…新增研发机构1178家；研发投入强度
                # 提升至2.57%" is the province's)
                start = max([sentence_start, *(m.end() for m in _SEMICOLON.finditer(self.text, sentence_start, lo))])
                earlier = self._named(start, lo)
                if len({rid for rid, _, _ in earlier}) == 1 and not self._whole.search(self.text, start, lo) \
                        and self._opens_clause(start, earlier[0][1]):
                    return earlier[0][0]
            return self.base
        examples = _EXAMPLES.search(self.text, mentions[-1][2], fig_start)
        if examples and not _DIGIT.search(self.text, examples.end(), fig_start):
            return self.containing(named)  # the count of the set ("…等6个设区市"); later figures are the places'
        if self._unknown_in_list(lo, fig_start):
            return self.base
        return self.holder(named)

    def _unknown_in_list(self, lo: int, fig_start: int) -> bool:
        """Whether the places before the figure are items of a list of short names some of which
        are no gazetteer place ("加快建设哇让、同德、南山口、德令哈4座抽水蓄能电站": 哇让 and
        南山口 are not places, so the four stations are no one of the places' but the document
        region's). Every item but the first (which may carry a verb before it) must be a bare
        name: a place name alone, or no place at all."""
        m = _NAME_LIST.search(self.text, lo, fig_start)
        if not m:
            return False
        a = m.start(1)
        items, pos = [], a
        for item in m.group(1).split("、"):
            items.append((pos, pos + len(item)))
            pos += len(item) + 1
        known = unknown = 0
        for k, (x, y) in enumerate(items):
            inside = [(p, q) for _, p, q in self._all if x <= p and q <= y]
            if not inside:
                if k == 0:
                    continue  # "加快建设哇让": cannot tell the name from the verb
                unknown += 1
            elif any(_PLACE_SUFFIX.fullmatch(self.text, q, y) and (k == 0 or p == x) for p, q in inside):
                known += 1
            else:
                return False  # "东营津辉": a place and a name, not a list of names
        return known >= 1 and unknown >= 1

    def listed(self, lo: int, hi: int) -> list[str]:
        """The places of text[lo:hi] as a list that the words up to `hi` end ("厦门、福州机场旅客
        吞吐量" before 分别), or [] when another list comes after them ("宁波舟山港货物和集装箱吞吐量
        分别…": the figures pair with the goods, not the places)."""
        mentions = self._named(lo, hi)
        if not mentions or _LIST_MARK.search(self.text, mentions[-1][2], hi):
            return []
        return list(dict.fromkeys(rid for rid, _, _ in mentions))

    def _opens_clause(self, lo: int, at: int) -> bool:
        """Whether the place named at `at` opens its clause, after at most a time phrase
        ("2023年，江北新区实现营收…"): a subject, not the object of 支持/在/推动 ("支持三明市…建设")."""
        head = self.text[max([lo, *(m.end() for m in _COMMA.finditer(self.text, lo, at))]):at]
        return bool(_TOPIC_HEAD.fullmatch(head))

    def holder(self, ids: list[str]) -> str:
        """Who holds a figure whose clause names `ids`: a place named inside another named one
        ("湖北省武汉市") stands for both; places side by side hold it together."""
        outer = {a for i in ids for a in self.gazetteer.ancestors(i)}
        inner = [i for i in ids if i not in outer]
        return inner[0] if len(inner) == 1 else combined_region(inner)

    def containing(self, ids: list[str]) -> str:
        """The smallest region holding all of `ids` and more ("…等30个": they are examples),
        within the document's region."""
        chains = [self.gazetteer.ancestors(i) for i in ids]
        above = [a for a in chains[0] if all(a in c or a == i for c, i in zip(chains[1:], ids[1:]))]
        up = next((a for a in above if self._inside is None or a in self._inside), None)
        return up or self.base


def _glued(text: str, a: int, b: int) -> bool:
    """Whether the place named at text[a:b] is glued to a directional region's name before or after
    it ("湘南湘西", "湘西湘南"): one name of a region of both (cues.DIRECTIONAL_REGION). A place
    whose own name is such a region (湘西) and stands alone stays itself."""
    return bool(_GLUED_BEFORE.search(text, max(0, a - 2), a) or _GLUED_AFTER.match(text, b))


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
