"""`planbot compare`, `trend` and `figures` on a Milvus store (`--store x.db`, milvus-lite): the
store derives the facts from its stored documents, and the tables equal those read from the same
reports' files directly."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, REPO

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

YRD = ("江苏省", "安徽省")  # two of the Yangtze River Delta's four: the other two are "not stated"
pytestmark = pytest.mark.slow  # embeds two reports into a milvus-lite store


@pytest.fixture(scope="module")
def yrd_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("yrd")
    for name in YRD:
        src = CORPUS / "gov-work-reports-2025" / f"2025年{name}政府工作报告.docx"
        if not src.exists():
            pytest.skip(f"{src} not found")
        (root / src.name).symlink_to(src)
    return root


@pytest.fixture(scope="module")
def yrd_store(tmp_path_factory, yrd_files, encoder) -> str:
    from retrieval.ingest.run import ingest

    store = str(tmp_path_factory.mktemp("milvus") / "yrd.db")
    report = ingest([yrd_files], "/nonexistent/no-index-dir", encoder=encoder, store=store)
    assert report.added == len(YRD) and report.committed
    from retrieval.store.milvus import release

    release(store)  # milvus-lite: one process at a time; the CLI runs in another
    return store


@pytest.fixture(scope="module")
def from_files(yrd_files):
    from retrieval.compare import Comparer
    from retrieval.compare.source import DocumentSet
    from retrieval.knowledge.regions import load_gazetteer

    return Comparer(DocumentSet.load([yrd_files]), load_gazetteer())


def planbot(*args: str):
    out = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def cells(table: dict) -> list[tuple]:
    rows = table["rows"]
    if table["type"] == "compare":
        return [(r["region_id"], r["cell"] and (r["cell"]["figure"], r["cell"]["kind"], r["cell"]["period"], r["cell"]["start"]))
                for r in rows]
    return [(r["year"], *((c["figure"], c["start"]) if c else None for c in (r["target"], r["achieved"]))) for r in rows]


def test_compare_and_trend_on_a_milvus_store_equal_the_files(yrd_store, from_files):
    got = json.loads(planbot("compare", "GDP growth", "--regions", "长三角", "--store", yrd_store, "--json"))
    want = from_files.compare("GDP growth", regions=["长三角"]).to_json()
    assert cells(got) == cells(want)
    assert [r["cell"] and r["cell"]["figure"] for r in got["rows"]] == [None, "5%以上", None, "5.5%以上"]
    got = json.loads(planbot("trend", "GDP growth", "--region", "Jiangsu", "--store", yrd_store, "--json"))
    assert cells(got) == cells(from_files.trend("GDP growth", region="Jiangsu").to_json()) and got["rows"]


def test_figures_on_a_milvus_store(yrd_store, from_files):
    rows = [json.loads(line) for line in planbot("figures", "--region", "Anhui", "--indicator", "GDP", "--kind", "target",
                                                 "--store", yrd_store, "--json").splitlines()]
    assert rows and any(r["figure"] == "5.5%以上" for r in rows)
    for r in rows:
        assert r["kind"] == "target" and r["figure"] in r["sentence"]
