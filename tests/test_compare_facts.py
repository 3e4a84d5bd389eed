"""Figure facts that compare and trend tables showed wrong or missed, fixed in retrieval/facts for
every document (not for these sentences): each test quotes the national report it came from."""
from __future__ import annotations

from retrieval.facts import extract_facts
from retrieval.knowledge.figures import extract_figures
from retrieval.types import Document


def national(year: int, body: str) -> Document:
    title = f"{year}年中华人民共和国国务院政府工作报告"
    return Document(doc_id=f"n{year}", text=f"{title}\n\n{body}", title=title, path="national-government-work-reports.jsonl#1",
                    content_hash="h", date=str(year))


def fact(d: Document, figure: str):
    (f,) = [f for f in extract_facts(d) if f.figure == figure]
    assert d.text[f.start:f.end] == figure
    return f


def test_a_clause_without_a_subject_takes_the_indicator_of_the_clause_before():
    d = national(2022, "一、2021年工作回顾\n\n国内生产总值达到114万亿元，增长8.1%。全年规模以上工业企业实现利润4657亿元，增长8.1％。\n"
                       "国内生产总值达到４３８００亿元，按可比价格计算，比上年增长百分之十一点八。")
    growth = fact(d, "8.1%")
    assert (growth.indicator_id, growth.measure, growth.kind, growth.period) == ("gdp", "growth", "achieved", "2021")
    assert fact(d, "8.1％").indicator_id != "gdp"  # the profits' growth: the subject of its own sentence
    assert fact(d, "百分之十一点八").indicator_id == "gdp"  # past a clause that only says how it was counted
    named = national(2022, "一、2021年工作回顾\n\n外贸进出口总额突破5000亿美元，其中出口2662亿美元，增长6.8%。")
    assert fact(named, "6.8%").indicator_id != "foreign_trade"  # exports, the clause just before, not trade


def test_the_result_of_last_year_in_the_plan_section_is_a_result():
    # 2011 report, "三、2011年的工作": the year's results, led by a figure-less sentence about the past year
    d = national(2011, "一、“十一五”时期经济社会发展回顾\n\n五年来，我们取得了很大成绩。\n\n三、2011年的工作\n\n2011年，是“十二五”开局之年，做好今年的工作至关重要。过去一年，我们的各项工作取得了很大成绩。"
                       "国内生产总值增长10.3%，居民消费价格涨幅控制在3.3%。这为做好今年的工作打下了良好基础。\n\n"
                       "今年经济社会发展的主要预期目标是：国内生产总值增长8%左右。\n国内生产总值增长8%左右，主要是引导各方面把工作重点放到加快转变经济发展方式上来。")
    result = fact(d, "10.3%")
    assert (result.kind, result.period, result.indicator_id) == ("achieved", "2010", "gdp")
    for f in extract_facts(d):
        if f.figure == "8%左右":
            assert (f.kind, f.period) == ("target", "2011")  # the next paragraph is the year's target again


def test_the_past_year_lead_holds_through_sentences_without_figures_in_its_paragraph():
    # 2023 report, in its five-year review: the paragraph opens on the past year, the result comes later
    d = national(2023, "一、过去一年和五年工作回顾\n\n过去一年，我国经济发展遇到疫情等国内外多重超预期因素冲击。面对经济新的下行压力，果断应对、"
                       "及时调控。全年国内生产总值增长3%，城镇新增就业1206万人。\n\n五年来，我们攻坚克难。国内生产总值增加到121万亿元，五年年均增长5.2%。")
    assert fact(d, "3%").period == "2022" and fact(d, "3%").indicator_id == "gdp"
    assert fact(d, "5.2%").period == "2018-2022"  # the next paragraph: five years, an average


def test_full_width_digits_are_read():
    # 2002 report: "２００１年国内生产总值达到９５９３３亿元，比上年增长７．３％。"
    d = national(2002, "一、２００１年工作回顾\n\n２００１年国内生产总值达到９５９３３亿元，比上年增长７．３％。\n\n"
                       "二、２００２年工作安排\n\n今年经济增长预期目标为７％左右。")
    result = fact(d, "７．３％")
    assert (result.value, result.unit, result.kind, result.period, result.indicator_id) == (7.3, "percent", "achieved", "2001", "gdp")
    target = fact(d, "７％左右")
    assert (target.value, target.kind, target.period, target.indicator_id) == (7.0, "target", "2002", "gdp")
    # 1998 report's typesetting: "去年经济增长8 ．8 ％" is 8.8%, not 8%
    assert [(f.text, f.value) for f in extract_figures("去年经济增长8 ．8 ％，涨幅为0 ．8 ％")] == [("8 ．8 ％", 8.8), ("0 ．8 ％", 0.8)]


def test_this_year_is_the_reports_year():
    # 1995 report: 今年 in the clause before the figure, the indicator there too
    d = national(1995, "二、今年的主要任务\n\n综合分析各方面的条件，今年经济增长速度的宏观调控目标，定为百分之八至九。")
    f = fact(d, "百分之八至九")
    assert (f.kind, f.period, f.indicator_id, f.value, f.value_high) == ("target", "1995", "gdp", 8.0, 9.0)
    # "在…的基础上年均增长7%": 基础上 + 年均, not 上年 (last year); 今后五年 is the next five years
    d = national(2011, "二、“十二五”时期的主要目标和任务\n\n今后五年，我国经济增长预期目标是在明显提高质量和效益的基础上年均增长7%。")
    f = fact(d, "7%")
    assert (f.kind, f.period) == ("target", "2011-2015")


def test_an_average_over_years_is_never_one_years_figure():
    d = national(2003, "一、过去五年政府工作的回顾\n\n国内生产总值从1997年的7.4万亿元增加到2002年的10.2万亿元，按可比价格计算，平均每年增长7.7%。"
                       "经济增长连续四年达到或略高于10%。")
    assert fact(d, "7.7%").period == "1998-2002"
    assert fact(d, "10%").period == "1999-2002"
