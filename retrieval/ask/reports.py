"""A document asked for by its year ("the 1966 government work report", 2016年江苏省政府工作报告).

A question that names a report of a year asks about that one document: when the index holds
reports of that kind but none of that year, the answer is not in the sources, however close a
neighbouring year's report comes (one report's steel target is not another year's report's).
The explicit-year guard cannot see this: other reports mention the year (a five-year plan's
targets for its last year), and a question without a region has no sources "about" it.

A kind of document is a vocabulary term of a document issued once a year (ANNUAL_KINDS); a
document is of that kind when the term heads its title: Chinese and English compounds put their
head last (2025年江苏省政府工作报告 is a work report; …关于政府工作报告的决议 is a resolution about
one). The check runs only where the index holds documents of the kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from retrieval.knowledge.vocab import Term, Vocab
from retrieval.text.dates import doc_year
from retrieval.text.fold import fold

# Kinds of document issued once a year, so that "the 1966 one" names a single document: the
# vocabulary ids. A plan or an action plan is named by the year it runs to ("the 2030 plan"),
# not the year it was issued, so it is no such kind.
ANNUAL_KINDS = frozenset({"work_report"})
# words that may stand between the year and the kind of document, besides the asked region's
# names: who issued it ("the 1966 national government work report", 1966年国务院政府工作报告)
ISSUER_WORDS = ("national", "state council", "central government", "chinese", "china's", "china",
                "国务院", "中华人民共和国", "中央政府", "全国", "中国", "的")
_YEAR_EN = re.compile(r"\b(1[89]\d\d|20\d\d)(?:['’]s)?\s+((?:[A-Za-z'’]+\s+){0,3})$")
_YEAR_ZH = re.compile(r"(1[89]\d\d|20\d\d)\s*年(.{0,12})$")
_TITLE_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# what follows a title's head without changing its kind: （摘要）, (全文), punctuation
_TITLE_TAIL = re.compile(r"[\s(（\[【].*$|[\s。.,，:：!！?？]+$")


@dataclass(frozen=True)
class AskedReport:
    kind: Term  # the kind of document (work_report)
    year: int
    written: str  # the question's words for it ("1966 government work report")


def _only_issuer(between: str, region_names: Iterable[str]) -> bool:
    """Whether the words between a year and a document kind only say whose document it is."""
    rest = fold(between)
    for w in sorted({fold(n) for n in region_names if n} | set(ISSUER_WORDS), key=len, reverse=True):
        rest = rest.replace(w, " ")
    return not rest.strip()


def asked_reports(question: str, vocab: Vocab, region_names: Iterable[str] = (),
                  kinds: frozenset[str] = ANNUAL_KINDS) -> list[AskedReport]:
    """The documents of the given kinds (term ids) that the question names by year: the year
    written right before the kind's name, with at most the issuer between them."""
    out: list[AskedReport] = []
    names = list(region_names)
    for m in vocab.matches(question):
        if m.term.id not in kinds:
            continue
        before = question[:m.start]
        found = _YEAR_EN.search(before) if m.script == "en" else _YEAR_ZH.search(before)
        if found and _only_issuer(found.group(2), names):
            out.append(AskedReport(m.term, int(found.group(1)), question[found.start():m.end]))
    return out


def title_kind(title: str, terms: Iterable[Term]) -> Optional[Term]:
    """The term a document's title ends with (its head): the kind of document it is."""
    head = _TITLE_TAIL.sub("", fold(title).strip())
    for t in terms:
        if any(head.endswith(fold(n)) for n in [*t.zh, *t.english] if n):
            return t
    return None


def report_year(title: str, date: Optional[str]) -> Optional[int]:
    """The year a report is of: the year its title names, else the year it is dated."""
    m = _TITLE_YEAR.search(title or "")
    return int(m.group(1)) if m else doc_year(date)


def held_report_years(documents: Iterable, kind: Term) -> list[int]:
    """The years of the documents of a kind (documents: objects with .title and .date)."""
    return sorted({y for d in documents if title_kind(d.title or "", [kind]) is not None
                   and (y := report_year(d.title, d.date)) is not None})


def nearest_years(held: list[int], year: int, n: int = 2) -> list[int]:
    """The held years nearest the asked one: the last before it and the first after it."""
    before = [y for y in held if y < year][-1:]
    after = [y for y in held if y > year][:1]
    return (before + after)[:n]


def not_held_reason(asked: AskedReport, held: list[int], english: bool) -> str:
    near = nearest_years(held, asked.year)
    if english:
        name = asked.kind.english[0]
        return (f"The indexed sources hold no {asked.year} {name}"
                + (f"; the nearest years they hold are {' and '.join(map(str, near))}." if near else "."))
    name = asked.kind.zh[0]
    return (f"已索引的来源中没有{asked.year}年的{name}"
            + (f"；最接近的是{'年和'.join(map(str, near))}年的。" if near else "。"))
