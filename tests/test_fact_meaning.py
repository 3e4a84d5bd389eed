"""The asked kind of quantity against each candidate figure's own indicator (retrieval/ask/meaning.py
fact_strengths, ask/scoring.py), on the real bundled encoder and a real index: a question in
everyday words gets the sentence whose figure is that quantity, not one that repeats its words."""
from __future__ import annotations

import pytest

from retrieval.ask.meaning import FactIndicator, fact_strengths, name_vectors, quantity_words
from retrieval.ask.spec import SPEC
from tests.conftest import engine_over

# A city report in the shape of the corpus's work reports. The research institutes' sentence
# repeats the question's word "research" (研究) with a count after it; the R&D spending sentence
# shares no word with the question, but its figure's indicator (研发经费支出) is the money asked for.
REPORT = """丽水市2025年政府工作报告

2025-01-18 来源：丽水日报

一、2024年工作回顾
过去一年，全市地区生产总值完成2150.3亿元，增长6.1%。
新建研究院所5家，引进科研团队32个，与高校共建研究平台12个。
全社会研发经费支出达到58.6亿元，增长12.3%。
汽车零部件企业新增45家，汽车产业园区新建标准厂房20万平方米。
整车年产量达到15.2万辆。
茶园面积稳定在60万亩，茶叶专业市场全年成交额达到86.4亿元。
规模以上工业增加值增长8.0%，一般公共预算收入完成190.6亿元。
"""


@pytest.fixture(scope="module")
def city_engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, {"lishui-2025.txt": REPORT}, "lishui")


def test_money_put_into_research_is_the_rd_spending_figure_not_the_institutes_count(city_engine):
    # Before: the institutes' sentence was quoted first (研究 named, 5家 after it); the R&D
    # spending sentence names no word of the question.
    answer = city_engine.ask("How much money did Lishui put into research last year?")
    assert answer.answered and "58.6亿元" in answer.quotes[0].text


def test_quantity_words_leave_out_the_place_year_and_question_frame():
    assert quantity_words("How much money did Lishui put into research in 2024?", ("Lishui", "2024")) == "money put research"
    # Traditional folded to Simplified, the frame words (去年, 多少) left out
    assert quantity_words("麗水去年生產了多少台機器？", ("麗水",)) == quantity_words("丽水去年生产了多少台机器？", ("丽水",))


def test_a_figures_own_words_and_its_vocabulary_names_reach_the_asked_quantity(city_engine):
    encode, model = city_engine.vectors.encode, city_engine.index.model_id
    facts = [FactIndicator("rd", "rd_spending", "全社会研发经费支出"),
             FactIndicator("institutes", None, "新建研究院所"),
             FactIndicator("tea", None, "茶叶专业市场全年成交额")]
    s = fact_strengths("money put research", encode, name_vectors(encode, model), facts, dict(SPEC.fact_meaning_floor))
    assert s.get("rd", 0) > max(s.get("institutes", 0), s.get("tea", 0))


def test_a_listed_indicator_is_not_answered_by_a_merely_similar_quantity(city_engine):
    # R&D intensity (a listed indicator) is not stated; the R&D spending amount is near in
    # meaning but is another figure, and quoting it would answer a ratio with an amount
    answer = city_engine.ask("丽水2024年研发投入强度达到了多少？")
    assert not answer.answered or "58.6亿元" not in answer.quotes[0].text
