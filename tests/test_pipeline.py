"""The ask pipeline's stages one by one, on the real small index, and the decline reason on every surface."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from rich.console import Console

from bot.terminal import print_answer
from retrieval.ask import pipeline
from retrieval.ask.spec import SPEC
from retrieval.errors import BadInput, UnknownRegion

from .test_cli import planbot

HQ = "How many headquarters enterprises did Riverside District bring in?"
JIANGBEI = "江北新区今年固定资产投资目标是多少？"


def test_analyse_reads_the_question_and_encodes_it(small_engine):
    ctx = small_engine.context(JIANGBEI)
    pipeline.analyse(ctx)
    assert ctx.region_ids == ["320100-jbxq"] and ctx.q_script == "zh"
    assert ctx.query_vec.shape == (small_engine.encoder.dim,) and abs(float(np.linalg.norm(ctx.query_vec)) - 1) < 1e-3
    assert ctx.weights["固定资产"] == 1.0
    assert ctx.answer is None and ctx.hits == [], "analyse retrieves nothing"


def test_a_thread_follow_up_inherits_the_region_and_metric(small_engine):
    ctx = small_engine.context("And the GDP growth?", context=JIANGBEI)
    pipeline.analyse(ctx)
    alone = small_engine.context("And the GDP growth?")
    pipeline.analyse(alone)
    assert ctx.region_ids == ["320100-jbxq"] and not alone.region_ids
    assert ctx.query_text.startswith(JIANGBEI)


def test_guards_scope_the_search_to_the_asked_region(small_engine):
    ctx = small_engine.context(JIANGBEI)
    pipeline.run(ctx, until="guards")
    assert ctx.decline is None
    docs = {small_engine.index.table.doc_ids[i] for i in small_engine.index.table.doc_index[ctx.mask]}
    titles = {small_engine.index.document(d).title for d in docs}
    assert titles == {"江北新区召开四大行动动员大会"}, titles


@pytest.mark.parametrize("question, reason", [
    ("What is Tokyo's GDP growth target for 2025?", "Nothing in the indexed sources mentions Tokyo."),
    ("What was Gansu's grain output last year?", "No indexed source is about Gansu."),
    ("江北新区2030年地区生产总值是多少？", "The indexed sources about Jiangbei New Area say nothing about 2030."),
])
def test_each_guard_declines_with_its_reason_and_nothing_is_retrieved_for_it(small_engine, question, reason):
    ctx = small_engine.context(question)
    pipeline.run(ctx, until="guards")
    assert ctx.decline == pipeline.Decline(reason)
    assert ctx.candidates == [] and ctx.answer is None


def test_retrieve_then_candidates_then_score_then_compose(small_engine):
    ctx = small_engine.context(HQ)
    pipeline.run(ctx, until="retrieve")
    assert ctx.hits and "23 headquarters" in ctx.hits[0].chunk.text
    assert ctx.candidates == []
    pipeline.candidates(ctx)
    assert any("23 headquarters" in c.text for c in ctx.candidates)
    assert all(c.score == 0.0 for c in ctx.candidates), "candidates are not scored yet"
    pipeline.score(ctx)
    best = max(ctx.candidates, key=lambda c: c.score)
    assert "23 headquarters" in best.text and best.score >= SPEC.answer_threshold
    assert set(best.signals) == set(SPEC.signal_weights)
    pipeline.compose_answer(ctx)
    assert ctx.answer.answered and "23 headquarters" in ctx.answer.quotes[0].text
    assert ctx.answer.declined_because is None


def test_a_stricter_spec_declines_what_the_default_answers(small_engine):
    strict = dataclasses.replace(SPEC, answer_threshold=5.0)  # no sentence can score 5
    ans = pipeline.run(small_engine.context(HQ, spec=strict)).answer
    assert not ans.answered and ans.declined_because and "closely enough" in ans.declined_because
    assert small_engine.ask(HQ).answered


def test_the_spec_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SPEC.answer_threshold = 0.1
    with pytest.raises(TypeError):
        SPEC.signal_weights["dense"] = 1.0


@pytest.mark.parametrize("k", [0, -1, 1000, "5"])
def test_a_bad_k_is_bad_input(small_engine, k):
    with pytest.raises(BadInput, match="k must be"):
        small_engine.ask(HQ, k=k)


def test_an_unknown_region_is_bad_input(small_engine):
    with pytest.raises(UnknownRegion) as err:
        small_engine.ask(HQ, region="Atlantis")
    assert err.value.exit_code == 2


def test_the_decline_reason_reaches_the_terminal(small_engine):
    con = Console(record=True, width=120)
    print_answer(con, small_engine.ask("What is Tokyo's GDP growth target for 2025?"))
    out = con.export_text()
    assert "Not found in the indexed sources." in out
    assert "Why: Nothing in the indexed sources mentions Tokyo." in out


def test_the_decline_reason_reaches_slack(small_engine):
    from bot.slack.formatting import format_answer

    msg = format_answer(small_engine.ask("What is Tokyo's GDP growth target for 2025?"))
    first = json.dumps(msg["blocks"][:2], ensure_ascii=False)
    assert "I couldn't find an answer" in first and "Nothing in the indexed sources mentions Tokyo." in first


def test_the_decline_reason_reaches_json_and_the_exit_codes_hold(small_index):
    r = planbot("ask", "What is Tokyo's GDP growth target for 2025?", "--index", str(small_index), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["answered"] is False and data["declined_because"] == "Nothing in the indexed sources mentions Tokyo."
    ok = json.loads(planbot("ask", HQ, "--index", str(small_index), "--json").stdout)
    assert ok["answered"] is True and ok["declined_because"] is None
    bad_k = planbot("ask", HQ, "-k", "0", "--index", str(small_index))
    assert bad_k.returncode == 2 and "Traceback" not in bad_k.stderr
    region = planbot("ask", HQ, "--region", "Atlantis", "--index", str(small_index), "--json")
    assert region.returncode == 2 and json.loads(region.stdout)["exit_code"] == 2


def test_a_missing_model_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Lakeside County plans 9 hydrogen projects in 2025.\n", encoding="utf-8")
    r = planbot("ingest", str(tmp_path / "c"), "--index", str(tmp_path / "idx"), "--model", str(tmp_path / "nonexistent"))
    assert r.returncode == 1 and "could not load embedding model" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("floor", [0.0, 1.0])
def test_the_abstain_step_reads_the_sentences_the_answer_quotes(small_engine, floor):
    """Which candidates are quoted is one rule (compose.quotable): the answer quotes them, and the
    abstain step judges exactly those; `quote_floor` decides how many of the best are near enough."""
    from retrieval.ask.abstain import quoted

    spec = dataclasses.replace(SPEC, quote_floor=floor)
    ctx = small_engine.context(HQ, spec=spec)
    pipeline.run(ctx, until="score")
    ranked = sorted(ctx.candidates, key=lambda c: -c.score)
    shown = quoted(ranked, spec.answer_threshold, spec.quote_floor, spec.max_quotes)
    pipeline.compose_answer(ctx)
    quotes = ctx.answer.quotes
    assert ctx.answer.answered and [(q.source.doc_id, q.score) for q in quotes] == \
        [(c.doc_id, round(float(c.score), 4)) for c in shown]
    assert all(q.start <= c.start and c.end <= q.end for q, c in zip(quotes, shown))
    ties = sum(c.score == ranked[0].score for c in ranked)
    assert len(quotes) == (spec.max_quotes if floor == 0.0 else min(ties, spec.max_quotes))
