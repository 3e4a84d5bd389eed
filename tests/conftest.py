"""Shared fixtures: the real bundled model, real indexes on disk, the shared corpus."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLANBOT_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"

ARTICLE_EN = """Riverside District sets out its 2025 industrial plan

2025-01-15 10:30
Source: Riverside Daily

Riverside District achieved fixed-asset investment of 28.7 billion yuan last year, up 12%.
The district brought in 23 headquarters enterprises and signed 185 projects above 100 million yuan.
By 2026 the district will strive to raise the output value of its battery industry to more than 50 billion yuan.
Retail sales of consumer goods grew 6.5% to 41.2 billion yuan.

Leave a Reply
Your email address will not be published.
"""

ARTICLE_ZH = """江北新区召开四大行动动员大会

2024-02-20 09:49 来源：新华日报

2023年，江北新区三大优势产业和三大新兴产业实现营收超5000亿元，新增市场主体2.5万家。
今年，新区力争完成固定资产投资700亿元，地区生产总值增长6%左右。
新区将组建“1+6”服务专班，推动集成电路、生物医药产业集群发展。
"""


# Tests that use these fixtures are end-to-end runs over the shared corpus, and `slow` by that:
# corpus_index indexes the 31 provincial reports and 5 articles (~30 s on a quiet machine; the
# IVF/HNSW copies of test_index_types build on it).
SLOW_FIXTURES = frozenset({"corpus_index"})


def pytest_collection_modifyitems(config, items):
    """Tests marked `slow` (by hand, or by using a SLOW_FIXTURES fixture) run in CI (CI=true) or
    when asked for with `-m slow`; elsewhere they are skipped, so the suite stays quick for a
    developer on a shared machine while CI still runs every test."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow end-to-end test: runs in CI (CI=true) or with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def encoder():
    from embeddings import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (root / "jiangbei.txt").write_text(ARTICLE_ZH, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, fixture_corpus, encoder) -> Path:
    from retrieval.ingest.run import ingest

    index_dir = tmp_path_factory.mktemp("small-index")
    ingest([fixture_corpus], index_dir, encoder=encoder)
    return index_dir


@pytest.fixture(scope="session")
def small_engine(small_index, encoder):
    from retrieval.engine import Engine

    return Engine(small_index, encoder=encoder)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, encoder) -> Path:
    """The 5 articles and 31 provincial reports indexed once per test session (~30 s).

    The national reports JSONL (7,000+ chunks) is left out to keep the suite fast; its
    loading is covered in test_documents."""
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    from retrieval.ingest.run import ingest

    index_dir = tmp_path_factory.mktemp("corpus-index")
    report = ingest([CORPUS / "articles", CORPUS / "gov-work-reports-2025"], index_dir, encoder=encoder)
    assert not report.skipped, report.skipped
    return index_dir


@pytest.fixture(scope="session")
def corpus_engine(corpus_index, encoder):
    from retrieval.engine import Engine

    return Engine(corpus_index, encoder=encoder)


def engine_over(tmp_path_factory, encoder, files: dict[str, str], name: str):
    """An Engine over a real index of `files` (file name -> text) written for a test module."""
    from retrieval.engine import Engine
    from retrieval.ingest.run import ingest

    root = tmp_path_factory.mktemp(f"{name}-docs")
    for fname, text in files.items():
        (root / fname).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    ingest([root], index_dir, encoder=encoder)
    return Engine(index_dir, encoder=encoder)


def docx_text(path: Path) -> str:
    """Paragraphs and table rows (cells joined by a tab), as a reader of the file sees them."""
    import docx

    document = docx.Document(str(path))
    lines = [par.text for par in document.paragraphs]
    for table in document.tables:
        lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
    return "\n".join(lines)
