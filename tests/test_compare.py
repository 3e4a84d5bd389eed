"""Compare and trend over the shared corpus: every value a fact's figure, verbatim in its source."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from retrieval.compare import Comparer
from retrieval.errors import BadQuestion
from tests.conftest import CORPUS, REPO

PROVINCES = 31


@pytest.fixture(scope="session")
def comparer(corpus_index):
    return Comparer.open(corpus_index)


def assert_verbatim(comparer, cell) -> None:
    """The figure is in its sentence, the sentence in the source document at the stated offsets."""
    assert cell.figure in cell.sentence
    text = comparer.index.document(cell.source.doc_id).text
    assert text[cell.start:cell.end] == cell.figure
    assert cell.sentence in text and text.find(cell.sentence) <= cell.start < text.find(cell.sentence) + len(cell.sentence)


def test_2025_gdp_growth_targets_of_all_31_provinces(comparer):
    table = comparer.compare("GDP growth", period="2025", kind="target")
    assert len(table.rows) == PROVINCES, [r.region for r in table.rows]
    assert all(r.stated for r in table.rows), [r.region for r in table.rows if not r.stated]
    for r in table.rows:
        assert_verbatim(comparer, r.cell)
        assert (r.cell.kind, r.cell.period, r.cell.region_id, r.cell.unit) == ("target", "2025", r.region_id, "percent")
        assert r.region_zh[:2] in r.cell.source.title  # each province's figure from its own report
    by = {r.region: r.cell for r in table.rows}
    assert by["Sichuan"].figure == "5.5%以上" and by["Tibet"].figure == "7%以上"
    assert (by["Fujian"].value, by["Fujian"].value_high) == (5.0, 5.5)
    assert by["Qinghai"].figure == "4.5%左右" and by["Hubei"].value == 6  # Hubei writes 经济增长6％左右


def test_indicator_by_id_english_or_chinese_gives_one_table(comparer):
    def figures(name):
        return [(r.region_id, r.cell.figure if r.cell else None) for r in comparer.compare(name, regions=["Yangtze River Delta"]).rows]

    en = figures("GDP growth")
    assert en == figures("地区生产总值增长") == figures("經濟增長")
    assert [rid for rid, _ in en] == ["310000", "320000", "330000", "340000"]  # the group, in declared order
    with pytest.raises(BadQuestion):
        comparer.compare("happiness index")


def test_sort_and_threshold(comparer):
    table = comparer.compare("GDP growth", period="2025", kind="target", sort=True, above=5.5)
    values = [r.cell.value_high or r.cell.value for r in table.rows]
    assert values and all(v >= 5.5 for v in values)
    assert [r.cell.value for r in table.rows] == sorted((r.cell.value for r in table.rows), reverse=True)
    assert "Tibet" == table.rows[0].region
    assert {"Sichuan", "Anhui", "Fujian"} <= {r.region for r in table.rows}  # 5.5%以上 and 5.0%—5.5% reach 5.5
    assert "Beijing" not in {r.region for r in table.rows}


def test_not_stated_is_never_filled_from_another_year_or_kind(comparer):
    table = comparer.compare("R&D intensity", level="province", period="2025", kind="achieved")
    # a work report of 2025 states 2025 targets, not 2025 results: nothing may be shown as one
    assert table.rows and not any(r.stated for r in table.rows)
    shown = [r.elsewhere for r in table.rows if r.elsewhere is not None]
    assert shown, "the figures the sources do state ride along, labelled"
    for c in shown:
        assert (c.period, c.kind) != ("2025", "achieved")
        assert_verbatim(comparer, c)
    assert any("Not stated" in n for n in table.notes)


def test_rd_intensity_compare_reads_shares(comparer):
    table = comparer.compare("R&D intensity", regions=["Jiangsu", "Zhejiang", "Guangdong"])
    assert table.indicator.measure == "share"
    for r in table.rows:
        if r.stated:
            assert_verbatim(comparer, r.cell)
            assert r.cell.unit == "percent" and r.cell.value < 10


def test_province_trend_has_last_years_result_and_this_years_target(comparer):
    table = comparer.trend("GDP growth", region="Jiangsu")
    years = {r.year: r for r in table.rows}
    assert years[2024].achieved is not None and years[2024].achieved.kind == "achieved"
    assert years[2025].target is not None and years[2025].target.figure == "5%以上"
    for r in table.rows:
        for c in (r.target, r.achieved):
            if c is not None:
                assert_verbatim(comparer, c)


def test_cli_compare_json_and_table(corpus_index):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "compare", "GDP growth", "--regions", "Beijing,Tianjin,Hebei",
                          "--period", "2025", "--index", str(corpus_index), "--json"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["type"] == "compare" and [r["region"] for r in data["rows"]] == ["Beijing", "Tianjin", "Hebei"]
    assert all(r["stated"] and r["cell"]["figure"] in r["cell"]["sentence"] for r in data["rows"])
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "compare", "GDP growth", "--regions", "Atlantis",
                          "--index", str(corpus_index)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "Atlantis" in bad.stderr and "Traceback" not in bad.stderr


# ------------------------------------------------------------------ national reports
NATIONAL_FROM = 2000


@pytest.fixture(scope="session")
def national(tmp_path_factory):
    """The national reports since 2000, a slice of the JSONL read by the ingest loader. Embedding
    them (3,200 chunks) takes minutes on this machine, and compare reads facts, not vectors: the
    Comparer runs over the loaded documents directly (the same facts source, no index)."""
    src = CORPUS / "national-government-work-reports.jsonl"
    if not src.exists():
        pytest.skip(f"national reports not found at {src}")
    from retrieval.compare.source import DocumentSet
    from retrieval.knowledge.regions import load_gazetteer

    root = tmp_path_factory.mktemp("national")
    rows = [line for line in src.read_text(encoding="utf-8").splitlines()
            if line.strip() and int(json.loads(line).get("year") or 0) >= NATIONAL_FROM]
    (root / "national-government-work-reports.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Comparer(DocumentSet.load([root]), load_gazetteer())


def test_national_gdp_growth_target_since_2000(national):
    comparer = national
    table = comparer.trend("GDP growth", kind="target", since=NATIONAL_FROM)
    assert table.title == "China: GDP growth (target) by year"  # the country's GDP, not "regional GDP"
    targets = {r.year: r.target for r in table.rows if r.target}
    assert len(targets) >= 18, sorted(targets)
    for c in targets.values():
        assert_verbatim(comparer, c)
        assert c.kind == "target" and c.region_id == "100000"
        assert c.source.title.startswith(c.period)  # a year's target from that year's report
    assert targets[2025].figure == "5%左右" and targets[2016].figure == "6.5%－7%" and targets[2019].figure == "6%－6.5%"
    assert targets[2012].value == 7.5 and targets[2005].value == 8
    both = comparer.trend("GDP growth", since=NATIONAL_FROM)
    results = {r.year: r.achieved for r in both.rows if r.achieved}
    assert results[2024].figure == "5%" and results[2020].figure == "2.3％"
    # results said without the indicator in their clause, after a figure-less lead sentence, in full-width digits
    assert (results[2021].figure, results[2010].figure, results[2001].figure) == ("8.1%", "10.3%", "７．３％")
    assert results[2022].figure == "3%"  # "过去一年，…。…。全年国内生产总值增长3%" in the 2023 report's five-year review
    assert 2000 not in results and 2002 not in results  # 8.3％ and 7.7% are averages over five years, not a year's
    for c in results.values():
        assert_verbatim(comparer, c)
        assert c.kind == "achieved" and int(c.source.title[:4]) == int(c.period) + 1  # from the next year's report


def _png_size(png: bytes) -> tuple[int, int]:
    import struct

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_charts_bar_and_line_in_the_questions_language(national, tmp_path):
    from bot.charts import cjk_font, render

    assert cjk_font() is not None, "a CJK font must be installed (.ci/run installs fonts-wqy-microhei)"
    bars = national.compare("经济增长", regions=["全国"], kind="target", period="2024")
    assert bars.lang == "zh" and bars.rows[0].cell.figure == "5%左右"
    lines = national.trend("GDP growth", since=NATIONAL_FROM)
    for table, name in ((bars, "bars.png"), (lines, "lines.png")):
        path = render(table, tmp_path / name)
        width, height = _png_size(path.read_bytes())
        assert 700 <= width <= 1200 and 400 <= height <= 700  # legible at Slack's preview width


def test_compare_without_chart_does_not_import_matplotlib():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom bot.cli import cli\n"
            "r = CliRunner().invoke(cli, ['compare', '--help'])\nassert r.exit_code == 0\n"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ routing from ask
@pytest.mark.parametrize("question, what", [
    ("Which provinces aim for fixed-asset investment growth above 6% this year?", "compare"),
    ("How do Hubei and Hunan compare on retail sales growth?", "compare"),
    ("京津冀地区生产总值增长目标对比", "compare"),
    ("各省2025年研发投入强度目标", "compare"),
    ("How has national GDP growth changed since 2010?", "trend"),
    ("全国历年国内生产总值增长目标", "trend"),
    ("What GDP growth does Beijing target for 2025?", None),  # one place, no comparison: a normal answer
    ("How much fixed-asset investment did Binhu District complete in 2024?", None),
    ("Which provinces are building new energy vehicle clusters?", None),  # no indicator the vocabulary knows
    ("江苏省今年的经济增长目标是多少？", None),
])
def test_routing_rules(question, what):
    from retrieval.compare.route import route
    from retrieval.knowledge.regions import load_gazetteer

    request = route(question, load_gazetteer())
    assert (request.what if request else None) == what, request


def test_ask_answers_a_comparison_with_the_table(corpus_engine):
    ans = corpus_engine.ask("Which provinces target GDP growth above 5.5% in 2025?")
    assert ans.answered and ans.comparison is not None
    rows = ans.comparison.rows
    assert {r.region for r in rows} >= {"Tibet", "Hainan", "Sichuan"} and "Beijing" not in {r.region for r in rows}
    assert len(ans.quotes) == len([r for r in rows if r.stated])
    for q in ans.quotes:  # each quote is the fact's sentence, verbatim in its document
        assert q.text in corpus_engine.index.document(q.source.doc_id).text
        assert q.figures[0].text in q.text
    plain = corpus_engine.ask("What GDP growth does Beijing target for 2025?")
    assert plain.comparison is None and "5%左右" in plain.quotes[0].text


def test_slack_table_longer_than_the_page_is_cut_with_a_note(corpus_engine):
    from bot.slack.tables import format_table

    table = corpus_engine.compare("GDP growth", period="2025", kind="target")
    msg = format_table(table, max_rows=10)
    text = "\n".join(b["text"]["text"] for b in msg["blocks"] if b["type"] == "section")
    assert text.count("• ") == 10 and len(msg["blocks"]) <= 50
    notes = " ".join(e["text"] for b in msg["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "21 more rows" in notes and "--json" in notes
