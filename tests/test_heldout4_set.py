"""The fourth held-out set (tests/data/heldout4) is well-formed, new, and true to its sources.

Like heldout3 it mixes four new documents (tests/data/heldout4/docs: a county-level city's work
report, a Traditional-Chinese city news piece, an English news page, a development zone's Word plan)
with the shared corpus (seed articles, provincial and national work reports). A question whose
answer is not in its source would count against planbot for a figure nobody could quote; a
`source_contains` naming two sources would credit a quote from the wrong one; an "unanswerable"
question that some source does answer would punish a right answer; a question or figure another set
already asks would not be held out. All four are checked here, each source read twice: straight
from the file (python-docx for .docx, the JSONL title/content for the national reports, the raw text
otherwise) and as planbot's loader keeps it for the index, because `planbot eval` matches quotes
against the indexed text. The shared-corpus parts skip without ../shared.
"""
from __future__ import annotations

from tests import heldout_checks as checks
from tests.heldout_checks import HeldoutSet

S = HeldoutSet("heldout4")

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h4-43": ("yixing-2025", ["2023"]),  # 2020, 2024, 2025 and 2027 only
    "h4-44": ("shenmu-energy", ["natural gas", "gas output", "cubic met", "天然气", "天然氣"]),  # coal, not gas
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    "h4-42": ("yongkang-2025", ["保温杯"], ["2025", "今年", "力争", "目标", "达到"], None),  # cups: 2024 only
    "h4-45": ("ningxiang-etdz", ["食品"], ["2025", "2027", "目标", "力争", "达到", "突破"], None),  # food: 2024 only
    "h4-46": ("2025年广东省", ["粮食"], ["万吨", "亿斤", "万斤"], "1285万吨"),  # 1285万吨 is the 2025 target
    "h4-47": ("2025年陕西省", ["新能源汽车"], ["辆"], "119.8万辆"),  # 119.8万辆 is 2024's output
    "h4-48": ("2025年青海省", ["生产总值"], ["亿元", "万亿"], None),  # Qinghai: GDP growth only
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h4-49": [(["金华", "金華", "Jinhua"], ["生产总值", "生產總值", "GDP"])],  # Jinhua city: Yongkang's parent
    "h4-50": [(["Osaka", "大阪"], [""])],
    "h4-51": [(["魯爾", "鲁尔", "Ruhr"], [""])],
}
NO_SOURCE: dict[str, str] = {}


# The places of the four new documents, which no other source may be about.
PLACES = ["永康", "Yongkang", "宜兴", "宜興", "Yixing", "丁蜀", "紫砂", "神木", "Shenmu", "宁乡", "寧鄉",
          "Ningxiang"]


# The fixtures and tests every such set shares (tests/heldout_checks.py): doc_texts, corpus_texts,
# indexed_docs, indexed_corpus; test_format, test_nothing_already_asked, test_answer_in_its_one_source,
# test_new_doc_answer_in_indexed_text, test_corpus_answer_in_indexed_text, test_every_document_loads,
# test_unanswerable_really_are.
globals().update(checks.mixed_set_tests(S, LACKS, WITHIN, NEVER_WITH, NO_SOURCE))


def test_composition():
    """Four new documents in the shapes users ingest (one English, one Traditional), each asked
    four times; seed articles, provincial and national reports; about ten unanswerable; all scripts."""
    checks.check_mixed_composition(
        S, has_text=lambda texts: any("億元" in t and "萬人次" in t for t in texts),
        articles=(3, 6), provinces=16, unanswerable=(8, 12),
    )


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them (the Shaanxi report names 榆林, Shenmu's parent, and Zhejiang's 金华, Yongkang's,
    but not these cities; no source names 宁乡)."""
    checks.check_no_other_source_names(PLACES, ("heldout-docs", "new-places", "heldout3"), corpus_texts)

