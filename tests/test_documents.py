"""Loaders, cleaning and metadata: the shared corpus checked by hand, plus small fixtures."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from retrieval.ingest.documents import (
    SUPPORTED,
    Skipped,
    clean_text,
    detect_lang,
    discover,
    extract_metadata,
    file_hash,
    load_file,
    make_doc_id,
    repair_pinyin_artifact,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
ARTICLES = CORPUS / "articles"
REPORTS = CORPUS / "gov-work-reports-2025"
NATIONAL = CORPUS / "national-government-work-reports.jsonl"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


def load_one(path: Path):
    docs, skipped = load_file(path)
    assert skipped == [] and len(docs) == 1, skipped
    return docs[0]


def reason(path: Path) -> str:
    docs, skipped = load_file(path)
    assert docs == [] and len(skipped) == 1
    assert skipped[0].path == str(path)
    return skipped[0].reason


# --------------------------------------------------------------------------- the 5 articles

ARTICLE_META = {
    "000_": ('Wang Sheng: Strive to run out of the Qinhuai acceleration of "a strong city in industry"',
             "2024-02-21", "Nanjing Daily", None, "en"),
    "001_": ("Xu Nanji: Stand up the “hard backbone” of industry and run out of “double acceleration”",
             None, None, None, "en"),
    "002_": ("Promote a big breakthrough in the construction of a strong industrial city!", None, None, None, "en"),
    "003_": ("南京江北新區:“新春第一會”“熱辣滾燙”鼓干勁", "2024-02-20", "中國江蘇網",
             "https://jsnews.jschina.com.cn/jsyw/202402/t20240220_3363783.shtml", "zh-Hant"),
    "004_": ('Ningde "accelerated running" towards "trillion industrial era"', "2019-12-26", "Mindong Daily", None, "en"),
}

BOILERPLATE = [
    "NEWS.LONGHOO.NET", "Your location", "Reporter\n", "Tian Shiyu", "Source:", "Editor:", "Published:",
    "Central Government |", "Set Homepage", "Add to Favorites", "[font", "{{", "pvCount", "Views:",
    "download attachment", "share to", "Related Links", "Leave a Reply", "Your email address",
    "關注民生", "客服", "郵箱", "瀏覽量", "編輯", "原文地址", "版權", "免責", "圖片新聞", "熱點資訊", "熱點聚焦",
]


@pytest.fixture(scope="module")
def articles():
    return {p.name[:4]: (p, load_one(p)) for p in sorted(ARTICLES.glob("*.txt"))}


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(ARTICLE_META))
def test_article_metadata(articles, prefix):
    path, doc = articles[prefix]
    title, date, publisher, url, lang = ARTICLE_META[prefix]
    assert (doc.title, doc.date, doc.publisher, doc.url, doc.lang) == (title, date, publisher, url, lang)
    assert doc.doc_id == make_doc_id(path) and len(doc.doc_id) == 16
    assert doc.path == str(path.resolve())
    assert re.fullmatch(r"[0-9a-f]{64}", doc.content_hash)


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(ARTICLE_META))
def test_article_text_is_clean_and_verbatim(articles, prefix):
    path, doc = articles[prefix]
    for junk in BOILERPLATE:
        assert junk not in doc.text, junk
    assert not doc.text.startswith(doc.title)  # the title lives in Document.title, not twice
    raw = repair_pinyin_artifact(path.read_text(encoding="utf-8"))
    for line in doc.text.split("\n"):
        assert line in raw  # cleaning drops lines; it never rewrites one


@needs_corpus
def test_article_bodies_keep_the_facts(articles):
    # answers of shared/eval/regional-plans-dev that live in these articles
    assert "6.5%" in articles["000_"][1].text
    assert "copper capital of the world" in articles["001_"][1].text
    assert "130.4%" in articles["004_"][1].text
    zh = articles["003_"][1].text
    assert "“1+6”服務專班" in zh and "營收超5000億元" in zh and "南京江北新區召開" in zh
    assert not re.search(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", zh)  # no pinyin left
    assert "\n\n" in zh  # paragraphs survive


# --------------------------------------------------------------------------- the 31 reports

REPORT_PUBLISHERS = {
    "上海市": "解放日报", "广东省": "南方日报", "天津市": "天津人大—天津日报", "江西省": "江西省人民政府",
    "宁夏": "青海日报", "安徽省": "省政府政策研究室", "河南省": None, "内蒙古自治区": None,
}
REPORT_FACTS = {"上海市": "5万亿", "北京市": "4%左右", "河南省": "2.76万亿", "天津市": "5.1％", "云南省": "1955万吨", "广东省": "143万"}


@pytest.fixture(scope="module")
def reports():
    return {p.stem[5:-6]: (p, load_one(p)) for p in sorted(REPORTS.glob("*.docx"))}


@needs_corpus
def test_reports_metadata(reports):
    assert len(reports) == 31
    for region, (path, doc) in reports.items():
        assert doc.title == path.stem
        assert re.fullmatch(r"2025-01-\d\d", doc.date), (region, doc.date)  # delivery date, not just "2025"
        assert doc.lang == "zh-Hans" and doc.url is None
        assert not doc.text.startswith(doc.title)
        assert not re.search(r"^来源", doc.text, re.M)  # the source line became metadata
    assert reports["上海市"][1].date == "2025-01-15"
    for region, publisher in REPORT_PUBLISHERS.items():
        assert reports[region][1].publisher == publisher, region


@needs_corpus
def test_reports_keep_the_facts(reports):
    for region, fact in REPORT_FACTS.items():
        assert fact in reports[region][1].text, region


# --------------------------------------------------------------------------- the national JSONL


@pytest.fixture(scope="module")
def national():
    docs, skipped = load_file(NATIONAL)
    assert skipped == []
    return docs


@needs_corpus
def test_national_reports(national):
    rows = [json.loads(line) for line in NATIONAL.read_text(encoding="utf-8").splitlines()]
    assert len(national) == len(rows) == 72
    assert len({d.doc_id for d in national}) == 72
    raw_lines = NATIONAL.read_bytes().split(b"\n")
    for n, (doc, row) in enumerate(zip(national, rows), 1):
        assert doc.title == row["title"] and doc.url == row["url"]
        assert doc.path.endswith(f"#{n}") and doc.doc_id == make_doc_id(NATIONAL, row["url"])  # keyed by the row url
        if row["year"]:
            assert doc.date.startswith(row["year"])
        assert not re.search("本作品|Public domain|维基文库|\u200b", doc.text)  # Wikisource licence box gone
        assert doc.content_hash == file_hash(raw_lines[n - 1])
    by_title = {d.title: d for d in national}
    assert by_title["2025年中华人民共和国国务院政府工作报告"].date == "2025"
    assert by_title["2024年中华人民共和国国务院政府工作报告"].date == "2024-03-05"
    assert by_title["第十四届全国人民代表大会第一次会议关于政府工作报告的决议"].date == "2023-03-13"
    assert by_title["第十四届全国人民代表大会第三次会议关于政府工作报告的决议"].date is None
    assert by_title["1954年中华人民共和国国务院政府工作报告"].lang == "zh-Hant"
    assert {d.lang for d in national if not d.title.startswith("1954")} == {"zh-Hans"}
    # Wikisource puts links on lines of their own; the sentence is joined back
    assert "所作的政府工作报告。会议" in by_title["第十四届全国人民代表大会第三次会议关于政府工作报告的决议"].text
    assert "广义货币M2预期增长12%左右" in by_title["2015年中华人民共和国国务院政府工作报告"].text  # "M\n2\n预期"


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path):
    (tmp_path / "blank.txt").write_bytes(b"")
    (tmp_path / "spaces.md").write_text("  \n\n \t\n", encoding="utf-8")
    assert reason(tmp_path / "blank.txt") == "empty file"
    assert reason(tmp_path / "spaces.md") == "empty file"


def test_binary_with_txt_extension(tmp_path):
    p = tmp_path / "chart.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert reason(p) == "binary content in a .txt file"


def test_undecodable_bytes(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes(b"Output rose \xff\xfe\xfd this year.\n")
    assert reason(p) == "not valid UTF-8 (byte 0xff at offset 12)"


def test_encodings_that_do_decode(tmp_path):
    text = "苏州工业园区规划\n\n到2026年，集成电路产业规模达到3000亿元。\n"
    (tmp_path / "gb.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "bom.txt").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "wide.txt").write_bytes(text.encode("utf-16"))
    for name in ("gb.txt", "bom.txt", "wide.txt"):
        doc = load_one(tmp_path / name)
        assert doc.title == "苏州工业园区规划" and doc.text == "到2026年，集成电路产业规模达到3000亿元。"


def test_corrupt_docx(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(b"this was never a Word file")
    assert reason(p) == "corrupt .docx: not a zip archive"
    q = tmp_path / "empty-zip.docx"
    with zipfile.ZipFile(q, "w") as z:
        z.writestr("notes.txt", "no document inside")
    assert reason(q).startswith("corrupt .docx:")


def test_jsonl_bad_lines_are_skipped_one_by_one(tmp_path):
    p = tmp_path / "rows.jsonl"
    good = {"title": "Hefei EV plan", "content": "Hefei aims to make 1 million new energy vehicles a year by 2025.",
            "url": "https://example.org/hefei", "year": 2023, "source": "Hefei Daily"}
    p.write_text("\n".join([
        json.dumps(good),
        '{"title": "broken", "content": "missing brace"',
        json.dumps({"title": "no body"}),
        "[1, 2]",
        "",
        json.dumps({"text": "第二行没有标题。合肥计划新增充电桩2万个。", "date": "2024年5月8日"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    docs, skipped = load_file(p)
    assert [s.reason for s in skipped] == [
        "line 2: malformed JSON (Expecting ',' delimiter at column 47)",
        "line 3: no content or text field",
        "line 4: not a JSON object",
    ]
    assert all(s.path == str(p) for s in skipped)
    first, second = docs
    assert (first.title, first.url, first.date, first.publisher, first.lang) == (
        "Hefei EV plan", "https://example.org/hefei", "2023", "Hefei Daily", "en")
    assert first.path.endswith("#1") and second.path.endswith("#6")
    assert second.title == "rows line 6" and second.date == "2024-05-08" and second.lang == "zh-Hans"
    assert first.doc_id != second.doc_id


def test_missing_and_unsupported_paths(tmp_path):
    missing = tmp_path / "nowhere.txt"
    assert reason(missing) == "no such file or directory"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    assert reason(pdf) == "unsupported file type .pdf"
    files, skipped = discover([missing, pdf])
    assert files == []
    assert skipped == [Skipped(str(missing), "no such file or directory"), Skipped(str(pdf), "unsupported file type .pdf")]


def test_discover_walks_folders(tmp_path):
    for name in ["b/two.md", "a.txt", "b/c/three.jsonl", "b/skip.pdf", ".hidden/x.txt", "b/.secret.txt",
                 "b/~$lock.docx", "UPPER.HTML"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    files, skipped = discover([tmp_path, tmp_path / "a.txt"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["UPPER.HTML", "a.txt", "b/c/three.jsonl", "b/two.md"]
    assert skipped == []
    assert {".txt", ".md", ".html", ".htm", ".docx", ".jsonl"} == SUPPORTED


# --------------------------------------------------------------------------- formats with fixtures


MARKDOWN = """\
---
source: Suzhou Daily
---
# Suzhou lays out a biomedicine plan

发布时间：2024年1月15日

Suzhou will build three biomedicine parks by 2027, the city government said.

## Targets

Industry output is to pass 300 billion yuan.
"""


def test_markdown(tmp_path):
    p = tmp_path / "suzhou.md"
    p.write_text(MARKDOWN, encoding="utf-8")
    doc = load_one(p)
    assert (doc.title, doc.date, doc.publisher, doc.lang) == (
        "Suzhou lays out a biomedicine plan", "2024-01-15", "Suzhou Daily", "en")
    assert doc.text == ("Suzhou will build three biomedicine parks by 2027, the city government said.\n\n"
                        "Targets\n\nIndustry output is to pass 300 billion yuan.")


HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Changzhou expands battery capacity - Changzhou Evening News</title>
<link rel="canonical" href="https://news.example.cn/2024/changzhou-batteries.html">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li>
<li><a href="/economy">Economy</a></li><li><a href="/contact">Contact us</a></li></ul></nav></header>
<div class="crumbs">Your location: Home &gt; Economy</div>
<main><article>
<h1>Changzhou expands battery capacity</h1>
<p class="info">Source: Changzhou Evening News Published: March 8, 2024 10:15</p>
<p>Changzhou plans to raise its power battery capacity to 300 gigawatt-hours by 2025, according to a plan issued by the municipal government this week.</p>
<p>The city will add 20 supplier parks along the Yangtze and offer land and loan support to firms that move their research teams to the city.</p>
</article></main>
<aside><h3>Related Links</h3><ul><li><a href="/a">Wuxi opens a chip fund</a></li></ul></aside>
<footer><p>Copyright © 2024 Changzhou Evening News. All rights reserved.</p>
<p>Tel: 0519-88889999 Email: desk@example.cn</p></footer>
</body></html>
"""


def test_html_main_text_without_page_chrome(tmp_path):
    p = tmp_path / "changzhou.html"
    p.write_text(HTML, encoding="utf-8")
    doc = load_one(p)
    assert doc.title == "Changzhou expands battery capacity"
    assert (doc.date, doc.publisher, doc.url, doc.lang) == (
        "2024-03-08", "Changzhou Evening News", "https://news.example.cn/2024/changzhou-batteries.html", "en")
    assert doc.text.startswith("Changzhou plans to raise its power battery capacity to 300 gigawatt-hours")
    assert "supplier parks" in doc.text
    for junk in ("Home", "Your location", "Source:", "Related Links", "Wuxi", "Copyright", "0519"):
        assert junk not in doc.text


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("2024年常州市新能源产业报告")
    d.add_paragraph("来源：常州日报")
    d.add_paragraph("\u3000\u30002023年，全市新能源产业产值突破7000亿元。")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数值"
    table.cell(1, 0).text, table.cell(1, 1).text = "动力电池产能", "300吉瓦时"
    p = tmp_path / "changzhou.docx"
    d.save(p)
    doc = load_one(p)
    assert (doc.title, doc.date, doc.publisher, doc.lang) == ("2024年常州市新能源产业报告", "2024", "常州日报", "zh-Hans")
    assert doc.text == "2023年，全市新能源产业产值突破7000亿元。\n\n指标\t数值\n\n动力电池产能\t300吉瓦时"


def test_docx_title_falls_back_to_file_stem(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("政府工作报告")
    d.add_paragraph("各位代表：")
    d.add_paragraph("过去一年，全省地区生产总值增长5.8%。")
    p = tmp_path / "2025年某省政府工作报告.docx"
    d.save(p)
    doc = load_one(p)
    assert (doc.title, doc.date) == ("2025年某省政府工作报告", "2025")


# --------------------------------------------------------------------------- pure functions


def test_repair_pinyin_artifact():
    assert repair_pinyin_artifact("南京江北新區(qū)召開(kāi)產(chǎn)業(yè)發(fā)展大會") == "南京江北新區召開產業發展大會"
    assert repair_pinyin_artifact("中國江蘇網(wǎng)") == "中國江蘇網"
    # toneless readings only go where toned ones prove the converter ran
    assert repair_pinyin_artifact("網(wǎng)站和數(shu)據") == "網站和數據"
    assert repair_pinyin_artifact("人工智能(ai)产业") == "人工智能(ai)产业"
    keep = "（一）国家EDA技术创新中心(EDA)，条件(a)，2024年(2024)，the plan (draft) and Zone (A)，區(qū)"
    assert repair_pinyin_artifact(keep) == keep[:-5] + "區"
    # a real annotation glosses a character the converter did not write
    assert repair_pinyin_artifact("荨(qián)麻是荨麻属植物的通称") == "荨(qián)麻是荨麻属植物的通称"


def test_clean_text_drops_chrome_but_not_wording():
    raw = (
        "Central Government | Jiangsu, China | Municipal Committee | Accessibility\n\n"
        "Your location: Home > News\n\n"
        "Source: Wuxi Daily Published: 2024-03-08 Views: {{pvCount}} [font: large, medium and small ]\n\n"
        "增长５．１％，“十四五”目标（一）顺利完成。\n\n"
        "share to:\n\n"
        "Copyright © 2024 Wuxi Daily\n"
    )
    assert clean_text(raw) == "增长５．１％，“十四五”目标（一）顺利完成。"
    assert clean_text("First paragraph.\n\nLeave a Reply\n\nYour email address will not be published.") == "First paragraph."
    # a CJK sentence broken around a link is joined without a space, a hard-wrapped English
    # paragraph with one (issue 14: it was cut into fragments); headings and list items are not
    assert clean_text("所作的\n政府工作报告\n。会议同意。\n\n一、总体要求\n坚持稳中求进。") == (
        "所作的政府工作报告。会议同意。\n\n一、总体要求\n坚持稳中求进。")
    # a number and its unit split by an inline element (the 2017 national report on Wikisource)
    assert clean_text("好开局。\n\n国内生产总值达到74.4\n\u200b\n万亿元，增长6.7%。\n\n二、目标\n2025\n一般公共预算收入 12") == (
        "好开局。\n\n国内生产总值达到74.4万亿元，增长6.7%。\n\n二、目标\n2025\n一般公共预算收入 12")
    assert clean_text("Line one\nline two\n\nNext") == "Line one line two\n\nNext"
    assert clean_text("Targets\nIndustry output is to pass 300 billion yuan.\n\n- one item\n- another item") == (
        "Targets\nIndustry output is to pass 300 billion yuan.\n\n- one item\n- another item")


@pytest.mark.parametrize("raw, expected", [
    ("Title here\n2024-02-21 09:52\nBody text that runs on.", "2024-02-21"),
    ("Title here\nPublished: December 26, 2019 09:33\nBody text.", "2019-12-26"),
    ("标题\n2024年1月15日 来源：新华日报\n正文。", "2024-01-15"),
    ("标题\n正文没有日期。\n第二段。", None),
])
def test_extract_metadata_dates(raw, expected):
    assert extract_metadata(raw, Path("a.txt"))["date"] == expected


def test_extract_metadata_year_from_file_name_and_fields():
    meta = extract_metadata("政府工作报告\n\n各位代表：\n\n正文。", Path("2025年江苏省政府工作报告.txt"))
    assert meta == {"title": "2025年江苏省政府工作报告", "date": "2025", "publisher": None, "url": None}
    meta = extract_metadata("Title\n\n□ Nanjing Daily/Zijinshan News Reporter\n\nBody.\n\nSource: nanjing daily Editor: Jiang Xinping",
                            Path("x.txt"))
    assert meta["publisher"] == "Nanjing Daily"
    meta = extract_metadata("Title\n\n□ Nanjing Daily/Zijinshan News Reporter\n\nBody.", Path("x.txt"))
    assert meta["publisher"] == "Nanjing Daily/Zijinshan News"
    meta = extract_metadata("标题\n\n來源：揚子晚報 編輯:張三\n\n正文。\n\n原文地址:https://example.cn/a.shtml", Path("x.txt"))
    assert (meta["publisher"], meta["url"]) == ("揚子晚報", "https://example.cn/a.shtml")


def test_detect_lang():
    assert detect_lang("The city will build three industrial parks and attract new investment.") == "en"
    assert detect_lang("全市新能源产业产值突破7000亿元，同比增长12%。") == "zh-Hans"
    assert detect_lang("全市新能源產業產值突破7000億元，同比增長12%。") == "zh-Hant"
    assert detect_lang("東京都は新しい産業計画を発表しました。これからの取り組みについて説明します。" * 3) == "other"
    assert detect_lang("Город планирует построить новый завод.") == "other"
    assert detect_lang("La ciudad construirá tres parques industriales y atraerá más inversión extranjera.") == "other"
    assert detect_lang("Politics: Ban Ki-moon; John Hancock, John Adams, John Quincy Adams, Theodore Roosevelt") == "en"
    assert detect_lang("《熊猫小熊猫》是高畑勋执导的作品，为东京ムービー的剧场用中编动画作品。") == "zh-Hans"


def test_make_doc_id_is_stable(tmp_path):
    p = tmp_path / "a.jsonl"
    assert make_doc_id(p) == make_doc_id(tmp_path / "." / "a.jsonl")
    assert len({make_doc_id(p), make_doc_id(p, 1), make_doc_id(p, 2)}) == 3
    assert re.fullmatch(r"[0-9a-f]{16}", make_doc_id(p, 1))
