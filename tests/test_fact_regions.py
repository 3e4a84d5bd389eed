"""A figure's region is read at ingest, where the document says whose it is (issue 13): in a
provincial report, a figure several cities are named as holding is theirs together, never the
province's; cities listed before 等 are examples of the set a count counts. A real index of a
small provincial-style report written for these tests."""
from __future__ import annotations

import pytest

from retrieval.facts import extract_facts
from retrieval.types import Document
from tests.conftest import engine_over

REPORT = """2025年江西省政府工作报告

2025-01-21 09:00 来源：江西日报

一、2024年工作回顾
过去一年，江西全省地区生产总值增长5.1%，发展质量稳步提升。
赣州、九江两市经济总量合计超过9000亿元，南昌首位度持续提高。
上饶、吉安等6个设区市规上工业增加值增长8%以上。
吉安市新增高新技术企业400家；高新技术企业总数超过1.2万家。
江西粮食产量稳定在430亿斤以上。

二、2025年目标任务
今年江西经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业40万人以上。
"""

JIANGXI, GANZHOU, JIUJIANG, SHANGRAO, JIAN = "360000", "360700", "360400", "361100", "360800"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, {"jiangxi-2025.txt": REPORT}, "jiangxi")


def _fact(engine, figure: str):
    (fact,) = [f for f in engine.index.facts() if f.figure.endswith(figure)]
    return fact


def test_a_figure_two_cities_hold_together_is_theirs_not_the_provinces(engine):
    assert _fact(engine, "9000亿元").region_id == f"{GANZHOU}+{JIUJIANG}"
    assert _fact(engine, "5.1%").region_id == JIANGXI
    # the province's figures do not include it; each city's and the province's listing show whose it is
    mine = {f["figure"] for f in engine.figures(region="江西", indicator="GDP") if f["region"]["id"] == JIANGXI}
    assert "5.1%" in mine and not any("9000" in f for f in mine)
    (joint,) = [f for f in engine.figures(region="赣州") if "9000" in f["figure"]]
    assert joint["region"]["name"] == "Ganzhou + Jiujiang"


def test_cities_before_deng_are_examples_of_the_provinces_count(engine):
    assert _fact(engine, "6个").region_id == JIANGXI  # six cities of the province, two named
    assert _fact(engine, "8%以上").region_id == f"{SHANGRAO}+{JIAN}"  # their growth, not the province's


def test_a_citys_subject_ends_at_the_semicolon(engine):
    assert _fact(engine, "400家").region_id == JIAN
    assert _fact(engine, "1.2万家").region_id == JIANGXI


def test_the_cities_figure_is_not_given_as_the_provinces(engine):
    # the report states no level for the province: the cities' level may be quoted first only as theirs
    ans = engine.ask("What was Jiangxi's total economic output in 2024?")
    assert ans.answered
    assert "9000亿元" not in ans.quotes[0].text or any(
        "No 2024 result for Jiangxi" in n and "of Ganzhou + Jiujiang is 超过9000亿元" in n for n in ans.notes)
    # held with Jiujiang: partly Ganzhou's, quoted, and the note says whose it is
    ans = engine.ask("What was Ganzhou's economic output in 2024?")
    assert ans.answered and "9000亿元" in ans.quotes[0].text
    assert any("No 2024 result for Ganzhou" in n and "of Ganzhou + Jiujiang is 超过9000亿元" in n for n in ans.notes)


def _doc(text: str, main: str) -> Document:
    return Document(doc_id="d", text=text, title=text.split("\n")[0], path="/tmp/r.txt", content_hash="h",
                    date="2025-01-21", main_region=main)


def test_a_place_named_inside_another_is_the_inner_one():
    facts = extract_facts(_doc("2025年湖北省政府工作报告\n\n一、2024年工作回顾\n湖北省武汉市地区生产总值增长5.2%。\n", "420000"))
    assert [f.region_id for f in facts if f.figure == "5.2%"] == ["420100"]


def test_a_place_as_the_object_of_a_verb_is_not_the_next_clauses_subject():
    text = "2025年福建省政府工作报告\n\n一、2024年工作回顾\n支持三明市建设种业基地，全年粮食播种面积稳定在1250万亩以上。\n"
    facts = extract_facts(_doc(text, "350000"))
    assert [f.region_id for f in facts if "1250万亩" in f.figure] == ["350000"]
