"""Indicators a sentence names without their listed names (issue 13): a subject carried over from
the clause before (…產值達到82.4億元；2023年和2022年分別為…), a ratio named by its parts (研发经费支出
相当于生产总值的比例), companies narrowed by a modifier elsewhere in the question (above designated
size), and a trade's worth. Real indexes of two small sources written for these tests."""
from __future__ import annotations

import pytest

from tests.conftest import engine_over

SOURCES = {
    "anhua-tea-2025.md": """# 安化黑茶2024年成績單出爐

2025-02-10

2024年，安化縣黑茶產業綜合產值達到268.4億元，同比增長9.5%；2023年和2022年分別為245.1億元、221.7億元，兩年增長兩成。

全縣茶園面積穩定在36萬畝，帶動茶農增收。到2027年，綜合產值達到350億元。
""",
    "anhua-2025-report.txt": """安化县2025年政府工作报告

2025-01-16

一、2024年工作回顾
全县棚户区改造1200套，地区生产总值增长6.1%，新增规上企业法人46户，新增市场主体5200户。
二、2025年主要目标
今年主要预期目标是：全县生产总值增长6%左右，全社会研发经费支出相当于全县生产总值的比例达到2.1%左右，城镇调查失业率5.5%以内。
三、结语
回顾过去一年，我们全面贯彻党的二十届三中全会精神，安化县棚户区改造和农村危房改造工作扎实推进。
""",
    "anhua-industry-2024.txt": """安化县2024年工业经济运行情况

2025-01-25

2024年，县属国有企业工业总产值增长12.5%，全县规模以上工业增加值增长7.3%。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, SOURCES, "named-by-parts")


def first_quote_holds(engine, question: str, text: str):
    """The answer to `question`, which must be answered with `text` in its first quote."""
    ans = engine.ask(question)
    assert ans.answered and text in ans.quotes[0].text, (ans.declined_because, [q.text for q in ans.quotes])
    return ans


def test_a_figure_whose_subject_is_in_the_clause_before_answers(engine):
    first_quote_holds(engine, "安化黑茶产业前年的综合产值是多少？", "245.1億元")


def test_a_ratio_named_by_its_parts_answers_and_is_labelled_so(engine):
    ans = first_quote_holds(engine, "What share of its GDP does Anhua aim to spend on R&D this year?", "2.1%左右")
    fig = next(f for f in ans.quotes[0].figures if f.text == "2.1%左右")
    assert fig.kind == "target"
    assert "R&D" in ans.answer and "regional GDP: about 2.1%" not in ans.answer, ans.answer


def test_companies_above_designated_size_are_counted_apart(engine):
    ans = first_quote_holds(engine, "How many companies above designated size did Anhua add last year?", "46户")
    assert "46 legal entities" in ans.answer and "households" not in ans.answer.split("—")[0], ans.answer


def test_industrial_output_of_above_size_firms_is_their_value_added(engine):
    # "industrial output" narrowed by "above designated size" anywhere in the question is
    # 规模以上工业增加值, not the state firms' 工业总产值 of the same sentence
    ans = first_quote_holds(engine, "How much did industrial output of Anhua's enterprises above designated size grow "
                                    "last year?", "7.3%")
    assert "7.3%" in ans.answer.split("—")[0] and "12.5%" not in ans.answer.split("—")[0], ans.answer


def test_what_a_trade_will_be_worth_is_its_value(engine):
    first_quote_holds(engine, "What does Anhua hope its dark-tea business will be worth by 2027?", "350億元")


def test_how_many_is_answered_first_by_a_sentence_with_a_figure(engine):
    # the figureless sentence shares more words with the question; a party plenum's number
    # (二十届三中全会) counts nothing
    ans = first_quote_holds(engine, "In Anhua's 2025 government work report, how many shantytown homes were renovated the "
                                    "year before?", "1200套")
    assert not ans.notes, ans.notes  # "In Anhua's": the capitalised "In" only starts the sentence, no name to check
