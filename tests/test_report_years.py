"""Years as older reports and statistical communiqués write them (issue 13): a plan year in
Chinese numerals (到一九八五年) is found and read as the plan's, a communiqué's undated figures
are of the year in its title (not of the year it came out). A real index of three small sources,
written for these tests."""
from __future__ import annotations

import pytest

from retrieval.ingest.documents import load_file
from retrieval.facts import extract_facts
from retrieval.text.dates import chinese_years, names_year
from retrieval.text.tokens import year_tokens

from tests.conftest import engine_over

SOURCES = {
    # an old national report: its review says last year's output and, in the same section, the
    # long-term plan's for a later year in Chinese numerals; the plan section this year's target
    "1979-national-report.txt": """1979年国务院政府工作报告

1979-06-18

一、一九七八年的国民经济
去年全国工业总产值比前年增长百分之十三点五，原煤产量六亿一千八百万吨。
这一年，铁路货运量达到十一亿吨，化肥产量八百六十九万吨。
按照长远规划的安排，到一九八五年，原煤产量达到九亿吨，化肥产量一千五百万吨。
各地区各部门要继续努力，把国民经济搞上去。

二、一九七九年的计划
今年原煤产量计划达到六亿五千万吨，化肥产量一千万吨。
""",
    # a province's old report: its only word of 1985 is in Chinese numerals
    "zhejiang-1980-report.txt": """1980年浙江省政府工作报告

1980-03-20

二、今后几年的任务
按照全省长远规划，到一九八五年，浙江粮食产量达到四百亿斤，茶叶产量达到十万吨。
""",
    # a county's statistical communiqué on 2024, out in March 2025: no sentence names the year
    "deqing-2024-communique.txt": """德清县2024年国民经济和社会发展统计公报

2025-03-21

一、综合
全年全县地区生产总值达到712亿元，比上年增长6.1%。
二、农业
全年粮食播种面积33.5万亩，粮食产量16.2万吨，比上年增长1.4%。
全年水产品产量9.8万吨，增长2.0%。
""",
    # a county's work report saved without a date: its title's year is the year it speaks from
    "shouguang-2025-report.txt": """寿光市2025年政府工作报告

一、2024年工作回顾
过去一年，全市地区生产总值完成1050亿元，增长5.8%；蔬菜产量达到455万吨，比2023年的441万吨增长3.2%。
二、2025年主要目标
今年全市地区生产总值力争达到1110亿元，蔬菜产量稳定在460万吨以上。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, SOURCES, "report-years")


def test_a_year_in_chinese_numerals_is_written_every_way_reports_write_it():
    assert chinese_years(1985) == ("一九八五年",)
    assert set(chinese_years(1980)) == {"一九八〇年", "一九八○年", "一九八零年"}
    assert names_year("到一九八○年，钢产量", 1980) and names_year("2024年全年", 2024)
    assert not names_year("到一九八五年", 1958)
    # a searchable token only where the segmenter keeps the form whole
    assert year_tokens(1985) == ["1985", "一九八五年"] and year_tokens(1980) == ["1980"]


def test_a_plan_year_in_chinese_numerals_is_answered_with_the_plans_figure(engine):
    ans = engine.ask("What coal output did the long-term plan set for 1985?")
    assert ans.answered, ans.declined_because
    assert "九亿吨" in ans.quotes[0].text


def test_a_communiques_undated_figures_are_of_its_title_year(tmp_path):
    path = tmp_path / "deqing-2024-communique.txt"
    path.write_text(SOURCES["deqing-2024-communique.txt"], encoding="utf-8")
    docs, bad = load_file(path, path.read_bytes())
    assert docs and not bad
    facts = {f.figure: f for f in extract_facts(docs[0])}
    assert facts["16.2万吨"].period == "2024" and facts["16.2万吨"].kind == "achieved"
    assert facts["712亿元"].period == "2024"


def test_a_communiques_figure_answers_for_the_year_it_reports(engine):
    ans = engine.ask("德清县2024年粮食产量是多少？")
    assert ans.answered, ans.declined_because
    assert "16.2万吨" in ans.quotes[0].text


def test_a_year_a_regions_source_writes_in_chinese_numerals_is_covered(engine):
    # the year guard looks the year up as the search does: 一九八五年 is 1985 said
    ans = engine.ask("What grain output did Zhejiang plan for 1985?")
    assert ans.answered, ans.declined_because
    assert "四百亿斤" in ans.quotes[0].text


def test_a_report_named_by_its_year_is_the_source_and_its_year_not_the_figures_time(engine):
    from retrieval.ask import pipeline

    q = "In the 1979 government work report, how much raw coal was produced the year before?"
    ctx = pipeline.run(engine.context(q), until="guards")
    assert ctx.analysis.years == [] and ctx.analysis.relative == "last_year"  # 1979 names the report
    docs = {d.title for d in pipeline.scope_documents(ctx)}
    assert docs == {"1979年国务院政府工作报告"}
    ans = engine.ask(q)
    assert ans.answered and "六亿一千八百万吨" in ans.quotes[0].text, [x.text for x in ans.quotes]


def test_an_undated_yearly_report_reads_last_year_and_this_year_from_its_title(engine):
    ans = engine.ask("寿光去年蔬菜产量是多少？")
    assert ans.answered and "455万吨" in ans.quotes[0].text, [q.text for q in ans.quotes]
    assert ans.quotes[0].figures[0].period == "2024"
    ans = engine.ask("How much vegetable output did Shouguang have the year before last?")
    assert ans.answered and "441万吨" in ans.quotes[0].text
    assert ("441万吨", "achieved", "2023") in [(f.text, f.kind, f.period) for f in ans.quotes[0].figures]
    ans = engine.ask("What vegetable output is Shouguang aiming for this year?")
    assert ans.answered and "460万吨" in ans.quotes[0].text, [q.text for q in ans.quotes]
