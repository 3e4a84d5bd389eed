"""The sixth held-out set (tests/data/heldout6) is well-formed, new, and true to its sources.

Like heldout5 it mixes four new documents (tests/data/heldout6/docs: a county's government work
report in Word with an indicator table, a Traditional-Chinese news web page, an English zone
brief, a file of Simplified-Chinese news items in the national reports' JSONL format) with the
shared corpus (seed articles, provincial and national work reports). A question whose answer is not
in its source would count against planbot for a figure nobody could quote; a `source_contains`
naming two sources would credit a quote from the wrong one; an "unanswerable" question that some
source does answer would punish a right answer; a question or figure another set already asks would
not be held out. All four are checked here, each source read twice: straight from the file
(python-docx for .docx, the JSONL title/content for the national reports, the raw text otherwise)
and as planbot's loader keeps it for the index, because `planbot eval` matches quotes against the
indexed text. The loader keeps each line of a JSONL file as a document of its own, so the news
items are checked item by item. The shared-corpus parts skip without ../shared.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from tests import heldout_checks as checks
from tests.heldout_checks import HeldoutSet, raw_text

S = HeldoutSet("heldout6")
ITEMS = "wuan-2025-news-items"  # the JSONL file: one indexed document per line

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h6-43": ("shehong-edz", ["2022"]),  # 2023, 2024 and the 2025/2027 targets only
    "h6-44": ("wuan-2025", ["粮食", "粮", "小麦", "玉米"]),  # no farm figures at all
    "h6-49": ("shehong-edz", ["height", "tall", "centimetre", "身高"]),  # nonsense: nothing of the kind
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    "h6-41": ("yanling-county", ["出口"], ["2025", "今年", "目标", "力争", "达到", "突破"], None),  # 2024's export only
    "h6-42": ("tianchang-instruments", ["儲能"], ["2024", "去年", "全年", "增長", "達到", "億元"], "2027"),  # a 2027 target only
    "h6-45": ("2025年西藏", ["生产总值"], ["亿元", "万亿"], None),  # Tibet: GDP growth only
    "h6-50": ("2025年福建省", ["金门"], ["2025", "今年", "力争", "目标"], None),  # Kinmen water: the total so far only
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h6-46": [(["邯郸", "邯鄲", "Handan"], ["钢", "鋼", "steel", "Steel"])],  # Handan city: Wu'an's parent
    "h6-47": [(["Ontario", "安大略"], [""])],
    "h6-48": [(["大阪", "Osaka"], [""])],
}
NO_SOURCE: dict[str, str] = {}


# The places of the four new documents, which no other source may be about.
PLACES = ["鄢陵", "Yanling", "天长", "天長", "Tianchang", "芡实", "芡實", "射洪", "Shehong", "武安", "Wu'an",
          "Wu’an", "Wuan"]
# Their parent cities, which no other source names either.
PARENTS = ["许昌", "許昌", "Xuchang", "滁州", "Chuzhou", "遂宁", "遂寧", "Suining", "邯郸", "邯鄲", "Handan"]


# The fixtures and tests every such set shares (tests/heldout_checks.py): doc_texts, corpus_texts,
# indexed_docs, indexed_corpus; test_format, test_nothing_already_asked, test_answer_in_its_one_source,
# test_corpus_answer_in_indexed_text, test_unanswerable_really_are. Two are replaced below because
# the JSONL file is several indexed documents: test_new_doc_answer_in_indexed_text and
# test_every_document_loads.
globals().update(checks.mixed_set_tests(S, LACKS, WITHIN, NEVER_WITH, NO_SOURCE))

NEW_DOC = [q for q in S.answerable if S.kind(q) == "new-doc"]


def _items() -> list[dict]:
    return checks.load(S.docs / f"{ITEMS}.jsonl")


@pytest.mark.parametrize("q", NEW_DOC, ids=[q["id"] for q in NEW_DOC])
def test_new_doc_answer_in_indexed_text(q, indexed_docs):
    """The answers are in the indexed text of the one new document `source_contains` names; for the
    news items, in exactly one item's indexed text."""
    if q["source_contains"] != ITEMS:
        checks.check_doc_answer_in_indexed_text(q, indexed_docs)
        return
    texts = [text for name, text in indexed_docs[0] if ITEMS in name]
    assert len(texts) == len(_items()), f"{q['id']}: {len(texts)} indexed items"
    for a in q["answers"]:
        assert sum(a in t for t in texts) == 1, f"{q['id']}: {a!r} not in exactly one indexed item"


def test_every_document_loads(indexed_docs):
    """Ingest reads all four: none skipped, one indexed document per file and per news item."""
    docs, skipped = indexed_docs
    assert skipped == [], skipped
    assert len(docs) == len(S.doc_files) - 1 + len(_items()), [n for n, _ in docs]
    assert all(set(row) == {"title", "url", "content", "year"} for row in _items())


def test_composition():
    """Four new documents in the shapes users ingest (Word, a web page, Markdown, JSONL; one
    English, one Traditional), each asked four times; seed articles, provincial and national
    reports; about ten unanswerable; all scripts."""
    assert len(S.doc_files) == 4 and {p.suffix for p in S.doc_files} == {".docx", ".html", ".md", ".jsonl"}
    texts = {p.suffix: raw_text(p) for p in S.doc_files}
    assert "billion yuan" in texts[".md"] and "億元" in texts[".html"] and "產業" in texts[".html"]
    assert all(json.loads(line)["content"] for line in texts[".jsonl"].splitlines() if line.strip())
    per_doc = Counter(q["source_contains"] for q in NEW_DOC)
    assert set(per_doc) == S.doc_stems and set(per_doc.values()) == {4}, per_doc
    kinds = Counter(S.kind(q) for q in S.answerable)
    assert kinds["new-doc"] == 16 and 3 <= kinds["article"] <= 6, kinds
    assert 20 <= kinds["province"] + kinds["national"] <= 28 and kinds["national"] >= 3, kinds
    assert len({q["source_contains"] for q in S.answerable if S.kind(q) == "province"}) >= 16, "provinces"
    assert 8 <= len(S.unanswerable) <= 12
    langs = Counter(q["lang"] for q in S.questions)
    assert langs["en"] >= 0.35 * len(S.questions) and min(langs.values()) >= 0.25 * len(S.questions), langs
    checks.check_langs(S)


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them nor their parent cities (许昌, 滁州, 遂宁, 邯郸)."""
    checks.check_no_other_source_names(
        [*PLACES, *PARENTS], ("heldout-docs", "new-places", "heldout3", "heldout4", "heldout5"), corpus_texts,
    )
