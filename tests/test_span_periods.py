"""A figure over several years (a five-year average, 年均) is no single year's figure (issue 13):
asked for one year inside the span, the answer says the sources hold no figure for that year
and names the span they hold, instead of quoting the span's figure or another year's. A real
index of two small national-style reports written for these tests."""
from __future__ import annotations

import pytest

from tests.conftest import engine_over

REPORTS = {
    "national-2023.txt": """2023年中华人民共和国国务院政府工作报告

2023-03-05 09:00 来源：新华社

一、过去五年工作回顾
过去五年，全国财政赤字率年均保持在2.7%左右，宏观杠杆率基本稳定。

二、2023年经济社会发展总体要求和政策取向
今年赤字率拟按3.1%安排，财政支出力度进一步加大，中国经济总体回升向好。
""",
    "national-2017.txt": """2017年中华人民共和国国务院政府工作报告

2017-03-05 09:00 来源：新华社

一、2016年工作回顾
过去一年，中国经济运行缓中趋稳，全国一般公共预算收入继续增长，民生支出得到保障。

二、2017年工作总体部署
今年赤字率拟按3%安排，财政赤字2.38万亿元。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, REPORTS, "national")


def test_the_average_is_read_as_a_span(engine):
    (fact,) = [f for f in engine.index.facts() if f.figure.startswith("2.7%")]
    assert fact.period == "2018-2022"


def test_a_year_inside_a_span_is_not_answered_by_the_span(engine):
    ans = engine.ask("What was China's fiscal deficit ratio in 2020?")
    assert not ans.answered
    assert "no deficit-to-GDP ratio figure for 2020" in ans.declined_because
    assert "2018-2022" in ans.declined_because  # what the sources do hold


def test_a_year_the_sources_hold_is_still_answered(engine):
    ans = engine.ask("2017年全国赤字率拟按多少安排？")
    assert ans.answered and "按3%安排" in ans.quotes[0].text and ans.quotes[0].source.date.startswith("2017")
