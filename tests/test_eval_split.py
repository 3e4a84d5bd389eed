"""The tune/report split of every question set (issue 13) and `planbot eval --split`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.evaluate import load_jsonl, split_key, split_of

REPO = Path(__file__).resolve().parents[1]
OWN_SETS = [REPO / "tests" / "data" / "provincial-crosslingual", REPO / "tests" / "data" / "reworded"]


# -- the split ---------------------------------------------------------------------------------
def test_the_split_keys_on_the_source_never_on_the_question():
    twins = [{"id": "a", "passage_id": "zh:xquad-07-03"}, {"id": "b", "passage_id": "en:xquad-07-11"}]
    assert split_key(twins[0]) == split_key(twins[1]) == "passage:xquad-07"
    # the figure subset in ../shared/eval and its full set in ../shared/train share a passage key
    assert split_key({"passage_id": "dev:DEV_2"}) == split_key({"passage_id": "cmrc-dev:DEV_2"})
    assert split_key({"passage_id": "dev:1147-6"}) == split_key({"passage_id": "drcd-dev:1147-5"}) == "passage:1147"
    # questions about one province fall together whatever their wording or language
    hebei = [{"id": "x1", "question": "How fast did Hebei grow?", "source_contains": "河北"},
             {"id": "x2", "question": "河北去年经济增长多少？", "source_contains": "河北"}]
    assert len({split_of(q) for q in hebei}) == 1


@pytest.mark.parametrize("set_dir", OWN_SETS, ids=lambda p: p.name)
def test_each_own_set_has_both_halves_and_one_side_per_province(set_dir):
    qs = load_jsonl(set_dir / "questions.jsonl")
    sides: dict[str, set[str]] = {}
    for q in qs:
        sides.setdefault(q.get("source_contains") or q["id"], set()).add(split_of(q))
    assert all(len(s) == 1 for s in sides.values())
    halves = {split_of(q) for q in qs if q.get("answerable", True)}
    assert halves == {"tune", "report"}


def test_reworded_questions_sit_with_the_questions_they_reword():
    provincial = {q["id"]: q for q in load_jsonl(OWN_SETS[0] / "questions.jsonl")}
    for q in load_jsonl(OWN_SETS[1] / "questions.jsonl"):
        original = provincial.get(q.get("rewords", ""))
        if original and q.get("answerable", True) and original.get("answerable", True):
            assert split_of(q) == split_of(original), q["id"]


# -- planbot eval --split ------------------------------------------------------------------------
def test_eval_reports_tune_and_report_halves(tmp_path):
    set_dir = tmp_path / "halves"
    set_dir.mkdir()
    texts = {f"p{i}": f"The museum of town {i} received {100 + i} thousand visits last year." for i in range(8)}
    (set_dir / "passages.jsonl").write_text("\n".join(json.dumps({"id": k, "title": k, "text": t, "lang": "en"})
                                                      for k, t in texts.items()), encoding="utf-8")
    qs = [{"id": f"q{i}", "question": f"How many visits did the museum of town {i} receive?", "lang": "en",
           "answers": [f"{100 + i} thousand"], "passage_id": f"p{i}", "figure": True} for i in range(8)]
    (set_dir / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in qs), encoding="utf-8")
    env = {**__import__("os").environ, "TMPDIR": str(tmp_path)}

    def run(*extra):
        r = subprocess.run([sys.executable, "-m", "bot.cli", "eval", str(set_dir), "--mode", "hybrid", "--json", *extra],
                           cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    both = run()
    halves = both["modes"]["hybrid"]["halves"]
    expected = {h: sum(1 for q in qs if split_of(q) == h) for h in ("tune", "report")}
    assert {h: halves[h]["all"]["n"] for h in halves} == expected
    tune = run("--split", "tune")
    assert {r["id"] for r in tune["modes"]["hybrid"]["rows"]} == {q["id"] for q in qs if split_of(q) == "tune"}
    assert all(r["split"] == "tune" for r in tune["modes"]["hybrid"]["rows"])


    # --limit takes the set's first N before the split: a half of a limited run is that half alone
    limited = run("--split", "report", "--limit", "6")
    assert {r["id"] for r in limited["modes"]["hybrid"]["rows"]} == {q["id"] for q in qs[:6] if split_of(q) == "report"}
