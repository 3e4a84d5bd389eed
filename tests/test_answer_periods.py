"""Answers that honour the asked year, region and figure (issue 13): a figure of another year
does not come first, a city's figure is not a province's, and a figure the sources do not state
is said to be missing, with the closest sentences as context. A real index of three small
reports, written for these tests."""
from __future__ import annotations

import pytest

from retrieval.ask.evidence import category_fits, metric_figure
from retrieval.knowledge.figures import extract_figures, figure_category

REPORTS = {
    "hubei-2025.txt": """2025年湖北省政府工作报告

2025-01-20 09:00 来源：湖北日报

一、2024年工作回顾
过去一年，湖北全省地区生产总值达到6.0万亿元、增长5.8%。
襄阳、宜昌经济总量突破6000亿元，武汉龙头作用更加凸显。
湖北全社会研发投入强度达到2.5%，高新技术企业超过3万家。
湖北粮食生产再获丰收，建成高标准农田300万亩。

二、2025年目标任务
今年湖北经济社会发展的主要预期目标是：地区生产总值增长5.5%左右，城镇新增就业70万人以上。
湖北稳定粮食生产，抓好高标准农田建设。
""",
    "hubei-2024.txt": """2024年湖北省政府工作报告

2024-01-22 09:00 来源：湖北日报

一、2023年工作回顾
过去一年，湖北全省地区生产总值增长6%，城镇新增就业90万人。

二、2024年目标任务
今年湖北经济社会发展的主要预期目标是：地区生产总值增长6%左右，居民消费价格涨幅3%左右。
湖北将继续努力，建设全国构建新发展格局先行区。
""",
    "hubei-2021.txt": """2021年湖北省政府工作报告

2021-01-25 09:00 来源：湖北日报

一、2020年工作回顾
过去一年，湖北我们经受住了前所未有的考验，疫情防控取得重大战略成果。

二、2021年目标任务
今年湖北要巩固疫情防控成果，推动经济社会全面恢复。
湖北将继续努力，建设全国构建新发展格局先行区。
""",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    from retrieval.engine import Engine
    from retrieval.ingest.run import ingest

    root = tmp_path_factory.mktemp("hubei-reports")
    for name, text in REPORTS.items():
        (root / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hubei-index")
    ingest([root], index_dir, encoder=encoder)
    return Engine(index_dir, encoder=encoder)


def test_the_target_of_the_asked_year_comes_first(engine):
    ans = engine.ask("What GDP growth did Hubei target for 2024?")
    assert ans.answered and "6%左右" in ans.quotes[0].text
    assert ans.quotes[0].source.date.startswith("2024")


def test_the_result_of_the_asked_year_comes_first_not_another_years(engine):
    ans = engine.ask("How much did Hubei's GDP grow in 2023?")
    assert ans.answered and "增长6%" in ans.quotes[0].text and ans.quotes[0].source.date.startswith("2024")


def test_a_year_no_source_holds_is_said_plainly_with_the_years_they_hold(engine):
    ans = engine.ask("What was Hubei's R&D intensity in 2020?")
    assert not ans.answered
    assert "no R&D intensity figure for 2020" in ans.declined_because and "2024" in ans.declined_because


def test_cities_figures_are_not_quoted_as_the_provinces(engine):
    ans = engine.ask("What was Hubei's GDP in 2024?")
    assert ans.answered and "6.0万亿元" in ans.quotes[0].text
    assert not any("襄阳" in q.text for q in ans.quotes)


def test_a_figure_the_sources_do_not_state_is_said_to_be_missing(engine):
    from rich.console import Console

    from bot.slack.formatting import format_answer
    from bot.terminal import print_answer

    ans = engine.ask("What is Hubei's grain output target for 2025?")
    assert not ans.answered and "no figure for grain output" in ans.declined_because
    assert ans.quotes and "粮食" in ans.quotes[0].text  # the closest sentence, as context
    con = Console(record=True, width=200)
    print_answer(con, ans)
    assert "context, not an answer" in con.export_text()
    assert "context, not an answer" in str(format_answer(ans)["blocks"])


def test_the_answer_figure_is_the_one_that_fits_and_no_other_indicators():
    text = "地区生产总值6.36万亿元、增长5.1%。"
    growth = lambda f: f.unit == "percent"  # noqa: E731
    assert metric_figure(text, extract_figures(text), {"gdp"}, 24, growth)[1].text == "5.1%"
    text = "举办促消费活动5000多场，拉动消费785亿元，网上零售额增长19％。"
    _, fig = metric_figure(text, extract_figures(text), {"consumption"}, 24, growth)
    assert fig is None or fig.text != "19％"  # 19％ is online retail's


def test_an_attribute_measure_after_the_asked_indicator_s_figure_is_its_own():
    # written for this test: the projects' investment is the key projects' money, not another owner's figure
    text = "全年实施重点项目1500多个、完成投资2100多亿元，其中产业项目500个。"
    amount = lambda f: category_fits("amount", figure_category(f, text))  # noqa: E731
    assert metric_figure(text, extract_figures(text), {"major_projects"}, 24, amount)[1].text == "2100多亿元"
    # an owner with a subject of its own still owns its figure: 消费 is not the projects'
    text = "全年实施重点项目1500多个，拉动消费2100多亿元。"
    assert metric_figure(text, extract_figures(text), {"major_projects"}, 24, amount)[1].text == "1500多个"


def test_an_industry_s_output_value_is_the_industry_s_figure():
    # written for this test: 产值 closing the industry's own compound (储能|材料产业|产值) is its figure,
    # the next industry's figure is not
    text = "到2026年，全市规上工业总产值达到900亿元，新型储能材料产业产值达到210亿元，生物医药产业产值突破80亿元。"
    fig = metric_figure(text, extract_figures(text), {"energy_storage"}, 24)[1]
    assert fig is not None and fig.text == "210亿元"
    text = "种业产值增长18.5%。"
    fig = metric_figure(text, extract_figures(text), {"seed_industry"}, 24)[1]
    assert fig is not None and fig.text == "18.5%"


def test_another_quantity_of_the_asked_indicator_is_not_its_figure():
    # written for this test: reserves and sown area of grain are not its output
    text = "粮食播种面积稳定在1200万亩以上，粮食储备规模达400万吨，粮食产量达到500万吨。"
    fig = metric_figure(text, extract_figures(text), {"grain_output"}, 24)[1]
    assert fig is not None and fig.text == "500万吨"


def test_a_ratio_named_by_its_parts_gives_its_figure():
    # written for this test: R&D spending over GDP is R&D intensity, named by its parts
    text = "全市生产总值增长5.5%左右，全社会研发经费支出相当于全市生产总值的比例达到3.6%左右，失业率5%以内。"
    assert metric_figure(text, extract_figures(text), {"rd_intensity"}, 24)[1].text == "3.6%左右"
    plain = "全市生产总值增长5.5%左右，研发经费支出增长8%。"
    assert metric_figure(plain, extract_figures(plain), {"rd_intensity"}, 24) == (False, None)
