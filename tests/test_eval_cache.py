"""`planbot eval` caches each passage set's index; an upgrade that changes what ingest writes
(chunking/tagging: documents.TEXT_VERSION; figure facts: the extractor's version) must measure on
a fresh index, not on chunks and facts written by the older code."""
from __future__ import annotations

import json
import tempfile

PASSAGES = [
    {"id": "p1", "title": "Binhu investment", "lang": "en",
     "text": "Binhu District in Wuxi completed fixed-asset investment of 28.7 billion yuan in 2024, up 12%."},
    {"id": "p2", "title": "Xishan hydrogen", "lang": "en",
     "text": "Xishan District signed 14 hydrogen energy projects worth 9.3 billion yuan in February."},
]
QUESTIONS = [
    {"id": "q1", "question": "How much fixed-asset investment did Binhu complete in 2024?", "lang": "en",
     "answers": ["28.7 billion yuan"], "passage_id": "p1"},
]


def test_an_upgrade_of_what_ingest_writes_rebuilds_the_eval_index(tmp_path, monkeypatch, encoder):
    from retrieval import evaluate
    from retrieval.ingest import documents

    set_dir = tmp_path / "tiny"
    set_dir.mkdir()
    (set_dir / "passages.jsonl").write_text("\n".join(json.dumps(p) for p in PASSAGES), encoding="utf-8")
    (set_dir / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in QUESTIONS), encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr("embeddings.load_encoder", lambda *a, **k: encoder)

    before = evaluate.run_eval(set_dir, None, ["hybrid"])
    again = evaluate.run_eval(set_dir, None, ["hybrid"])
    assert again["index"] == before["index"]  # unchanged code: the cached index is reused
    monkeypatch.setattr(documents, "TEXT_VERSION", documents.TEXT_VERSION + 1)  # as an upgrade raises it
    after = evaluate.run_eval(set_dir, None, ["hybrid"])
    assert after["index"] != before["index"]
    assert after["modes"]["hybrid"]["all"]["recall@1"] == 1.0  # built afresh and answering
