"""The product on the Milvus store (milvus-lite, in-process) as well as on FAISS: ingest, ask,
region digests, a Slack answer, answer parity on the shared eval set, incremental upserts and
deletes, and a killed ingest. One milvus-lite .db serves the session (one named store each)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from retrieval.engine import Engine  # noqa: E402
from retrieval.ingest.run import ingest  # noqa: E402

from .conftest import ARTICLE_EN, ARTICLE_ZH, EVAL, REPO  # noqa: E402

SMALL_QUESTIONS = [
    "How much fixed-asset investment did Riverside District complete last year?",
    "What fixed-asset investment is Jiangbei New Area aiming for this year?",
    "江北新區2023年營收是多少？",
    "Riverside District 引进了多少家总部企业？",
    "What is Tokyo's GDP growth target for 2025?",
]


@pytest.fixture(scope="session")
def milvus_db(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("milvus") / "planbot.db")


@pytest.fixture(scope="module")
def small_store(milvus_db, fixture_corpus, encoder) -> str:
    store = f"{milvus_db}#small"
    report = ingest([fixture_corpus], "/nonexistent/no-index-dir", encoder=encoder, store=store)
    assert report.added == 2 and report.committed and not report.skipped
    assert not Path("/nonexistent/no-index-dir").exists()  # nothing local: everything is in Milvus
    return store


@pytest.fixture(scope="module")
def milvus_engine(small_store, encoder) -> Engine:
    return Engine("/nonexistent/no-index-dir", encoder=encoder, store=small_store)


@pytest.fixture(scope="module")
def corpus_store(milvus_db, corpus_index) -> str:
    """The session's FAISS corpus index copied into Milvus (vectors reused, nothing re-embedded)."""
    from retrieval.store.migrate import copy_index

    store = f"{milvus_db}#corpus"
    copy_index(corpus_index, store)
    return store


@pytest.fixture(scope="module")
def corpus_milvus_engine(corpus_store, encoder, corpus_engine) -> Engine:
    engine = Engine("/nonexistent/no-index-dir", encoder=encoder, store=corpus_store)
    engine.vectors = corpus_engine.vectors  # one sentence-vector cache: each sentence is encoded once for both stores
    return engine


def first_quote(ans):
    return (ans.quotes[0].text, ans.quotes[0].source.doc_id) if ans.quotes else None


# -- ingest and ask --------------------------------------------------------------------------
def test_milvus_answers_as_faiss_does_on_the_small_corpus(milvus_engine, small_engine):
    for q in SMALL_QUESTIONS:
        a, b = milvus_engine.ask(q), small_engine.ask(q)
        assert a.answered == b.answered, q
        assert first_quote(a) == first_quote(b), q
        assert [f.english for f in a.quotes[0].figures] == [f.english for f in b.quotes[0].figures] if a.quotes else True
    ans = milvus_engine.ask("What fixed-asset investment is Jiangbei New Area aiming for this year?")
    fig = next(f for f in ans.quotes[0].figures if f.text.endswith("700亿元"))
    assert (fig.english, fig.kind) == ("70 billion yuan", "target")
    doc = milvus_engine.index.document(ans.quotes[0].source.doc_id)
    assert doc.text[ans.quotes[0].start:ans.quotes[0].end] == ans.quotes[0].text  # verbatim from Milvus-held text


def test_region_filter_on_milvus(milvus_engine):
    ans = milvus_engine.ask("What fixed-asset investment is planned?", region="Jiangbei New Area")
    assert ans.answered and "700亿元" in ans.quotes[0].text
    ans = milvus_engine.ask("What fixed-asset investment is planned?", region="Beijing")
    assert not ans.answered and ans.declined_because == "No indexed source is about Beijing."


def test_stats_and_unchanged_reingest(milvus_engine, small_store, small_index, fixture_corpus, encoder):
    from retrieval.store.index import Index

    faiss = Index.open(small_index)
    st = milvus_engine.stats()
    assert (st["documents"], st["chunks"]) == (faiss.manifest["documents"], faiss.manifest["chunks"])
    assert st["model"] == faiss.model_id and st["index"] == small_store
    again = ingest([fixture_corpus], "/nonexistent/no-index-dir", encoder=encoder, store=small_store)
    assert (again.unchanged, again.chunks_embedded, again.committed) == (2, 0, False)
    assert (again.documents, again.chunks) == (st["documents"], st["chunks"])


def test_wrong_model_and_missing_store_are_clear_errors(small_store, milvus_db, encoder):
    from retrieval.errors import IndexMissing, ModelMismatch
    from retrieval.store.milvus import MilvusStore

    with pytest.raises(IndexMissing, match="no planbot store 'absent'"):
        MilvusStore.open(f"{milvus_db}#absent")
    with pytest.raises(ModelMismatch, match="other/model"):
        MilvusStore.open(small_store, model_id="other/model")


# -- the same rankings ------------------------------------------------------------------------
def test_bm25_scores_equal_bm25s(corpus_milvus_engine, corpus_engine):
    from retrieval.ask.search import lexical_search, query_tokens

    m, f = corpus_milvus_engine.index, corpus_engine.index
    for q in ["固定资产投资增长", "lithium battery output value", "江苏 地区生产总值 2024"]:
        w = query_tokens(q)
        assert m.lexical.idf(w) == pytest.approx(f.lexical.idf(w))
        pm, sm = lexical_search(m, w, 10)
        pf, sf = lexical_search(f, w, 10)
        assert len(pm) == len(pf) > 0
        np.testing.assert_allclose(sm, sf, rtol=1e-4)
        chunk = lambda idx, p: (idx.chunks_at([p])[0].doc_id, idx.chunks_at([p])[0].seq)  # noqa: E731
        # Same chunks at every rank whose score is not tied with a neighbour's.
        assert [chunk(m, p) for p in pm[:3]] == [chunk(f, p) for p in pf[:3]]


def test_dense_recall_against_exact(corpus_milvus_engine, corpus_engine):
    from retrieval.ask.search import dense_search

    hits = total = 0
    for q in ["GDP growth target", "新能源汽车产量", "fixed-asset investment", "粮食产量", "foreign trade"]:
        v = corpus_engine.vectors.encode([q], kind="query")[0]
        exact = {corpus_engine.index.chunks_at([p])[0].text for p in dense_search(corpus_engine.index, v, 10)[0]}
        got = {corpus_milvus_engine.index.chunks_at([p])[0].text for p in dense_search(corpus_milvus_engine.index, v, 10)[0]}
        hits, total = hits + len(exact & got), total + len(exact)
    assert hits / total >= 0.95


def test_answer_parity_on_regional_plans_dev(corpus_milvus_engine, corpus_engine):
    """Every question of the shared set: answered/declined alike, first quote from the same source."""
    path = EVAL / "regional-plans-dev" / "questions.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    differ = []
    for q in questions:
        a, b = corpus_milvus_engine.ask(q), corpus_engine.ask(q)
        if a.answered != b.answered or first_quote(a) != first_quote(b):
            differ.append((q, first_quote(a), first_quote(b)))
    assert not differ, differ


def test_region_digest_on_milvus_equals_faiss(corpus_store, corpus_index):
    from retrieval.ask.digest import RegionReader

    m, f = RegionReader("/nonexistent", store=corpus_store), RegionReader(corpus_index)
    for name in ["Nanjing", "Fujian"]:
        dm, df = m.region(name), f.region(name)
        assert [(x["text"], x["source"]["doc_id"]) for x in dm["figures"]] == [(x["text"], x["source"]["doc_id"]) for x in df["figures"]]
        assert dm["sources"] == df["sources"] and dm["industries"] == df["industries"]
    assert m.regions() == f.regions()


# -- incremental writes ------------------------------------------------------------------------
def _chunk_rows(store: str, doc_id: str) -> list[dict]:
    from retrieval.store.milvus import _iter, _names, client, parse, read_state

    uri, name = parse(store)
    mc = client(uri)
    state = read_state(mc, name, uri)
    return list(_iter(mc, _names(name, state["epoch"])["chunks"], ["id", "version"], f'doc_id == "{doc_id}"'))


@pytest.mark.slow  # end to end on milvus-lite (~5 s each): CI runs it
def test_changed_document_is_upserted_and_removed_one_deleted(milvus_db, tmp_path, encoder):
    store = f"{milvus_db}#incremental"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (corpus / "jiangbei.txt").write_text(ARTICLE_ZH, encoding="utf-8")
    ingest([corpus], tmp_path / "unused", encoder=encoder, store=store)
    engine = Engine(tmp_path / "unused", encoder=encoder, store=store)
    zh_chunks = len(engine.index) - sum(1 for p in range(len(engine.index)) if not engine.index.chunk_is_zh(p))
    q = "How much fixed-asset investment did Riverside District complete last year?"
    assert "28.7 billion yuan" in engine.ask(q).quotes[0].text

    (corpus / "riverside.txt").write_text(ARTICLE_EN.replace("28.7 billion", "31.9 billion"), encoding="utf-8")
    report = ingest([corpus], tmp_path / "unused", encoder=encoder, store=store)
    assert (report.updated, report.unchanged, report.added) == (1, 1, 0)
    assert report.chunks_embedded == len(engine.index) - zh_chunks  # only the changed document
    assert engine.reload_if_changed()
    best = engine.ask(q).quotes[0].text
    assert "31.9 billion yuan" in best and "28.7" not in best
    doc_id = engine.ask(q).quotes[0].source.doc_id
    rows = _chunk_rows(store, doc_id)
    assert rows and len({r["version"] for r in rows}) == 1  # the old version's chunks are gone
    assert engine.index.lexical.df(["31.9"])["31.9"] >= 1 and engine.index.lexical.df(["28.7"])["28.7"] == 0

    (corpus / "riverside.txt").unlink()
    report = ingest([corpus], tmp_path / "unused", encoder=encoder, store=store, prune=True)
    assert report.removed == 1 and report.documents == 1
    assert engine.reload_if_changed()
    assert not engine.ask(q).answered
    assert _chunk_rows(store, doc_id) == []


# -- a killed ingest ---------------------------------------------------------------------------
KILLED_INGEST = textwrap.dedent("""
    import os, signal, sys
    from retrieval.ingest.run import ingest

    def progress(stage, done, total):
        if stage == sys.argv[3] and done >= int(sys.argv[4]):
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer or a power cut would

    ingest([sys.argv[1]], "/nonexistent", store=sys.argv[2], progress=progress)
""")


@pytest.mark.slow  # end to end on milvus-lite (~5 s each): CI runs it
def test_killed_ingest_leaves_previous_state_answerable_and_rerun_completes(tmp_path, encoder):
    from retrieval.store.milvus import release

    store = str(tmp_path / "crash.db")  # its own .db: milvus-lite serves one process at a time
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    ingest([corpus], tmp_path / "unused", encoder=encoder, store=store)
    release(store)

    (corpus / "riverside.txt").write_text(ARTICLE_EN.replace("28.7 billion", "31.9 billion"), encoding="utf-8")
    (corpus / "jiangbei.txt").write_text(ARTICLE_ZH, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # Killed once every changed document is staged, just before the commit.
    proc = subprocess.run([sys.executable, "-c", KILLED_INGEST, str(corpus), store, "writing", "0"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    engine = Engine(tmp_path / "unused", encoder=encoder, store=store)
    q = "How much fixed-asset investment did Riverside District complete last year?"
    assert "28.7 billion yuan" in engine.ask(q).quotes[0].text  # the previous state, whole
    assert engine.stats()["documents"] == 1
    report = ingest([corpus], tmp_path / "unused", encoder=encoder, store=store)
    assert (report.added, report.updated) == (1, 1) and report.committed
    assert engine.reload_if_changed()
    assert "31.9 billion yuan" in engine.ask(q).quotes[0].text
    assert engine.ask("What fixed-asset investment is Jiangbei New Area aiming for this year?").answered
    doc_id = engine.ask(q).quotes[0].source.doc_id
    assert len({r["version"] for r in _chunk_rows(store, doc_id)}) == 1  # staged orphans cleaned up
    release(store)


@pytest.mark.slow  # end to end on milvus-lite (~5 s each): CI runs it
def test_commit_stopped_after_its_journal_is_completed_by_the_next_writer(milvus_db, tmp_path, encoder):
    """A writer that dies between journalling a change and applying it (here: it stops there):
    readers still see the previous state; the next writer applies the journal first."""
    from retrieval.ingest.run import _load_gazetteer, _tag, chunk_document, embed_pending
    from retrieval.store.milvus import MilvusWriter

    store = f"{milvus_db}#journal"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    ingest([corpus], tmp_path / "unused", encoder=encoder, store=store)
    engine = Engine(tmp_path / "unused", encoder=encoder, store=store)
    old = next(engine.index.documents())
    new = type(old)(**{**old.__dict__, "text": old.text.replace("28.7 billion", "31.9 billion"), "content_hash": "f" * 64})
    _tag(new, _load_gazetteer())
    chunks = chunk_document(new, _load_gazetteer())
    writer = MilvusWriter(store, encoder.model_id, encoder.dim)
    embed_pending(writer, [(new, "x", chunks)], encoder, lambda *a: None)  # staged as an ingest stages it
    writer.write_journal()  # ... and the process is gone before applying it
    q = "How much fixed-asset investment did Riverside District complete last year?"
    assert not engine.reload_if_changed() and "28.7 billion yuan" in engine.ask(q).quotes[0].text
    MilvusWriter(store, encoder.model_id, encoder.dim).abort()  # the next writer (an ingest) starts by recovering
    assert engine.reload_if_changed()
    assert "31.9 billion yuan" in engine.ask(q).quotes[0].text
    assert len({r["version"] for r in _chunk_rows(store, old.doc_id)}) == 1


# -- Slack -------------------------------------------------------------------------------------
def test_slack_mention_is_answered_from_milvus(milvus_engine, small_store):
    from bot.slack.app import build_app, make_http_server
    from bot.slack.runtime import state_of

    from .slack_fake import FakeSlack
    from .test_slack_bot import CHANNEL, MENTION, Harness, settings_for

    fake = FakeSlack().start()
    try:
        settings = settings_for(fake, Path("/nonexistent"), PLANBOT_STORE=small_store)
        assert settings.store == small_store
        app = build_app(settings, milvus_engine)
        server = make_http_server(app, settings, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            bot = Harness(fake, server, f"http://127.0.0.1:{server.port}/slack/events")
            ts = bot.mention(f"{MENTION} How much fixed-asset investment did Riverside District complete last year?")
            _, final = bot.answer(CHANNEL, ts)
            assert "28.7 billion yuan*" in final.all_text()
        finally:
            server.shutdown()
            server.server_close()
            state_of(app).gateway.shutdown()
    finally:
        fake.stop()


# -- Ray ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_ray_ingest_into_milvus_lite_from_the_cli(tmp_path, fixture_corpus, encoder):
    """`planbot ingest PATH --ray --store x.db`: a local Ray reads, chunks and embeds; the store
    then answers as a plain ingest's does; a second run re-embeds only the file that changed,
    quietly, and a third finds nothing to do."""
    pytest.importorskip("ray")
    from retrieval.store.milvus import release

    store = str(tmp_path / "ray.db")
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bot.cli", "ingest", str(corpus), "--ray", "--store", store, "--json"]
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert (report["added"], report["documents"], report["committed"]) == (2, 2, True) and report["chunks_embedded"] == report["chunks"] > 0
    assert "Traceback" not in proc.stderr
    engine = Engine(tmp_path / "unused", encoder=encoder, store=store)
    ans = engine.ask("What fixed-asset investment is Jiangbei New Area aiming for this year?")
    assert ans.answered and "700亿元" in ans.quotes[0].text
    release(store)
    changed = corpus / "riverside.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nRiverside will plant 4,000 trees in 2026.\n", encoding="utf-8")
    second = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    report = json.loads(second.stdout)
    assert (report["updated"], report["unchanged"]) == (1, 1) and 0 < report["chunks_embedded"] < report["chunks"]
    # One file to read: an actor pool sized for two made Ray Data warn on every such run.
    assert "Warning" not in second.stderr and "Traceback" not in second.stderr, second.stderr[-3000:]
    again = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] == 2 and json.loads(again.stdout)["chunks_embedded"] == 0


@pytest.mark.slow
def test_cli_ingest_ask_and_region_on_milvus_lite_answer_as_on_faiss(tmp_path, fixture_corpus):
    """The commands a user types, with `--store x.db` and with `--index DIR`: the same answer and
    the same region digest."""
    store = str(tmp_path / "cli.db")
    index = tmp_path / "faiss"
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def planbot(*args: str) -> dict:
        proc = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--json"], env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        return json.loads(proc.stdout)

    on_milvus = planbot("ingest", str(fixture_corpus), "--store", store)
    assert (on_milvus["added"], on_milvus["committed"]) == (2, True)
    assert planbot("ingest", str(fixture_corpus), "--index", str(index))["added"] == 2
    q = "What fixed-asset investment is Jiangbei New Area aiming for this year?"
    m, f = planbot("ask", q, "--store", store), planbot("ask", q, "--index", str(index))
    assert m["answered"] and "700亿元" in m["quotes"][0]["text"]
    assert [x["text"] for x in m["quotes"]] == [x["text"] for x in f["quotes"]]
    rm, rf = planbot("region", "Nanjing", "--store", store), planbot("region", "Nanjing", "--index", str(index))
    assert rm["figures"] and [x["text"] for x in rm["figures"]] == [x["text"] for x in rf["figures"]]


def test_keys_with_quotes_survive_incremental_writes(milvus_db, encoder, tmp_path):
    """A token or file name with an apostrophe (Fu'an, Xi'an) in a second ingest: pymilvus's
    get(ids=...) did not escape it, so the commit failed with a filter syntax error."""
    store = f"{milvus_db}#quotes"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "other.txt").write_text("Ningde plans\n\nNingde will build 3 new ports by 2027.\n", encoding="utf-8")
    doc = folder / "Fu'an 2025.txt"
    doc.write_text("Fu'an plans 2025\n\nFu'an in Ningde will add 12 lithium battery projects in 2025.\n", encoding="utf-8")
    assert ingest([folder], "/nonexistent/no-index-dir", encoder=encoder, store=store).added == 2
    doc.write_text("Fu'an plans 2025\n\nFu'an in Ningde will add 14 lithium battery projects in 2025.\n", encoding="utf-8")
    report = ingest([folder], "/nonexistent/no-index-dir", encoder=encoder, store=store)
    assert report.updated == 1 and report.committed  # read back df of "fu'an" and the old text parts
    ans = Engine("/nonexistent/no-index-dir", encoder=encoder, store=store).ask("How many lithium battery projects will Fu'an add?")
    assert ans.answered and "14" in ans.quotes[0].text
    doc.unlink()
    report = ingest([folder], "/nonexistent/no-index-dir", encoder=encoder, store=store, prune=True)
    assert report.removed == 1 and report.documents == 1  # the document id with an apostrophe deleted


def test_snapshot_scan_by_ord_ranges_reads_every_chunk_once(small_store):
    """A reader's snapshot reads the chunks in ranges of their write order (not query_iterator,
    quadratic on milvus-lite); ranges of 2 ords here, so rows sit on both sides of a boundary."""
    from retrieval.store.milvus import MilvusStore, _by_ord, _iter

    store = MilvusStore.open(small_store)
    chunks = store.names["chunks"]
    fields = ["id", "doc_id", "version", "ord"]
    every = sorted(r["id"] for r in _iter(store.mc, chunks, fields))
    ranged = [r["id"] for r in _by_ord(store.mc, chunks, fields, store.state["next_ord"], step=2)]
    assert len(every) >= 3 and sorted(ranged) == every
    assert sorted(store.table.ids.tolist()) == every
