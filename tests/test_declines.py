"""Declining what the sources cannot answer, with the reason, and answering what they can, on the
real bundled encoder and a real index of small reports (retrieval/ask/pipeline.py
subject_not_quoted and report_not_held, ask/abstain.py unit_not_stated and indicator_not_named,
ask/query.py: a ratio asked by meaning)."""
from __future__ import annotations

import pytest

from tests.conftest import engine_over

# A city report: a company named once, in a project list; the city's own revenue figures; its
# tourism revenue only as growth; its R&D spending as an amount, no R&D intensity.
QUZHOU = """衢州市2025年政府工作报告

2025-01-16 来源：衢州日报

一、2024年工作回顾
过去一年，全市地区生产总值增长6.2%。
全市金融业实现营业收入320亿元，同比增长9%。
华为衢州研发中心正式投用，一批重大产业项目竣工投产。
全市接待游客增长11.5%，旅游收入增长15.3%。
全社会研发经费支出达到48.2亿元，增长10.1%。
"""

# Another city, whose report does state its R&D intensity and its tourism revenue in yuan.
LISHUI = """丽水市2025年政府工作报告

2025-01-18 来源：丽水日报

一、2024年工作回顾
过去一年，全市地区生产总值增长6.1%。
全社会研发投入强度达到2.8%。
全年旅游收入达到860亿元，增长12.0%。
"""

# A company's own annual results, naming it.
COMPANY = """腾讯公司发布2024年业绩

2025-03-19 来源：证券日报

腾讯公司2024年实现营业收入6603亿元，同比增长8%。
"""

# National work reports of two years, with grain targets; none of the years between.
REPORT_1988 = """1988年国务院政府工作报告

1988-03-25 来源：国务院

今年粮食生产的目标是，粮食产量达到8000亿斤。
"""
REPORT_1992 = """1992年国务院政府工作报告

1992-03-20 来源：国务院

今年粮食产量要达到8700亿斤左右。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    files = {"quzhou-2025.txt": QUZHOU, "lishui-2025.txt": LISHUI, "company.txt": COMPANY,
             "report-1988.txt": REPORT_1988, "report-1992.txt": REPORT_1992}
    return engine_over(tmp_path_factory, encoder, files, "declines")


def test_a_company_no_quoted_source_mentions_is_declined_with_its_name(engine):
    # Before: answered with the city's financial industry's 320亿元, which is not Huawei's revenue.
    ans = engine.ask("华为公司2024年的营业收入有多少？")
    assert not ans.answered
    assert ans.declined_because == "最接近的来源都没有在数字旁提到华为公司，其中的数字不是它的。"
    # a company the source names with its figure is answered
    ans = engine.ask("腾讯公司2024年的营业收入有多少？")
    assert ans.answered and "6603亿元" in ans.quotes[0].text


def test_a_report_of_a_year_the_index_does_not_hold_is_declined(engine):
    # Before: declined here only because the best quote's figures were of other years (and
    # answered where the best quote held no figure of a year); the missing report is the reason.
    ans = engine.ask("Which grain target appears in the 1990 government work report?")
    assert not ans.answered
    assert ans.declined_because == ("The indexed sources hold no 1990 government work report; "
                                    "the nearest years they hold are 1988 and 1992.")
    ans = engine.ask("1992年国务院政府工作报告里的粮食产量目标有多高？")
    assert ans.answered and "8700亿斤" in ans.quotes[0].text


def test_an_amount_asked_in_yuan_is_not_answered_with_a_growth_rate(engine):
    # Before: answered with "旅游收入增长15.3%".
    ans = engine.ask("What was Quzhou's tourism revenue in yuan last year?")
    assert not ans.answered
    assert ans.declined_because == "The closest sources give tourism revenue only as a growth rate or a share, not in yuan."
    ans = engine.ask("What was Lishui's tourism revenue in yuan last year?")
    assert ans.answered and "860亿元" in ans.quotes[0].text
    ans = engine.ask("By how much did Quzhou's tourism revenue grow last year?")
    assert ans.answered and "15.3%" in ans.quotes[0].text


def test_a_share_of_gdp_spent_on_rd_is_rd_intensity_in_everyday_words(engine):
    # "spend on research and development" is R&D spending by meaning; asked as a share of GDP it is R&D intensity, as
    # the listed phrase "R&D spending as a share of GDP" is. Before: answered with GDP growth 6.2%.
    ans = engine.ask("What percentage of its GDP did Quzhou spend on research and development last year?")
    assert not ans.answered
    assert ans.declined_because == "None of the closest sources about Quzhou names R&D intensity."
    ans = engine.ask("What percentage of its GDP did Lishui spend on research and development last year?")
    assert ans.answered and "2.8%" in ans.quotes[0].text
