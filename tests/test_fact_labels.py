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
