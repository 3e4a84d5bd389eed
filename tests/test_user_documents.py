"""Documents as users save them (tests/data/ingest, written for these tests): Markdown with
front matter, bilingual notes, government statistical communiqués as web pages. What ingest
reads from them, and where each quote is in the original file."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.ingest.documents import load_file, repair_pinyin_artifact
from retrieval.ingest.frontmatter import split_front_matter
from retrieval.ingest.offsets import file_span, offset_map, to_source, to_source_end
from retrieval.ingest.run import chunk_document, ingest
from retrieval.knowledge.regions import load_gazetteer
from retrieval.text.chunking import split_sentences
from retrieval.text.script import script_of

from .conftest import REPO

DATA = Path(__file__).parent / "data" / "ingest"
WENZHOU, YUEQING, ZHEJIANG = "330300", "330382", "330000"


def load(name: str):
    docs, skipped = load_file(DATA / name)
    assert skipped == [] and len(docs) == 1, skipped
    return docs[0]


def tagged(name: str):
    """The document and its chunks as ingest makes them (regions, languages)."""
    doc = load(name)
    gazetteer = load_gazetteer()
    doc.main_region, doc.regions = gazetteer.tag(doc.title, doc.text)
    return doc, chunk_document(doc, gazetteer)


# --------------------------------------------------------------------------- front matter


def test_yaml_front_matter_after_blank_lines_is_metadata_not_text():
    doc = load("hangzhou-gdp-post.md")
    assert doc.title == "杭州今年GDP能破2万亿吗"
    assert (doc.date, doc.publisher, doc.author) == ("2024-07-22", "钱塘财经", "钱塘观察")
    assert doc.url == "https://news.example.com/hz/2024/0722/gdp.html"
    assert doc.tags == ["杭州", "GDP", "经济", "城市"]
    for leak in ("title:", "categories", "source_url", "---", "钱塘观察"):
        assert leak not in doc.text
    # the hard-wrapped Chinese sentence is joined without a space
    assert doc.text.startswith("上半年杭州地区生产总值达到10199亿元，同比增长4.6%。")


def test_toml_front_matter_after_a_bom():
    doc = load("ningbo-port-post.md")
    assert doc.title == "Ningbo-Zhoushan port handles record cargo"
    assert (doc.date, doc.publisher, doc.author, doc.tags) == ("2024-01-09", "Ningbo Evening Post", "Harbour Desk", ["port", "logistics"])
    assert doc.url == "https://www.example.org/ningbo/port-record-2023"
    assert "+++" not in doc.text and "title =" not in doc.text


def test_malformed_front_matter_still_stays_out_of_the_text(tmp_path):
    p = tmp_path / "broken.md"
    p.write_text("---\ntitle: 'unclosed\ntags: [a, b\n---\nThe port opened a new berth this spring.\n", encoding="utf-8")
    doc = load_file(p)[0][0]
    assert doc.text == "The port opened a new berth this spring."
    assert split_front_matter("no front matter\n---\n") == ({}, 0)


# --------------------------------------------------------------------------- web pages


@pytest.mark.parametrize("name, title, date, period, publisher, url", [
    ("wenzhou-2015-communique.html", "温州市2015年国民经济和社会发展统计公报", "2016-03-02", "2015", "温州市统计局",
     "http://www.wenzhou.gov.cn/art/2022/6/10/art_1229_100.html"),
    ("yueqing-2023-communique.html", "乐清市2023年国民经济和社会发展统计公报", "2024-03-26", "2023", "乐清市统计局",
     "https://www.yueqing.gov.cn/art/2024/3/28/art_1322_55.html"),
    ("zhejiang-2023-communique.htm", "Zhejiang Provincial Statistical Communique on the 2023 Economic and Social Development",
     "2024-03-04", "2023", "Zhejiang Provincial Bureau of Statistics", "https://www.zj.gov.cn/art/2024/3/4/art_1229_2.html"),
    # GBK-encoded, no <meta> at all: title from <title> without the site, 信息来源/发布时间 from the info bar
    ("ruian-2023-communique-gbk.html", "2023年瑞安市国民经济和社会发展统计公报", "2024-04-02", "2023", "瑞安市统计局", None),
    ("wenzhou-exports-news.html", "Wenzhou's private firms drive export growth", "2024-05-08", None, "China Daily", None),
])
def test_government_pages_state_their_own_metadata(name, title, date, period, publisher, url):
    doc = load(name)
    assert (doc.title, doc.date, doc.period, doc.publisher, doc.url) == (title, date, period, publisher, url)
    for chrome in ("发布机构", "成文日期", "索引号", "当前位置", "版权所有", "分享到", "Copyright", "| "):
        assert chrome not in doc.text


def test_the_documents_own_date_beats_the_pages():
    # the page was republished in 2022 (PubDate, 发布时间); the communiqué is signed 2016年3月2日
    doc = load("wenzhou-2015-communique.html")
    assert doc.date == "2016-03-02" and doc.period == "2015"


def test_html_author_and_tags_from_meta():
    doc = load("zhejiang-2023-communique.htm")
    assert doc.author == "Zhejiang Provincial Bureau of Statistics" and doc.tags == ["statistics", "economy"]
    assert load("wenzhou-exports-news.html").author == "Li Hua"


def test_front_matter_source_that_is_not_a_url_is_the_publisher():
    doc = load("yueqing-wechat-post.md")
    assert (doc.title, doc.date, doc.publisher, doc.author) == ("乐清：电气产业集群加速升级", "2024-05-20", "微信公众号“乐清发布”", "乐清日报")
    assert doc.url == "https://mp.weixin.qq.com/s/abcdEFG" and doc.tags == ["乐清", "电气"]


# --------------------------------------------------------------------------- languages, paragraphs, regions


def test_bilingual_notes_have_a_language_per_chunk():
    doc, chunks = tagged("yueqing-reading-notes.md")
    assert doc.langs == ["en", "zh-Hans"] and doc.lang == "en"
    assert {c.lang for c in chunks} == {"en", "zh-Hans"}
    zh = [c for c in chunks if c.lang == "zh-Hans"]
    assert all("3000亿元" in c.text or "2600亿元" in c.text for c in zh)
    # no chunk mixes the English notes with the Chinese excerpt
    for c in chunks:
        scripts = {script_of(c.text[s:e]) for s, e in split_sentences(c.text) if any(ch.isalpha() for ch in c.text[s:e])}
        assert len(scripts) == 1, c.text
    assert doc.date == "2024-03-12"


def test_signature_names_the_issuing_body_and_the_date(tmp_path):
    p = tmp_path / "communique.txt"
    p.write_text("瑞安市2019年国民经济和社会发展统计公报\n\n全年实现地区生产总值1003.2亿元，比上年增长7.6%。\n\n"
                 "2019年12月底，全市常住人口达到152.5万人。\n\n瑞安市统计局\n国家统计局瑞安调查队\n2020年3月18日\n", encoding="utf-8")
    doc = load_file(p)[0][0]
    assert (doc.date, doc.period, doc.publisher) == ("2020-03-18", "2019", "瑞安市统计局")
    assert "2020年3月18日" not in doc.text


def test_english_paragraphs_are_not_cut_at_line_breaks():
    doc = load("yueqing-reading-notes.md")
    sentences = [doc.text[s:e] for s, e in split_sentences(doc.text)]
    assert ("The county-level city of 乐清 sits on the coast north of Wenzhou and calls itself the capital "
            "of low-voltage electrical equipment in China.") in sentences
    assert "到2027年，乐清电气产业集群规模力争突破3000亿元，培育百亿级企业5家以上，建成国家级先进制造业集群。" in sentences


def test_a_place_named_only_in_chinese_inside_english_is_tagged():
    doc, chunks = tagged("yueqing-reading-notes.md")
    assert doc.main_region == YUEQING
    first = next(c for c in chunks if "county-level city of 乐清" in c.text)
    assert YUEQING in first.regions
    assert load_gazetteer().find_in_text("Firms in 乐清 export switchgear.")[0][0] == YUEQING


def test_a_bare_name_in_a_chunk_is_tagged_through_its_document():
    # "乐清" alone in Chinese needs its city nearby; the document around the chunk supplies it
    gazetteer = load_gazetteer()
    assert gazetteer.find_in_text("乐清的电气产业规模很大。") == []
    assert gazetteer.find_in_text("乐清的电气产业规模很大。", context=[WENZHOU])[0][0] == YUEQING


@pytest.mark.parametrize("name, main", [
    ("wenzhou-2015-communique.html", WENZHOU), ("yueqing-2023-communique.html", YUEQING),
    ("zhejiang-2023-communique.htm", ZHEJIANG), ("hangzhou-gdp-post.md", "330100"), ("ningbo-port-post.md", "330200"),
    ("ruian-2023-communique-gbk.html", "330381"), ("wenzhou-exports-news.html", WENZHOU),
    # only the bare 乐清 anywhere, but the headline is led by it: "乐清：…"
    ("yueqing-wechat-post.md", YUEQING),
])
def test_main_region_at_every_level(name, main):
    doc, _ = tagged(name)
    assert doc.main_region == main


# --------------------------------------------------------------------------- where a quote is in the file

_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def documented_cleaning(s: str) -> str:
    """What README "Where a quote is in the file" says may differ between a quote and the file."""
    return _INVISIBLE.sub("", repair_pinyin_artifact(s))


@pytest.mark.parametrize("name", ["hangzhou-gdp-post.md", "ningbo-port-post.md", "yueqing-reading-notes.md",
                                  "jiangbei-notes-hant.txt"])
def test_every_sentence_is_found_in_the_file_at_its_offsets(name):
    doc = load(name)
    raw = (DATA / name).read_bytes().decode("utf-8-sig")
    assert doc.file_offsets["unit"] == "char"
    spans = split_sentences(doc.text)
    assert spans
    for s, e in spans:
        fs, fe, unit = file_span(doc.file_offsets, s, e)
        assert documented_cleaning(raw[fs:fe]) == documented_cleaning(doc.text[s:e])
        if "(" not in raw[fs:fe] and "\n" not in raw[fs:fe]:
            assert raw[fs:fe] == doc.text[s:e]  # verbatim wherever nothing was cleaned inside


def test_pinyin_artifacts_are_inside_the_file_span():
    doc = load("jiangbei-notes-hant.txt")
    raw = (DATA / "jiangbei-notes-hant.txt").read_text(encoding="utf-8")
    s = doc.text.index("新區還將")
    e = doc.text.index("。", s) + 1
    fs, fe, _ = file_span(doc.file_offsets, s, e)
    assert raw[fs:fe] == "新區(qū)還將建設三個生物醫藥產(chǎn)業(yè)園，力爭全年完成固定資產(chǎn)投資650億元。"


def test_html_offsets_are_into_the_extracted_text():
    doc = load("wenzhou-2015-communique.html")
    assert doc.file_offsets["unit"] == "extracted-char"
    s = doc.text.index("初步核算")
    fs, fe, unit = file_span(doc.file_offsets, s, s + 4)
    assert unit == "extracted-char" and fe - fs == 4


def test_docx_offsets_are_paragraph_indexes(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("2025年温州市政府工作报告")
    d.add_paragraph("各位代表：")
    d.add_paragraph("过去一年，全市地区生产总值增长6.3%。")
    d.add_paragraph("今年，全市生产总值预期增长6%左右。")
    p = tmp_path / "report.docx"
    d.save(p)
    doc = load_file(p)[0][0]
    s = doc.text.index("今年")
    assert file_span(doc.file_offsets, s, s + 5) == (3, 3, "paragraph")


def test_offset_map_is_pure_and_survives_dropped_text():
    source = "Home | News | Data | Contact\n\nSource: X\n\nThe port grew 5%.\nIt added two berths.\n\n\nCopyright"
    clean = "The port grew 5%. It added two berths."
    anchors = offset_map(source, clean)
    assert source[to_source(anchors, 0):to_source_end(anchors, 17)] == "The port grew 5%."
    start = clean.index("It")
    assert source[to_source(anchors, start):to_source_end(anchors, len(clean))] == "It added two berths."


# --------------------------------------------------------------------------- end to end: ask --json, documents


def planbot(*args):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=dict(os.environ),
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def user_index(tmp_path_factory, encoder) -> Path:
    index_dir = tmp_path_factory.mktemp("user-index")
    report = ingest([DATA], index_dir, encoder=encoder)
    assert report.skipped == [] and report.documents == 10
    return index_dir


def test_ask_json_quotes_carry_file_offsets(user_index):
    r = planbot("ask", "乐清电气产业集群2027年的规模目标是多少？", "--index", str(user_index), "--json")
    assert r.returncode == 0, r.stderr
    quotes = json.loads(r.stdout)["quotes"]
    assert quotes
    for q in quotes:
        path = Path(q["source"]["path"])
        assert q["file_unit"] in ("char", "extracted-char")
        if q["file_unit"] == "char":
            raw = path.read_bytes().decode("utf-8-sig")
            assert documented_cleaning(raw[q["file_start"]:q["file_end"]]) == documented_cleaning(q["text"])
    assert any("3000亿元" in q["text"] for q in quotes)


def test_documents_lists_what_ingest_understood(user_index):
    r = planbot("documents", "--index", str(user_index), "--json")
    assert r.returncode == 0, r.stderr
    rows = {Path(row["path"]).name: row for row in map(json.loads, r.stdout.splitlines())}
    assert len(rows) == 10
    w = rows["wenzhou-2015-communique.html"]
    assert (w["title"], w["date"], w["period"], w["publisher"], w["main_region"]) == (
        "温州市2015年国民经济和社会发展统计公报", "2016-03-02", "2015", "温州市统计局", WENZHOU)
    assert w["url"].startswith("http://www.wenzhou.gov.cn/") and w["chunks"] >= 1 and w["figures"] >= 8
    assert rows["yueqing-reading-notes.md"]["languages"] == ["en", "zh-Hans"]
    assert rows["yueqing-2023-communique.html"]["main_region"] == YUEQING
    table = planbot("documents", "--index", str(user_index))
    assert table.returncode == 0 and "温州市统计局" in table.stdout and "wenzhou-2015-communique" in table.stdout
    assert "10 documents" in table.stdout
