"""The fifth held-out set (tests/data/heldout5) is well-formed, new, and true to its sources.

Like heldout4 it mixes four new documents (tests/data/heldout5/docs: a county-level city's
statistical communiqué, a Traditional-Chinese industrial-park news piece, an English
investment-promotion page, a high-tech zone's Word plan) with the shared corpus (seed articles,
provincial and national work reports). A question whose answer is not in its source would count
against planbot for a figure nobody could quote; a `source_contains` naming two sources would credit
a quote from the wrong one; an "unanswerable" question that some source does answer would punish a
right answer; a question or figure another set already asks would not be held out. All four are
checked here, each source read twice: straight from the file (python-docx for .docx, the JSONL
title/content for the national reports, the raw text otherwise) and as planbot's loader keeps it for
the index, because `planbot eval` matches quotes against the indexed text. The shared-corpus parts
skip without ../shared.
"""
from __future__ import annotations

from tests import heldout_checks as checks
from tests.heldout_checks import HeldoutSet

S = HeldoutSet("heldout5")

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h5-44": ("deyang-hi-tech", ["2022"]),  # 2023, 2024, 2025 and 2027 only
    "h5-45": ("deqing-invest", ["grain", "粮食", "糧食", "tonnes"]),  # no farm figures at all
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    "h5-42": ("zouping-2024", ["铝材"], ["2025", "今年", "目标", "力争", "达到"], None),  # 2024 and 2022 only
    "h5-43": ("wujin-xitaihu", ["儲能"], ["2024", "全年", "去年", "增長"], None),  # storage: a 2026 target only
    "h5-49": ("2025年黑龙江省", ["生产总值"], ["亿元", "万亿"], None),  # Heilongjiang: GDP growth only
    "h5-50": ("2025年湖北省", ["货邮"], ["2025", "今年", "力争", "目标", "万吨以上"], None),  # 2024's 128万吨 only
    "h5-51": ("2025年吉林省", ["人参"], ["增长", "%", "％"], None),  # ginseng: a level, no growth
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h5-46": [(["湖州", "Huzhou"], ["生产总值", "生產總值", "GDP"])],  # Huzhou city: Deqing's parent
    "h5-47": [(["巴伐利亚", "巴伐利亞", "Bavaria"], [""])],
    "h5-48": [(["Hokkaido", "北海道"], [""])],
}
NO_SOURCE: dict[str, str] = {}


# The places of the four new documents, which no other source may be about.
PLACES = ["邹平", "鄒平", "Zouping", "武进", "武進", "Wujin", "西太湖", "Xitaihu", "德清", "Deqing", "莫干山",
          "Moganshan", "德阳", "德陽", "Deyang"]


# The fixtures and tests every such set shares (tests/heldout_checks.py): doc_texts, corpus_texts,
# indexed_docs, indexed_corpus; test_format, test_nothing_already_asked, test_answer_in_its_one_source,
# test_new_doc_answer_in_indexed_text, test_corpus_answer_in_indexed_text, test_every_document_loads,
# test_unanswerable_really_are.
globals().update(checks.mixed_set_tests(S, LACKS, WITHIN, NEVER_WITH, NO_SOURCE))


def test_composition():
    """Four new documents in the shapes users ingest (one English, one Traditional), each asked
    four times; seed articles, provincial and national reports; about ten unanswerable; all scripts."""
    checks.check_mixed_composition(
        S, has_text=lambda texts: any("億元" in t and "園區" in t for t in texts),
        articles=(3, 6), provinces=16, unanswerable=(8, 12),
    )


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them (nor 常州 or 湖州, the parents of Wujin and Deqing; the Shandong report names
    滨州, Zouping's parent, but not Zouping)."""
    checks.check_no_other_source_names(
        [*PLACES, "常州", "湖州", "Changzhou", "Huzhou"], ("heldout-docs", "new-places", "heldout3", "heldout4"),
        corpus_texts,
    )
