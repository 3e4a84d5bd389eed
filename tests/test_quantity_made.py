"""A quantity made or harvested is answered with the quantity, not with its trade's money value
(issue 13): "How much tea did Anxi produce?" asks tonnes, and 茶叶全产业链总产值 in yuan, however close
its words, is no answer to it; asked for the value, the value comes first. A real index of one
small report, written for these tests."""
from __future__ import annotations

import pytest

from tests.conftest import engine_over

SOURCES = {
    "enshi-2024-report.txt": """恩施州2024年政府工作报告

2024-01-18

一、2023年工作回顾
过去一年，全州茶叶全产业链总产值突破1500亿元，稳居全省前列。
全年茶叶产量45万吨，增长3%；全州生猪出栏450万头。
2023年，恩施州生产磷矿石380万吨。
二、2024年目标任务
全州茶叶产量力争达到48万吨。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, SOURCES, "quantity-made")


def test_a_quantity_made_is_not_answered_with_its_trade_s_value(engine):
    ans = engine.ask("How much tea did Enshi produce in 2023?")
    assert ans.answered and "45万吨" in ans.quotes[0].text, [q.text for q in ans.quotes]


def test_the_value_asked_for_is_still_the_value(engine):
    ans = engine.ask("恩施2023年茶叶全产业链产值有多少？")
    assert ans.answered and "1500亿元" in ans.quotes[0].text, [q.text for q in ans.quotes]


def test_a_question_in_the_perfective_is_answered_with_the_result_not_the_goal(engine):
    # written for this test: no year named; "did … produce" is done, so the 2023 result, not the goal
    ans = engine.ask("恩施茶叶产量达到了多少？")
    assert ans.answered and "45万吨" in ans.quotes[0].text, [q.text for q in ans.quotes]


def test_an_output_of_a_thing_no_source_names_is_declined(engine):
    # written for this test: the source holds tonnes of tea and of phosphate rock, none of phosphate
    # fertiliser, whose words are close to the rock's
    ans = engine.ask("恩施2023年生产了多少吨磷肥？")
    assert not ans.answered and "磷肥" in (ans.declined_because or ""), (ans.answer, ans.declined_because)


def test_an_output_of_a_thing_a_source_names_is_answered(engine):
    ans = engine.ask("恩施2023年生产了多少吨茶叶？")
    assert ans.answered and "45万吨" in ans.quotes[0].text, [q.text for q in ans.quotes]


def test_money_asked_is_not_answered_with_tonnes(engine):
    # written for this test: the source gives the rock's tonnes, never its value
    ans = engine.ask("What was the value of the phosphate rock Enshi mined in 2023?")
    assert not ans.answered, [q.text for q in ans.quotes]


def test_a_thing_s_output_named_before_chanliang_is_checked_too(engine):
    # 产量 after the thing: no fertiliser in the source, and tea's is there
    ans = engine.ask("恩施2023年磷肥产量是多少？")
    assert not ans.answered and "磷肥" in (ans.declined_because or ""), (ans.declined_because, [x.text for x in ans.quotes])
    ans = engine.ask("恩施2023年茶叶产量是多少？")
    assert ans.answered and "45万吨" in ans.quotes[0].text, [x.text for x in ans.quotes]
