"""What a figure is called, whose it is and when, as `planbot figures` shows it (issue 13, facts).

Real reports of the shared corpus through the real extractor, each fact in the JSON shape
`planbot figures --json` prints (`facts.query.fact_json`), and one report's year paragraph in a
real index, asked through the Engine as the command asks:

- another quantity of the same thing is not the indicator: grain reserves (粮食储备规模) are no
  grain output, a loan balance (贷款余额) is the loans figure;
- places: what is done for a place named after an aid verb is its own (援助梅州), a place after 与
  joined to another place is a subject, the figures of a 分别 list pair with the list the words
  end on (the port's goods, not its two cities) or with the places of the clause before, a
  metropolitan area named after a city is not the city, and a list holding names outside the
  gazetteer is not its one known place's;
- period: a paragraph opened by its year (过去一年) speaks for every sentence after it that says no
  time of its own, not the five years its heading also reviews.

And the defects found by reading the corpus's facts (a right number mislabelled is worse than none):

- a figure a planning verb sets (拟定为, 计划为, 安排为) is a target, even a past year's plan;
- livestock heads, old and Taiwanese measures (头, 公尺, 平方公尺, 担, 匹) are units;
- a quantity head after other nouns (企业直接融资规模) makes the whole phrase the figure's quantity,
  not the noun named first (enterprises); an indicator after 占 is a share's base, not the share's
  subject (各项税收…，占本年预算收入的47.02% is taxes'); 预算收入 is fiscal revenue, 贸易总额 trade;
- a place glued to a directional region's name (湘南湘西…示范区) is not that place;
- 一九五八年和一九五九年两年 is one span, and the level a span's additions reach together with what
  was there before (加上原有的…，共达…) is the span's last year's.
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from tests.conftest import CORPUS, engine_over

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


@lru_cache(maxsize=None)
def _report(province: str) -> list[dict]:
    """Every fact of a 2025 provincial report as `planbot figures --json` shows it, tagged as ingest tags it."""
    from retrieval.facts import extract_facts
    from retrieval.facts.query import fact_json
    from retrieval.ingest.documents import load_file
    from retrieval.knowledge.regions import load_gazetteer
    from retrieval.knowledge.vocab import load_vocab

    gazetteer, vocab = load_gazetteer(), load_vocab()
    doc = load_file(CORPUS / "gov-work-reports-2025" / f"2025年{province}政府工作报告.docx")[0][0]
    doc.main_region = gazetteer.tag(doc.title, doc.text)[0]
    return [fact_json(f, doc, gazetteer, vocab) for f in extract_facts(doc, gazetteer, vocab)]


@lru_cache(maxsize=None)
def _national(report: str) -> list[dict]:
    """Every fact of one national work report (row `report` of the corpus's jsonl), as `planbot figures --json` shows it."""
    from retrieval.facts import extract_facts
    from retrieval.facts.query import fact_json
    from retrieval.ingest.documents import load_file
    from retrieval.knowledge.regions import load_gazetteer
    from retrieval.knowledge.vocab import load_vocab

    gazetteer, vocab = load_gazetteer(), load_vocab()
    (doc,) = [d for d in load_file(CORPUS / "national-government-work-reports.jsonl")[0] if d.path.endswith("#" + report)]
    doc.main_region = gazetteer.tag(doc.title, doc.text)[0]
    return [fact_json(f, doc, gazetteer, vocab) for f in extract_facts(doc, gazetteer, vocab)]


def _national_shown(report: str, sentence: str, figure: str) -> dict:
    (row,) = [f for f in _national(report) if f["figure"] == figure and sentence in f["sentence"]]
    return row


def _shown(province: str, sentence: str, figure: str) -> dict:
    """The row of `figure` (as written) in the sentence holding `sentence`."""
    (row,) = [f for f in _report(province) if f["figure"] == figure and sentence in f["sentence"]]
    return row


@needs_corpus
def test_grain_reserves_are_not_grain_output():
    reserves = _shown("福建省", "粮食储备规模达500万吨", "500万吨")
    assert reserves["indicator"]["en"] is None and reserves["indicator"]["text"] == "粮食储备规模"
    # the sown area in the same sentence is still the sown area; grain yield per mu is no grain output
    assert _shown("福建省", "粮食储备规模达500万吨", "1255万亩以上")["indicator"]["en"] == "grain sown area"
    assert _shown("贵州省", "力争粮食单产提升2%左右", "2%左右")["indicator"]["en"] is None
    # a balance is the loans figure itself
    assert _shown("上海市", "普惠小微贷款余额达到1.3万亿元", "1.3万亿元")["indicator"]["id"] == "loans"


@needs_corpus
def test_what_is_built_for_an_aided_city_is_that_citys():
    towns = _shown("广东省", "广州、深圳援助梅州建设4个小镇", "4个")
    assert towns["region"]["name_zh"] == "梅州市"


@needs_corpus
def test_a_place_joined_by_yu_is_a_subject_and_a_partner_list_is_no_subject():
    assert _shown("安徽省", "上海与六安对口合作新签约亿元以上项目35个", "35个")["region"]["name_zh"] == "六安市"
    # "向伊犁州、昌吉州、哈密市和喀什地区下放行政职权48项": the region delegates, to all four
    assert _shown("新疆", "喀什地区下放行政职权48项", "48项")["region"]["name_zh"] == "新疆维吾尔自治区"


@needs_corpus
def test_respectively_pairs_with_the_list_the_words_end_on():
    port = "宁波舟山港货物和集装箱吞吐量分别增长4%、11.3%"
    for growth in ("4%", "11.3%"):  # the port's goods and containers, both the port's two cities'
        assert _shown("浙江省", port, growth)["region"]["name"] == "Ningbo + Zhoushan"
    # the places of the clause before a 分别 clause, one to one, there and in it
    ranks = "天水经开区、张掖经开区全国排名46位、82位，分别提升6位、49位"
    assert [_shown("甘肃省", ranks, f)["region"]["name_zh"] for f in ("46", "82", "6", "49")] == \
        ["天水市", "张掖市", "天水市", "张掖市"]


@needs_corpus
def test_a_metropolitan_area_named_after_a_city_is_not_the_city():
    assert _shown("辽宁省", "沈阳都市圈组建产业", "210项")["region"]["name_zh"] == "辽宁省"
    assert _shown("吉林省", "长春都市圈培育", "4项")["region"]["name_zh"] == "吉林省"


@needs_corpus
def test_a_list_with_names_outside_the_gazetteer_is_not_its_known_places():
    stations = _shown("青海省", "哇让、同德、南山口、德令哈4座抽水蓄能电站", "4座")
    assert stations["region"]["name_zh"] == "青海省" and stations["kind"] == "target"


@needs_corpus
def test_a_figure_a_planning_verb_sets_is_a_target():
    for figure in ("六百四十三亿七千万元", "一百四十五亿七千七百万元"):  # 1958: 拟定为…
        assert _national_shown("68", "拟定为" + figure, figure)["kind"] == "target"
    # a past year's plan is a target still; what was reached is the result
    assert _national_shown("58", "一九八一年计划为百分之三点七", "百分之三点七")["kind"] == "target"
    assert _national_shown("58", "一九八一年计划为百分之三点七", "百分之四点六")["kind"] == "achieved"
    # the value of a target named after the figure, in a review
    assert _national_shown("45", "虽然略低于8％的预定目标", "8％")["kind"] == "target"
    # last year's extra revenue is where this year's planned fund comes from, not the fund's year
    fund = _national_shown("36", "今年拟从去年超收收入中安排500亿元", "500亿元")
    assert (fund["kind"], fund["period"]) == ("target", "2007")


@needs_corpus
def test_heads_and_old_measures_are_units():
    pigs = _shown("四川省", "生猪出栏6150万头", "6150万头")
    assert (pigs["unit"], pigs["value"], pigs["measure"]) == ("head", 61500000.0, "level")
    floor = _national_shown("68", "一亿六千万平方公尺", "一亿六千万平方公尺")
    assert (floor["unit"], floor["value"]) == ("square metres", 160000000.0)


@needs_corpus
def test_a_quantity_head_after_other_nouns_is_not_the_first_nouns_indicator():
    financing = _shown("广西", "企业直接融资规模增长23.4%", "23.4%")
    assert financing["indicator"]["id"] is None and financing["indicator"]["text"] == "企业直接融资规模"
    # a head shared by a list keeps the first item's indicator
    assert _shown("广东省", "服务贸易、数字贸易规模分别突破1.3万亿元", "突破1.3万亿元")["indicator"]["id"] == "services_trade"


@needs_corpus
def test_budget_revenue_trade_and_a_shares_base():
    local = _national_shown("70", "地方预算收入（扣除中央补助的部分）为", "７，０５３，８２６，０００元")
    assert local["indicator"]["id"] == "fiscal_revenue"
    assert _national_shown("70", "贸易总额比１９５４年增长了约３０％", "约３０％")["indicator"]["id"] == "foreign_trade"
    # the share opens its clause: its subject is the clause before's, not the base after 占
    taxes = _national_shown("70", "各项税收为１３，９８０，０００，０００元，占本年预算收入的４７．０２％", "４７．０２％")
    assert (taxes["indicator"]["id"], taxes["measure"]) == ("tax_revenue", "share")
    assert _shown("宁夏", "财政性教育经费投入占GDP比重超过5%", "超过5%")["indicator"]["id"] != "gdp"


@needs_corpus
def test_a_zone_named_after_a_directional_region_is_not_the_place_in_its_name():
    zone = _shown("湖南省", "湘南湘西承接产业转移示范区实际到位内资超4000亿元", "超4000亿元")
    assert zone["region"]["name_zh"] == "湖南省"


@needs_corpus
def test_two_years_named_as_a_span_and_the_level_reached_after_it():
    assert _national_shown("66", "一九五八年和一九五九年两年造林", "五亿四千万亩")["period"] == "1958-1959"
    irrigation = "两年共增加灌溉面积五亿五千万亩，加上原有的灌溉面积，共达十亿零七千万亩"
    assert _national_shown("66", irrigation, "五亿五千万亩")["period"] == "1958-1959"
    assert _national_shown("66", irrigation, "十亿零七千万亩")["period"] == "1959"


# the 2023 national report's review paragraph, verbatim, under its own heading
NATIONAL_2023 = ("2023年国务院政府工作报告\n\n2023-03-05 来源：新华社\n\n"
                 "——2023年3月5日在第十四届全国人民代表大会第一次会议上\n\n"
                 "一、过去一年和五年工作回顾\n\n"
                 "过去一年，我国经济发展遇到疫情等国内外多重超预期因素冲击。"
                 "全年国内生产总值增长3%，城镇新增就业1206万人，年末城镇调查失业率降到5.5%，居民消费价格上涨2%。"
                 "货物进出口总额增长7.7%。财政赤字率控制在2.8%，中央财政收支符合预算、支出略有结余。\n\n"
                 "过去五年，国内生产总值增加到121万亿元，五年年均增长5.2%。\n")


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, {"national-2023.txt": NATIONAL_2023}, "year-lead")


def test_a_paragraph_opened_by_its_year_speaks_for_its_sentences(engine):
    rows = {f["figure"]: f for f in engine.figures(region="全国")}
    deficit = rows["2.8%"]
    assert (deficit["period"], deficit["kind"], deficit["indicator"]["en"]) == ("2022", "achieved", "deficit-to-GDP ratio")
    assert rows["7.7%"]["period"] == "2022"
    assert "2.8%" in {f["figure"] for f in engine.figures(region="全国", period="2022", indicator="deficit ratio")}
    # the five years the heading also reviews keep their span
    assert rows["5.2%"]["period"] == "2018-2022"
