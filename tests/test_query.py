"""Question analysis: language, regions, periods, metrics, answer kind, expansions, keywords."""
from __future__ import annotations

import datetime

import pytest

from retrieval.ask.query import QueryAnalysis, analyse, find_years, plan_years, resolve_period
from retrieval.text import question_lang

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture(scope="module")
def gazetteer():
    from retrieval.knowledge.regions import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="module")
def ask(gazetteer):
    return lambda q: analyse(q, today=TODAY, gazetteer=gazetteer)


# ---- language and regions ----------------------------------------------------------------

@pytest.mark.parametrize("question, lang", [
    ("What was Zhejiang's GDP last year?", "en"),
    ("浙江去年GDP多少", "zh-Hans"),
    ("2025年河南固定資產投資目標是多少？", "zh-Hant"),
    ("寧德市引進了多少個鋰電池產業鏈項目？", "zh-Hant"),
    ("江北新区组建了怎样的服务专班？", "zh-Hans"),
    ("2025年GDP目标", "zh-Hans"),  # script-neutral characters default to Simplified
])
def test_language(question, lang):
    assert question_lang(question) == lang


@pytest.mark.parametrize("question, regions, names", [
    ("What was Zhejiang's GDP last year?", ["330000"], ["Zhejiang"]),
    ("浙江去年GDP多少", ["330000"], ["浙江"]),
    ("2025年河南固定資產投資目標是多少？", ["410000"], ["河南"]),
    ("寧德市引進了多少個鋰電池產業鏈項目？", ["350900"], ["寧德市"]),
    ("How many new urban jobs does Guangdong plan for 2025?", ["440000"], ["Guangdong"]),
    ("What is Tokyo's GDP growth target for 2025?", [], []),
])
def test_regions(ask, question, regions, names):
    a = ask(question)
    assert a.regions == regions and a.region_names == names


def test_region_names_shield_vocabulary_terms(ask):
    a = ask("铜仁市铜产业发展如何")  # 铜 in the city name is not copper; 铜产业 is
    assert a.regions == ["520600"] and [t.id for t in a.metric_terms][:1] == ["copper"]
    assert [t.id for t in ask("铜仁市经济总量").metric_terms] == ["gdp"]


def test_a_region_expands_to_its_chinese_names_but_not_its_one_character_abbreviation(ask):
    # 冀 would match far too much text to help retrieval
    a = ask("How fast did Hebei's economy grow in 2024?")
    assert a.regions == ["130000"] and {"河北省", "河北"} <= set(a.expansions) and "冀" not in a.expansions


def test_without_a_gazetteer_no_region_is_read_but_the_metric_is():
    b = analyse("How fast did Hebei's economy grow in 2024?", today=TODAY)
    assert b.regions == [] and [t.id for t in b.metric_terms] == ["gdp"]


# ---- periods -----------------------------------------------------------------------------

@pytest.mark.parametrize("question, years, relative", [
    ("How fast did Tianjin's GDP grow in 2024?", [2024], None),
    ("Hubei retail sales growth 2024", [2024], None),
    ("GDP in 2023 and 2024", [2023, 2024], None),
    ("河南2024年社会消费品零售总额是多少？", [2024], None),
    ("二〇二四年湖北省城镇调查失业率是多少", [2024], None),
    ("二零二三年浙江GDP", [2023], None),
    ("2021—2025年江苏经济", [2021, 2025], None),
    ("What was Zhejiang's GDP last year?", [], "last_year"),
    ("浙江去年GDP多少", [], "last_year"),
    ("廣東去年實際使用外資多少", [], "last_year"),
    ("What is Beijing's growth target this year?", [], "this_year"),
    ("今年江苏GDP预期目标", [], "this_year"),
    ("What will Hubei do next year?", [], "next_year"),
    ("神木前年挖了多少煤", [], "year_before_last"),
    ("What was Shenmu's coal output the year before last?", [], "year_before_last"),
    ("目前年均增长多少", [], None),  # 目前 + 年均, no 前年
    ("明年湖北投资计划", [], "next_year"),
    ("How did Anhui do during the 14th Five-Year Plan?", [], "five_year_plan"),
    ("“十四五”以来江苏高新技术企业增加了多少", [], "five_year_plan"),
    ("十四五時期浙江數字經濟", [], "five_year_plan"),
    ("What should Sichuan's low-altitude economy reach by 2027?", [2027], "by_year"),
    ("到2027年，四川低空经济规模达到多少亿元？", [2027], "by_year"),
    ("2025年底前建成多少个5G基站", [2025], "by_year"),
])
def test_periods(ask, question, years, relative):
    a = ask(question)
    assert (a.years, a.relative) == (years, relative)


@pytest.mark.parametrize("text", ["5000亿元", "2,025 enterprises", "2025 projects", "2030万吨", "20.24%", "12025"])
def test_amounts_are_not_years(text):
    assert find_years(text) == []


@pytest.mark.parametrize("question, doc_date, expected", [
    ("What was Zhejiang's GDP last year?", "2025", {2024}),
    ("What was Zhejiang's GDP last year?", "2024-02-21", {2023}),
    ("今年浙江GDP增长目标", "2025-01-19", {2025}),
    ("明年湖北投资计划", "2019-12-26", {2020}),
    ("“十四五”期间江苏高新技术企业增加了多少", "2025", {2021, 2022, 2023, 2024, 2025}),
    ("How did Anhui do in the 13th Five-Year Plan?", None, {2016, 2017, 2018, 2019, 2020}),
    ("十五五规划", None, {2026, 2027, 2028, 2029, 2030}),
    ("到2027年四川低空经济规模", "2025", {2027}),
    ("How fast did Tianjin's GDP grow in 2024?", "2025", {2024}),
    ("What was Zhejiang's GDP last year?", None, {2024}),  # no document date: the question's own date
    ("What does Yingtan want to become in the copper industry?", "2022", set()),
])
def test_resolve_period(ask, question, doc_date, expected):
    assert resolve_period(ask(question), doc_date) == expected


def test_the_year_before_last_is_two_years_before_the_source(ask):
    assert resolve_period(ask("神木前年挖了多少煤"), "2025-01-20") == {2023}


def test_plan_years():
    assert list(plan_years(14)) == [2021, 2022, 2023, 2024, 2025]
    assert list(plan_years(1)) == [1953, 1954, 1955, 1956, 1957]


# ---- metrics and answer kinds ------------------------------------------------------------

@pytest.mark.parametrize("question, metrics", [
    ("What was Zhejiang's GDP last year?", ["gdp"]),
    ("How fast did Hebei's economy grow in 2024?", ["gdp"]),
    ("2025年河南固定資產投資目標是多少？", ["fixed_asset_investment"]),
    ("How many new urban jobs does Guangdong plan for 2025?", ["new_urban_jobs"]),
    ("Hubei retail sales growth 2024", ["retail_sales"]),
    ("What general public budget revenue growth does Beijing target for 2025?", ["general_budget_revenue"]),
    ("How many projects above 100 million yuan were signed in Qinhuai?", ["projects_100m"]),
    ("“十四五”以来江苏高新技术企业增加了多少", ["high_tech_enterprises"]),  # 十四五 is a period, not a metric
    ("去年廣東實際使用外資多少億元", ["foreign_capital"]),  # 億元 is a unit, not a metric
    # a zone's words after a place name the place; alone they are what is asked
    ("How many people live in the Ningxiang development zone?", []),
    ("宁乡经开区2024年完成固定资产投资多少？", ["fixed_asset_investment"]),
    ("How many development zones does Hunan have?", ["development_zones"]),
])
def test_metric_terms(ask, question, metrics):
    assert [t.id for t in ask(question).metric_terms] == metrics


@pytest.mark.parametrize("question, kind, figure", [
    ("How much did retail sales of consumer goods grow in Qinhuai last year?", "growth", True),
    ("How fast did Tianjin's GDP grow in 2024?", "growth", True),
    # a quantity named with no listed indicator still asks for a figure
    ("What was Ningxiang's smart home appliance output in 2023?", "amount", True),
    ("When did Ningxiang's appliance production start?", "other", False),
    ("湖北社零增速是多少", "growth", True),
    ("浙江去年GDP增幅", "growth", True),
    ("What is Tokyo's GDP growth target for 2025?", "growth", True),
    ("How many new consumption scenarios did Qinhuai add last year?", "count", True),
    ("How many new urban jobs does Guangdong plan for 2025?", "count", True),
    ("寧德市引進了多少個鋰電池產業鏈項目？", "count", True),
    ("江苏有几家国家级经开区", "count", True),
    ("What share of Jiangsu's industrial output came from high-tech industries?", "share", True),
    ("数字经济核心产业增加值占GDP比重", "share", True),
    ("What percentage of exports are new energy vehicles?", "share", True),
    ("2025年河南固定資產投資目標是多少？", "target", True),
    ("What grain output does Yunnan aim to keep in 2025?", "target", True),
    ("山东力争粮食产量达到多少", "target", True),
    ("河南2024年社会消费品零售总额是多少？", "amount", True),
    ("How big has Shanghai's economy become?", "amount", True),
    ("What was Zhejiang's GDP last year?", "amount", True),  # an indicator asked for is a figure
    ("浙江去年GDP多少", "amount", True),
    ("What does Yingtan want to become in the copper industry?", "other", False),
    ("江北新区组建了怎样的服务专班？", "other", False),
])
def test_answer_kind(ask, question, kind, figure):
    a = ask(question)
    assert (a.answer_kind, a.wants_figure) == (kind, figure)


def test_target_cue_is_kept_alongside_a_stronger_kind(ask):
    a = ask("What general public budget revenue growth does Beijing target for 2025?")
    assert a.answer_kind == "growth" and a.wants_target
    assert not ask("How fast did Tianjin's GDP grow in 2024?").wants_target


@pytest.mark.parametrize("question, target", [
    # written for this test: a place's wish is its target, the asker's wish is not
    ("How many charging piles does Hefei want to build this year?", True),
    ("What output does Xiangyang hope to reach by 2027?", True),
    ("I want to know Hefei's GDP in 2024.", False),
    ("合肥今年想把新能源汽车产量做到多少？", True),
    ("襄阳的研发投入强度到2027年要提到多少？", True),
    ("我想知道合肥去年GDP是多少", False),
    ("合肥明年想接待游客多少人次？", True),
    ("守军还剩多少人时，城里的百姓又有了希望？", False),
])
def test_everyday_wishes_of_a_place_are_targets(ask, question, target):
    assert ask(question).wants_target is target


def test_a_target_asked_as_how_much_of_a_subject_without_an_indicator_asks_for_an_amount(ask):
    # written for this test: no listed indicator, but 多少钱 asks for a figure, a target one
    a = ask("合肥的家电市场今年想卖到多少钱？")
    assert a.answer_kind == "amount" and a.wants_target and a.wants_figure


def test_value_added_is_not_a_growth_cue(ask):
    # 增加值 contains 增加, but it names a metric, not a change
    assert ask("2024年江苏规上工业增加值是多少").answer_kind == "amount"


# ---- expansions and keywords -------------------------------------------------------------

def test_expansions_english_question(ask):
    exp = ask("How fast did Hebei's economy grow in 2024?").expansions
    for want in ("河北", "地区生产总值", "生产总值", "增长", "2024年"):
        assert want in exp, want
    assert "地區生產總值" in exp  # Traditional forms too


def test_expansions_chinese_question(ask):
    exp = ask("浙江去年GDP多少").expansions
    assert "Zhejiang" in exp and "地区生产总值" in exp and "last year" in exp
    exp = ask("2025年河南固定資產投資目標是多少？").expansions
    assert "fixed-asset investment" in exp and "Henan" in exp and "target" in exp
    exp = ask("河南2024年社会消费品零售总额是多少？").expansions
    assert "retail sales of consumer goods" in exp and "社零" in exp  # Chinese synonyms help the Chinese corpus
    assert "社会消费品零售总额" not in exp  # nothing the question already says


def test_expansions_periods(ask):
    assert "去年" in ask("What was Zhejiang's GDP last year?").expansions
    assert "十四五" in ask("Jiangsu during the 14th Five-Year Plan").expansions
    assert "14th Five-Year Plan" in ask("十四五期间江苏").expansions
    assert "到2027年" in ask("Sichuan's low-altitude economy by 2027").expansions


@pytest.mark.parametrize("question, keywords", [
    ("How fast did Hebei's economy grow in 2024?", ["Hebei", "economy", "grow", "2024"]),
    ("What was Zhejiang's GDP last year?", ["Zhejiang", "GDP"]),
    ("Hubei retail sales growth 2024", ["Hubei", "retail sales", "growth", "2024"]),
    ("浙江去年GDP多少", ["浙江", "GDP"]),
    ("2025年河南固定資產投資目標是多少？", ["2025", "河南", "固定資產投資", "目標"]),
    ("二〇二四年湖北省城镇调查失业率是多少", ["二〇二四年", "湖北省", "城镇调查失业率"]),
])
def test_keywords(ask, question, keywords):
    assert ask(question).keywords == keywords


def test_analysis_is_a_plain_mutable_record(ask):
    a = ask("What was Zhejiang's GDP last year?")
    assert isinstance(a, QueryAnalysis) and a.today == TODAY
    a.regions = ["320000"]  # the engine lets a follow-up inherit regions
    assert a.regions == ["320000"]
    assert analyse("").lang == "en" and analyse("").answer_kind == "other"


# ---- indicators through their relations (issue 13) --------------------------------------------

def test_a_share_of_the_economy_spent_on_research_is_rd_intensity(ask):
    a = ask("湖南研发支出占地区生产总值的比重是多少？")
    assert [t.id for t in a.metric_terms] == ["rd_intensity"]
    assert "研发投入强度" in a.expansions


def test_research_spending_alone_is_spending_not_its_intensity(ask):
    assert [t.id for t in ask("How much did Hunan's research spending grow in 2024?").metric_terms] == ["rd_spending"]


def test_fiscal_revenue_brings_the_budget_revenue_it_is_reported_as(ask):
    a = ask("河北去年财政收入是多少？")
    assert {"fiscal_revenue", "general_budget_revenue"} <= {t.id for t in a.metric_terms}
    assert "一般公共预算收入" in a.expansions


def test_an_industry_output_target_asks_for_a_figure(ask):
    assert ask("What is Ningde's lithium battery output target?").wants_figure
    assert ask("宁德锂电池产值目标是多少？").wants_figure


def test_by_a_past_year_without_a_target_word_asks_for_the_result(ask):
    from retrieval.ask.evidence import wanted_kind

    assert wanted_kind(ask("How much capacity had Hubei installed by the end of 2024?"), "2025-01-20") == "achieved"
    assert wanted_kind(ask("What capacity does Hubei target by the end of 2024?"), "2025-01-20") == "target"
    assert wanted_kind(ask("How much capacity will Hubei install by the end of 2026?"), "2025-01-20") == "target"


@pytest.mark.parametrize("question", ["In which century did Strasbourg's population triple?", "从何时开始推动企业投资？",
                                      "Where is Hubei's GDP reported?"])
def test_a_question_for_a_time_place_or_name_is_not_a_figure_question(ask, question):
    assert not ask(question).wants_figure


@pytest.mark.parametrize("question", ["How much city money will Fuzhou put up this year to support economic growth?",
                                      "福州今年安排多少资金稳增长？"])
def test_growth_named_as_a_purpose_is_not_the_asked_kind(ask, question):
    # the money is asked, not a growth rate; "How much did exports grow" stays a growth question
    a = ask(question)
    assert a.answer_kind in ("amount", "target") and a.wants_figure, a.answer_kind  # "will": a planned sum
    assert ask("How much did Fuzhou's exports grow last year?").answer_kind == "growth"


def test_english_how_much_asks_a_mass_but_chinese_duoshao_may_ask_a_count(ask):
    assert ask("How much money did Fuzhou collect in taxes in 2024?").mass_asked
    assert not ask("How many firms did Fuzhou attract in 2024?").mass_asked
    assert not ask("福州2024年新增多少企业？").mass_asked


def test_a_relative_year_is_one_keyword_whatever_its_neighbours(ask):
    # jieba cuts 去年产了 as 去|年产 ("annual output"): the year stays a word of its own
    kw = ask("府谷去年产了多少煤？").keywords
    assert "年产" not in kw and "去" not in kw and "煤" in kw


@pytest.mark.parametrize("question, output", [
    # written for this test: a quantity made or harvested, unless money is what is asked
    ("How much cotton did Xinjiang produce last year?", True),
    ("How many tonnes of copper did Yingtan turn out in 2024?", True),
    ("合肥去年生产了多少辆汽车？", True),
    ("How much revenue did Hefei's car makers produce last year?", False),
    ("合肥去年汽车产值是多少？", False),
    ("How much did Hefei's output grow last year?", False),
    ("How much should the factories of Hefei's Feixi County produce by 2027?", False),  # output value
    ("肥西县的工厂去年生产了多少？", False),
    ("合肥去年钢铁产量是多少？", True),  # the thing's 产量
    # English "output" of an industry is as often its value in yuan: not read as a quantity made
    ("What was Hefei's steel output last year?", False),
])
def test_a_quantity_made_is_read_as_such(ask, question, output):
    assert ask(question).output_asked is output


@pytest.mark.parametrize("question, done", [
    # written for this test: no time named, but the words say it is done, so a result is asked
    ("What share of its power did Hefei get from solar?", True),
    ("合肥光伏发电占了多大比例？", True),
    ("What is Hefei's solar power share?", False),
    ("合肥光伏发电要占多大比例？", False),
    ("What share did Hefei's solar power reach in 2024?", False),  # a year says which, as ever
    ("为了降碳，合肥光伏发电比重是多少？", False),
])
def test_a_question_in_the_perfective_asks_for_a_result(ask, question, done):
    assert ask(question).done_asked is done


@pytest.mark.parametrize("question, thing", [
    # written for this test: the thing made, as the question writes it after the measure word
    ("合肥去年生产了多少吨粗钢？", "粗钢"),
    ("合肥去年产了多少万辆汽车呢？", "汽车"),
    ("合肥去年汽车产值是多少？", ""),
    ("合肥去年化肥产量是多少？", "化肥"),
])
def test_the_thing_made_is_read_after_its_measure_word(ask, question, thing):
    assert ask(question).made_thing == thing


@pytest.mark.parametrize("question, ids", [
    # written for this test: a modifier anywhere in the question narrows companies to above-size ones
    ("How many companies above designated size did Hefei add last year?", ["enterprises_above_size"]),
    ("How many firms in Hefei have grown into the above-scale ranks?", ["enterprises_above_size"]),
    ("How many companies did Hefei add last year?", ["enterprises"]),
    # industrial output (or value added) of firms above designated size is the above-size value added
    ("How much did industrial output of Hefei's enterprises above designated size grow?", ["industrial_va_above_size"]),
    ("How fast did Hefei's above-scale industrial value added grow?", ["industrial_va_above_size"]),
    # the singular names the trade, the plural its firms
    ("How many solar businesses does Hefei have?", ["enterprises"]),
])
def test_companies_are_read_with_their_modifiers(ask, question, ids):
    assert [t.id for t in ask(question).metric_terms if t.category == "indicator"] == ids


def test_what_a_trade_is_worth_asks_for_an_amount(ask):
    a = ask("What was Hefei's solar business worth in 2024?")
    assert a.answer_kind == "amount" and a.wants_figure
    assert not [t for t in a.metric_terms if t.id == "enterprises"]


@pytest.mark.parametrize("question, money", [
    # written for this test: money asked with no indicator named
    ("How much were the tea shipments Hefei sent abroad worth in 2024?", True),
    ("合肥去年光伏组件卖了多少钱？", True),
    ("How many tonnes of goods did Hefei ship abroad in 2024?", False),
    ("What was the value added of Hefei's industry in 2024?", False),  # an indicator says what
])
def test_money_asked_without_an_indicator_is_read(ask, question, money):
    assert ask(question).money_asked is money


@pytest.mark.parametrize("question, kind", [
    # written for this test: "share" as a noun asks for a share, as a verb it does not
    ("What will Hefei's high-end share be by 2027?", "share"),
    ("What was Hefei's solar market share?", "share"),
    ("Did Hefei's two zones share the prize?", "other"),
])
def test_share_as_a_noun_asks_for_a_share(ask, question, kind):
    assert ask(question).answer_kind == kind
