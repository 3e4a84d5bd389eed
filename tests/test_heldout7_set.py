"""The seventh held-out set (tests/data/heldout7) is well-formed, new, and true to its sources.

Like heldout6 it mixes four new documents (tests/data/heldout7/docs: a county-level statistical
communiqué in plain text with its title on the first line and no date line at all, a
Traditional-Chinese WeChat-style post in Markdown without front matter, an English investment page
of a development zone with its figures in an HTML table, a 2025–2027 action plan in Word with two
tables and a dated signature line) with the shared corpus (seed articles, provincial and national
work reports). A question whose answer is not in its source would count against planbot for a
figure nobody could quote; a `source_contains` naming two sources would credit a quote from the
wrong one; an "unanswerable" question that some source does answer would punish a right answer; a
question or figure another set already asks would not be held out. All four are checked here, each
source read twice: straight from the file (python-docx for .docx, the JSONL title/content for the
national reports, the raw text otherwise) and as planbot's loader keeps it for the index, because
`planbot eval` matches quotes against the indexed text. The shared-corpus parts skip without
../shared.
"""
from __future__ import annotations

import re
from collections import Counter

from tests import heldout_checks as checks
from tests.heldout_checks import HeldoutSet, raw_text

S = HeldoutSet("heldout7")

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h7-41": ("xiaoyi-2024", ["2021"]),  # 2022, 2023, 2024 and a 2025 goal only
    "h7-44": ("meihekou-medicine", ["医院", "病床", "床位"]),  # no hospital figures at all (床 only in 临床)
    "h7-49": ("2025年海南省", ["粗钢", "钢铁", "钢材"]),  # Hainan: no steel
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    # online sales: 2024's result only, no goal
    "h7-42": ("kaili-sour-soup", ["網上", "電商", "線上"], ["2025", "今年", "力爭", "目標", "突破", "達到", "2027"], None),
    # R&D platforms: a 2027 goal only
    "h7-43": ("dashiqiao-edz", ["platform"], ["2024", "last year", "reached", "now has", "had "], "2027"),
    # Xinjiang's vegetables: 2024's output only, no goal
    "h7-50": ("2025年新疆", ["蔬菜"], ["2025", "今年", "力争", "目标"], None),
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h7-45": [(["黔东南", "黔東南", "Qiandongnan"], [""])],  # Kaili's prefecture, named nowhere
    "h7-46": [(["Bavaria", "巴伐利亚", "巴伐利亞"], [""])],
    "h7-47": [(["釜山", "Busan"], [""])],
    "h7-48": [(["zorblat", "Qwertania"], [""])],  # nonsense
}
NO_SOURCE: dict[str, str] = {}


# The places of the four new documents, which no other source may be about.
PLACES = ["孝义", "孝義", "Xiaoyi", "凯里", "凱里", "Kaili", "毛辣角", "大石桥", "大石橋", "Dashiqiao", "梅河口",
          "Meihekou"]
# Their parent cities (and Kaili's prefecture), which no other source names either.
PARENTS = ["吕梁", "呂梁", "Lüliang", "Lvliang", "Luliang", "黔东南", "黔東南", "Qiandongnan", "营口", "營口",
           "Yingkou", "通化", "Tonghua"]


# The fixtures and tests every such set shares (tests/heldout_checks.py): doc_texts, corpus_texts,
# indexed_docs, indexed_corpus; test_format, test_nothing_already_asked, test_answer_in_its_one_source,
# test_new_doc_answer_in_indexed_text, test_corpus_answer_in_indexed_text, test_every_document_loads,
# test_unanswerable_really_are.
globals().update(checks.mixed_set_tests(S, LACKS, WITHIN, NEVER_WITH, NO_SOURCE))

NEW_DOC = [q for q in S.answerable if S.kind(q) == "new-doc"]
DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


def _doc(suffix: str):
    return next(p for p in S.doc_files if p.suffix == suffix)


def test_document_shapes():
    """The four shapes: the communiqué's first line is its title and no line carries a date; the
    post has no front matter but headings, emoji and 「」 quotes in Traditional Chinese; the English
    page keeps navigation and footer around an HTML figures table; the Word plan has two tables and
    ends with a dated signature."""
    from docx import Document

    txt = raw_text(_doc(".txt")).splitlines()
    assert txt[0].startswith("孝义市2024年") and txt[0].endswith("统计公报"), txt[0]
    assert not [line for line in txt if DATE.search(line)]
    md = raw_text(_doc(".md"))
    assert not md.startswith("---") and md.startswith("# ") and "\n## " in md
    assert "「" in md and "」" in md and "🍲" in md and "億元" in md and "產業" in md
    html = raw_text(_doc(".html"))
    assert "<table" in html and "<nav" not in html and 'class="nav"' in html and 'class="footer"' in html
    assert "billion yuan" in html and "<th>2027 target</th>" in html
    word = Document(str(_doc(".docx")))
    assert len(word.tables) == 2
    lines = [p.text.strip() for p in word.paragraphs if p.text.strip()]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", lines[-1]) and lines[-2].endswith("人民政府办公室"), lines[-2:]
    assert "（2025—2027年）" in lines[0]


def test_composition():
    """Four new documents in the shapes users ingest (plain text, Markdown, a web page, Word; one
    English, one Traditional), each asked four times; four seed-article questions, sixteen
    provinces once each, four national reports; ten unanswerable; all scripts."""
    assert len(S.doc_files) == 4 and {p.suffix for p in S.doc_files} == {".txt", ".md", ".html", ".docx"}
    per_doc = Counter(q["source_contains"] for q in NEW_DOC)
    assert set(per_doc) == S.doc_stems and set(per_doc.values()) == {4}, per_doc
    kinds = Counter(S.kind(q) for q in S.answerable)
    assert kinds == {"new-doc": 16, "article": 4, "province": 16, "national": 4}, kinds
    provinces = [q["source_contains"] for q in S.answerable if S.kind(q) == "province"]
    assert len(set(provinces)) == len(provinces) == 16, "one question per province"
    assert len(S.unanswerable) == 10
    langs = Counter(q["lang"] for q in S.questions)
    assert langs == {"en": 20, "zh": 15, "zh-Hant": 15}, langs
    checks.check_langs(S)


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them nor their parent cities (吕梁, 黔东南, 营口, 通化)."""
    checks.check_no_other_source_names(
        [*PLACES, *PARENTS], ("heldout-docs", "new-places", "heldout3", "heldout4", "heldout5", "heldout6"),
        corpus_texts,
    )
