"""The third held-out set (tests/data/heldout3) is well-formed, new, and true to its sources.

It mixes four new documents (tests/data/heldout3/docs) with the shared corpus (seed articles,
provincial and national work reports). A question whose answer is not in its source would count
against planbot for a figure nobody could quote; a `source_contains` naming two sources would
credit a quote from the wrong one; an "unanswerable" question that some source does answer would
punish a right answer; a question or figure another set already asks would not be held out. All
four are checked here, each source read twice: straight from the file (python-docx for .docx,
the JSONL title/content for the national reports, the raw text otherwise) and as planbot's
loader keeps it for the index, because `planbot eval` matches quotes against the indexed text.
The shared-corpus parts skip without ../shared.
"""
from __future__ import annotations

from tests import heldout_checks as checks
from tests.heldout_checks import HeldoutSet

S = HeldoutSet("heldout3")

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h3-50": ("shouguang-2025", ["研发投入", "研发经费", "R&D", "研究与试验"]),  # no R&D figure at all
    "h3-51": ("anxi-county-2024", ["目標", "目标", "預期", "预期", "計劃", "计划", "力爭", "2025年"]),  # a bulletin
    "h3-53": ("ganzhou-etdz", ["2030"]),  # the plan stops at 2027
    "h3-54": ("yibin-sanjiang", ["2022"]),  # 2020, 2023 and 2024 only
    "h3-59": ("2025年北京市", ["房价", "房價", "住房价格", "元/平方米", "每平方米"]),  # no house prices
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    "h3-55": ("2025年福建省", ["茶"], ["万吨", "吨"], None),  # Fujian gives no tea output (Anxi's is a county's)
    "h3-60": ("2025年湖北省", ["集装箱"], [""], "350万标箱"),  # Wuhan port: the 2024 result only, no target
    "h3-61": ("2025年西藏", ["旅游", "总花费"], ["亿元"], None),  # Tibet: tourism growth rates, no amount
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h3-52": [(["潍坊", "濰坊", "Weifang"], ["生产总值", "生產總值", "GDP"])],  # Weifang city: Shouguang's parent
    "h3-56": [(["2020"], ["赤字"]), (["3.6%"], ["赤字"])],  # no 2020 national report in the corpus
    "h3-57": [(["Hanoi", "河內", "河内市"], [""])],
    "h3-58": [(["釜山", "Busan"], [""])],
}
NO_SOURCE = {"h3-56": "2020年中华人民共和国国务院政府工作报告"}


# The places of the four new documents, which no other source may be about.
PLACES = ["寿光", "壽光", "Shouguang", "三江新区", "三江新區", "Sanjiang", "赣州经济技术开发区", "赣州经开区",
          "贛州經開區", "安溪", "Anxi"]


# The fixtures and tests every such set shares (tests/heldout_checks.py): doc_texts, corpus_texts,
# indexed_docs, indexed_corpus; test_format, test_nothing_already_asked, test_answer_in_its_one_source,
# test_new_doc_answer_in_indexed_text, test_corpus_answer_in_indexed_text, test_every_document_loads,
# test_unanswerable_really_are.
globals().update(checks.mixed_set_tests(S, LACKS, WITHIN, NEVER_WITH, NO_SOURCE))


def test_composition():
    """Four new documents in the shapes users ingest (one English, one Traditional), each asked
    four times; seed articles, provincial and national reports; a dozen unanswerable; all scripts."""
    checks.check_mixed_composition(
        S, has_text=lambda texts: any("縣" in t and "億元" in t for t in texts),
        articles=(6, 10), provinces=18, unanswerable=(10, 14),
    )


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them (the Sichuan report names Yibin and Jiangxi's Ganzhou, but not these parks)."""
    checks.check_no_other_source_names(PLACES, ("heldout-docs", "new-places"), corpus_texts)

