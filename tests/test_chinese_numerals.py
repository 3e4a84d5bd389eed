"""Figures written in Chinese numerals, as the national reports of the 1950s–1980s write them.

Real sentences of the shared corpus through the real extractor: each fact in the JSON shape
`planbot figures --json` prints (`facts.query.fact_json`), and each figure as an answer's quote
shows it (`extract_figures` on the quoted text: the verbatim figure and its normalised value).
A numeral of 亿 and 万 groups (五亿五千万, 十亿零七千万) is one number, and 千 before 瓦 starts
the unit 千瓦, not the numeral (一千九百五十万千瓦 is 19.5 million kW).
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from retrieval.knowledge.figures import extract_figures, parse_number
from tests.conftest import CORPUS

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


@lru_cache(maxsize=None)
def _report(year: int) -> list[dict]:
    """Every fact of the national work report of `year` as `planbot figures --json` shows it."""
    from retrieval.facts import extract_facts
    from retrieval.facts.query import fact_json
    from retrieval.ingest.documents import load_file
    from retrieval.knowledge.regions import load_gazetteer
    from retrieval.knowledge.vocab import load_vocab

    gazetteer, vocab = load_gazetteer(), load_vocab()
    (doc,) = [d for d in load_file(CORPUS / "national-government-work-reports.jsonl")[0]
              if d.title.startswith(f"{year}年中华人民共和国国务院政府工作报告")]
    doc.main_region = gazetteer.tag(doc.title, doc.text)[0]
    return [fact_json(f, doc, gazetteer, vocab) for f in extract_facts(doc, gazetteer, vocab)]


def _shown(year: int, figure: str) -> dict:
    rows = [f for f in _report(year) if f["figure"] == figure]
    assert rows, f"{figure} is no figure fact of the {year} report"
    return rows[0]


def _quoted(sentence: str, figure: str):
    """The figure as an answer quoting `sentence` lists it."""
    (f,) = [f for f in extract_figures(sentence) if f.text == figure]
    return f


IRRIGATION = "两年共增加灌溉面积五亿五千万亩，加上原有的灌溉面积，共达十亿零七千万亩。"


@needs_corpus
def test_grouped_numerals_are_one_number():
    added, total = _shown(1960, "五亿五千万亩"), _shown(1960, "十亿零七千万亩")
    assert (added["value"], added["unit"], added["kind"], added["region"]["name_zh"]) == (550e6, "mu", "achieved", "全国")
    assert (total["value"], total["unit"]) == (1.07e9, "mu")  # was 10.00007 trillion mu
    assert IRRIGATION in added["sentence"]  # the quote keeps the source's text
    assert _quoted(IRRIGATION, "五亿五千万亩").english == "550 million mu"
    assert _quoted(IRRIGATION, "十亿零七千万亩").english == "1.07 billion mu"
    assert _shown(1986, "三亿零五百三十万吨")["value"] == 305.3e6  # grain, 1980
    assert _shown(1958, "十六亿九千二百四十五万亩")["value"] == 1_692_450_000
    coal = _shown(1979, "六亿一千八百万吨")
    assert (coal["value"], coal["period"], coal["kind"]) == (618e6, "1979", "achieved")


@needs_corpus
def test_a_thousand_before_watt_is_the_unit_kilowatt():
    row = _shown(1982, "一千二百九十万千瓦")
    assert (row["value"], row["unit"], row["kind"], row["period"]) == (12.9e6, "kW", "target", "1985")
    assert _quoted(row["sentence"], "一千二百九十万千瓦").english == "12.9 million kW"
    assert _shown(1955, "二百零五万千瓦")["value"] == 2.05e6


@needs_corpus
def test_figures_read_before_keep_their_values():
    steel = _shown(1978, "六千万吨")
    assert (steel["value"], steel["unit"], steel["kind"], steel["period"]) == (60e6, "tonnes", "target", "1985")
    assert _quoted(steel["sentence"], "六千万吨").english == "60 million tonnes"
    assert _shown(1957, "六万万人")["value"] == 600e6  # the old way of writing 六亿


def test_chinese_numerals_parse_to_the_value_of_their_arabic_forms():
    pairs = [("一百二十万", "120万"), ("六千万吨", "6000万吨"), ("五亿五千万", "5.5亿"), ("十亿零七千万", "10.7亿"),
             ("百分之八", "8%"), ("两千", "2000"), ("三万亿", "3万亿"), ("三亿七千零六十二万", "37062万"),
             ("一万二千亿元", "1.2万亿元"), ("六万万", "6亿")]
    for cn, ar in pairs:
        assert parse_number(cn) == parse_number(ar), (cn, ar)


def test_words_with_numerals_are_no_figures():
    for s in ["共建一带一路高质量发展", "十四五规划圆满收官", "做好三农工作", "两会期间", "一些地方",
              "第一产业", "一季度经济开局良好", "千千万万个市场细胞", "亿万人民的智慧"]:
        assert extract_figures(s) == [], s
