"""`planbot eval SET --store URI`: the same question set measured on the Milvus store, so the two
stores' answers can be compared set by set (docs/BENCHMARKS.md, "Answers on the eval sets")."""
from __future__ import annotations

import json
import tempfile

import pytest

pytest.importorskip("pymilvus")

PASSAGES = [
    {"id": "p1", "title": "Binhu investment", "lang": "en",
     "text": "Binhu District in Wuxi completed fixed-asset investment of 28.7 billion yuan in 2024, up 12%."},
    {"id": "p2", "title": "Jiangning industry", "lang": "zh",
     "text": "2023年，江宁区智能电网、新能源汽车等先进制造业实现营收超5000亿元，同比增长8.5%。"},
    {"id": "p3", "title": "Xishan hydrogen", "lang": "en",
     "text": "Xishan District signed 14 hydrogen energy projects worth 9.3 billion yuan in February."},
]
QUESTIONS = [
    {"id": "q1", "question": "How much fixed-asset investment did Binhu complete in 2024?", "lang": "en",
     "answers": ["28.7 billion yuan"], "passage_id": "p1"},
    {"id": "q2", "question": "江宁区先进制造业营收是多少？", "lang": "zh", "answers": ["超5000亿元"], "passage_id": "p2"},
    {"id": "q3", "question": "How many hydrogen projects did Xishan sign?", "lang": "en", "answers": ["14"], "passage_id": "p3"},
]


@pytest.mark.slow  # end to end on milvus-lite: CI runs it
def test_eval_on_a_milvus_store_reports_what_faiss_reports(tmp_path, monkeypatch, encoder):
    from retrieval import evaluate

    set_dir = tmp_path / "tiny"
    set_dir.mkdir()
    (set_dir / "passages.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PASSAGES), encoding="utf-8")
    (set_dir / "questions.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS), encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the passages' index and store go here
    monkeypatch.setattr("embeddings.load_encoder", lambda *a, **k: encoder)  # one model load for the suite

    faiss = evaluate.run_eval(set_dir, None, ["hybrid"])
    milvus = evaluate.run_eval(set_dir, None, ["hybrid"], store=str(tmp_path / "any.db"))
    assert milvus["index"].endswith(".db") and not faiss["index"].endswith(".db")  # really the Milvus store
    assert faiss["modes"]["hybrid"]["all"]["recall@1"] == 1.0
    assert milvus["modes"]["hybrid"]["rows"] == faiss["modes"]["hybrid"]["rows"]  # per question: ranks, quotes, answered
