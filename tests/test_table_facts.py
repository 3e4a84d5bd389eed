"""A table's header row dates the cells below it: its figures are results and targets by column."""
from __future__ import annotations

from retrieval.facts import extract_facts
from retrieval.types import Document

# Written for these tests: an undated county plan whose targets are in a table, the way ingest
# keeps a .docx table (rows a blank line apart, cells joined by tabs) and a Markdown one.
DOCX_TEXT = """某某县工业倍增三年行动方案（2025—2027年）

二、主要目标

主要指标见下表。

指标\t2024年\t2025年目标\t2027年目标

规上工业总产值（亿元）\t512\t560\t680

高新技术企业（家）\t64\t75\t90

三、重点任务
"""
MD_TEXT = """# 某某区2025年重点指标

| 指标 | 2023年 | 2024年 | 2025年预期 |
|---|---|---|---|
| 地区生产总值（亿元） | 801 | 846 | 890 |
| 短行 | 1 |
"""


def by_figure(text: str, date: str | None = None) -> dict[str, tuple[str, str]]:
    d = Document(doc_id="d1", text=text, title=text.split("\n")[0].lstrip("# "), path="/tmp/x.txt", content_hash="h", date=date)
    return {f.figure: (f.kind, f.period) for f in extract_facts(d)}


def test_a_docx_table_s_columns_are_a_result_and_two_targets():
    facts = by_figure(DOCX_TEXT)
    # without the header all three read as the section's targets of no known year
    assert facts["512"] == ("achieved", "2024")
    assert facts["560"] == ("target", "2025") and facts["680"] == ("target", "2027")
    assert facts["64"] == ("achieved", "2024") and facts["90"] == ("target", "2027")


def test_a_markdown_table_dates_its_cells_and_its_last_column_is_the_target():
    facts = by_figure(MD_TEXT, "2025-01-15")
    assert facts["801"] == ("achieved", "2023") and facts["846"] == ("achieved", "2024")
    assert facts["890"] == ("target", "2025")


def test_text_after_a_table_is_not_read_as_a_row():
    text = DOCX_TEXT.replace("三、重点任务\n", "三、重点任务\n\n2026年，力争新增企业30家。\n")
    assert by_figure(text)["30家"][1] == "2026"
