"""Facts in an index generation: the `facts` table of chunks.sqlite (SQL only, no extraction).

The Writer calls `write`/`delete` with each document it adds or removes, so facts live and die
with their document and an incremental ingest keeps the facts of unchanged documents (the
next generation starts as a copy of the last one's database). `fact_docs` records which
extractor version (code and data files, `extractor_version`) produced a document's facts: documents indexed before facts existed, or by
an older extractor, are re-read from their stored text (`stale`), which costs no embedding.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from retrieval.facts.model import COMBINED, Fact, region_among
from retrieval.knowledge.regions import DATA_FILE as REGIONS_FILE
from retrieval.knowledge.vocab import RELATIONS_PATH, VOCAB_PATH

# Bump when extraction's code changes what it labels: the next ingest re-reads every document's facts.
VERSION = 25  # 2, 3: indicators of subjectless clauses, past-year lead sentences, averages as spans (issue 15); 4: changes against an earlier base year as spans; 5: deficit ratio and deficit apart; 6: "从去年的X提高到Y" gives Y the time now; 7–10: several places named together hold a figure together (襄阳、宜昌…), places before 等 are examples of the set the next figure counts, a subject carried over to a later clause opens its own and stops at a semicolon; 11: another quantity's head word after an indicator (储备, 余额, 产能, 单产, 资金…) is not that indicator, aided places hold what is done for them, partner lists, 与 joining subjects, city-named groups, lists with names outside the gazetteer, 分别 lists from the clause before, a paragraph's year-saying opener speaks for its sentences, 全年 in a multi-year review is its last year; 12: Chinese numerals of 亿 and 万 groups (五亿五千万, 十亿零七千万) read as one number, 千瓦 after a Chinese numeral is the unit; 13: a section heading's year in Chinese numerals (一九五八年) is not the 九五 plan; 14: a statistical communiqué's figures that nothing else dates are of its title year; 15: a figure a planning verb sets (拟定为, 安排为, 计划为, 8％的预定目标) is a target, a past year after 从 naming where money comes from is not the figure's time, 头/公尺/平方公尺/担/匹/千伏… are units, a quantity head after other nouns (企业直接融资规模) and a share's base (占…的) are not the indicator named first, a place glued to a directional region (湘南湘西) is no subject, "X年和Y年两年" is a span and a stock reached after a span ("加上原有的…") its last year; 16: a document about a zone named by its bare place (浏阳经开区) is that place's; 17: a table's header row gives the cells below it their year and kind (facts/tables.py), 目前年均 holds no 前年; 18: in an undated document, a section's opening year dates its later results that say no time; 19–21: an English full stop after a figure ends its sentence, an English amount is of the noun after it (438 million tonnes of raw coal) and a count of what follows it, a compared figure's year follows it (up from X in 2023), a paragraph opening on a past year dates its later results, 2000多个 is a count and no year, a news piece's 去年：/今年： labels open its review and plan, a Chinese comma before a year ends a clause, years listed before 分别 pair with its figures; 22: one list of English comparison words for periods and paragraph years (versus, vs.); 23: an industry's 产值 is output value (种业产值), not dropped as a sector's aggregate; 24: 相当于 names a share's base like 占, and a ratio's numerator over its base is the ratio (研发经费支出相当于生产总值的比例 is R&D intensity); 25: the year before's own level said relatively (比上年的273亿元) is that year's

# Extraction also reads these data files (the vocabulary's names decide indicator ids, the
# gazetteer region ids): a change to any of them re-reads every document's facts as a VERSION
# bump does, so an edited vocabulary line cannot leave an index with the old labels.
DATA_FILES: tuple[Path, ...] = (VOCAB_PATH, RELATIONS_PATH, REGIONS_FILE)


def extractor_version() -> int:
    """VERSION and a CRC-32 of DATA_FILES in one integer: what `fact_docs` records per document."""
    keys = []
    for p in DATA_FILES:
        try:
            st = p.stat()
            keys.append((str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            keys.append((str(p), -1, 0))
    return _version(tuple(keys))


@lru_cache(maxsize=8)
def _version(keys: tuple) -> int:
    crc = 0
    for path, size, _ in keys:
        crc = zlib.crc32(Path(path).read_bytes() if size >= 0 else b"", crc)
    return VERSION << 32 | crc


SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    figure TEXT NOT NULL, value REAL, value_high REAL, unit TEXT, qualifier TEXT, measure TEXT NOT NULL,
    kind TEXT NOT NULL, period TEXT NOT NULL, region_id TEXT NOT NULL, indicator_id TEXT,
    indicator_text TEXT, sentence_start INTEGER NOT NULL, sentence TEXT NOT NULL, english TEXT, chinese TEXT
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE INDEX IF NOT EXISTS facts_region ON facts(region_id);
CREATE TABLE IF NOT EXISTS fact_docs (doc_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
"""
_COLUMNS = ("doc_id", "start", "end", "figure", "value", "value_high", "unit", "qualifier", "measure", "kind",
            "period", "region_id", "indicator_id", "indicator_text", "sentence_start", "sentence", "english", "chinese")


def ensure_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def delete(db: sqlite3.Connection, doc_id: str) -> None:
    db.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
    db.execute("DELETE FROM fact_docs WHERE doc_id = ?", (doc_id,))


def write(db: sqlite3.Connection, doc_id: str, facts: Iterable[Fact]) -> None:
    delete(db, doc_id)
    marks = ",".join("?" * len(_COLUMNS))
    db.executemany(f"INSERT INTO facts ({','.join(_COLUMNS)}) VALUES ({marks})",
                   [tuple(getattr(f, c) for c in _COLUMNS) for f in facts])
    db.execute("INSERT INTO fact_docs VALUES (?, ?)", (doc_id, extractor_version()))


def stale(db: sqlite3.Connection) -> list[str]:
    """Documents whose facts are missing or come from another extractor version."""
    return [r[0] for r in db.execute(
        "SELECT d.doc_id FROM documents d LEFT JOIN fact_docs f ON f.doc_id = d.doc_id "
        "WHERE f.version IS NULL OR f.version != ?", (extractor_version(),))]


def has_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='facts'").fetchone() is not None


def query(db: sqlite3.Connection, region_ids: Optional[set[str]] = None, kind: Optional[str] = None,
          doc_ids: Optional[set[str]] = None) -> list[Fact]:
    """Facts filtered in SQL by region, kind and document (the cheap, indexed filters)."""
    if not has_table(db):
        return []
    where, args = [], []
    for col, values in (("region_id", region_ids), ("doc_id", doc_ids)):
        if values is not None:
            values = sorted(values)
            test = f"{col} IN ({','.join('?' * len(values))})" if values else "0"
            if col == "region_id":
                test = f"({test} OR region_id LIKE '%{COMBINED}%')"  # combined regions: parts checked below
            where.append(test)
            args += values
    if kind:
        where.append("kind = ?")
        args.append(kind)
    sql = f"SELECT {','.join(_COLUMNS)} FROM facts" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY doc_id, start"
    facts = [Fact(**dict(zip(_COLUMNS, row))) for row in db.execute(sql, args)]
    return facts if region_ids is None else [f for f in facts if region_among(f.region_id, region_ids)]


def fact_json(f: Fact) -> str:
    return json.dumps(asdict(f), ensure_ascii=False)
