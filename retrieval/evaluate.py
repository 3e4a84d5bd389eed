"""`planbot eval`: retrieval and answer quality on a question set, per mode, side by side.

Set format (../shared/README.md): questions.jsonl with id, question, lang, answers,
figure, and passage_id or source_contains (answerable: false marks a question the
corpus cannot answer); optional passages.jsonl with id, title, text, lang, indexed as
one document per passage into a cached temporary index.
"""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from pathlib import Path

from retrieval.errors import PlanbotError
from retrieval.text.script import script_of
from retrieval.types import Document

MODES = ("dense", "lexical", "hybrid")
SPLITS = ("tune", "report")
# Bump only to re-draw every split (and then refit: scripts/fit_scoring.py reads the same function).
SPLIT_SALT = "planbot-split-1"
_PARAGRAPH = re.compile(r"(?:-\d+|:\d+)$")


def split_key(q: dict) -> str:
    """What keeps a question on one side of the tune/report split: its source, never the question.

    A passage id loses its set/language prefix and paragraph number, so all paragraphs of one
    article (XQuAD "zh:xquad-00-03" and its English twin -> "xquad-00"; DRCD "dev:1147-6" ->
    "1147") and the same passage in ../shared/eval and ../shared/train ("dev:DEV_2",
    "cmrc-dev:DEV_2" -> "DEV_2") fall together. A corpus question keys on its source document
    or province (`source_contains`). An unanswerable question has no source; it keys on its id."""
    pid = q.get("passage_id") or ""
    if pid:
        return "passage:" + _PARAGRAPH.sub("", pid.split(":", 1)[-1])
    if q.get("source_contains"):
        return "source:" + q["source_contains"]
    return "question:" + str(q.get("id", q.get("question", "")))


def split_of(q: dict) -> str:
    """"tune" (weights, thresholds and rules may be chosen on it) or "report" (only counted)."""
    digest = hashlib.sha256(f"{SPLIT_SALT}\0{split_key(q)}".encode("utf-8")).digest()
    return SPLITS[digest[0] & 1]


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def passage_documents(path: Path, lang: str | None = None) -> list[Document]:
    """One document per passage; with `lang` ("en" or "zh"), only the passages in that language."""
    docs = []
    for row in load_jsonl(path):
        if lang and ("zh" if (row.get("lang") or "").startswith("zh") else "en") != lang:
            continue
        text = row["text"]
        docs.append(
            Document(
                doc_id=row["id"], text=text, title=row.get("title") or "", path=f"{path}#{row['id']}",
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                lang={"zh": "zh-Hans", "zh-Hant": "zh-Hant"}.get(row.get("lang", ""), row.get("lang") or "en"),
            )
        )
    return docs


def _built_by() -> str:
    """What decides a cached passage index's contents besides its passages and encoder: the text
    version (chunking, tagging) and the facts extractor's version. Without them in the key, an
    upgrade kept measuring on chunks and facts written by older code."""
    from retrieval.facts.store import extractor_version
    from retrieval.ingest import documents

    return f"text{documents.TEXT_VERSION}-facts{extractor_version()}"


def _passages_index(set_dir: Path, encoder, lang: str | None = None) -> Path:
    passages = set_dir / "passages.jsonl"
    key = hashlib.sha256(passages.read_bytes() + encoder.model_id.encode() + (lang or "").encode()
                         + _built_by().encode()).hexdigest()[:16]
    index_dir = Path(tempfile.gettempdir()) / "planbot-eval" / f"{set_dir.name}-{lang + '-' if lang else ''}{key}"
    if not (index_dir / "manifest.json").exists():
        from retrieval.ingest.run import ingest_documents

        docs = passage_documents(passages, lang)
        if not docs:
            raise PlanbotError(f"{passages} has no passages in language {lang!r}")
        ingest_documents(docs, index_dir, encoder)
    return index_dir


def _passages_store(set_dir: Path, encoder, lang: str | None, store: str) -> str:
    """The set's passages in a Milvus store (`store` names the backend, not the place): the
    passages index copied, vectors and all, beside it (milvus-lite) or under its own name (a server)."""
    from retrieval.store.milvus import current_generation, parse
    from retrieval.store.migrate import copy_index

    index_dir = _passages_index(set_dir, encoder, lang)
    uri, _ = parse(store)
    target = f"{index_dir}.db" if uri.endswith(".db") else f"{uri}#eval_{index_dir.name.replace('-', '_')}"
    if current_generation(target) is None:
        copy_index(index_dir, target)
    return target


def _parallel_gold(q: dict, lang: str | None) -> dict:
    """With the passages cut to one language, a question whose gold passage is its twin in
    the other language ("zh:xquad-00-00" -> "en:xquad-00-00") counts that twin as gold."""
    pid = q.get("passage_id") or ""
    if lang and ":" in pid and not pid.startswith(lang + ":"):
        return dict(q, passage_id=f"{lang}:{pid.split(':', 1)[1]}")
    return q


def _is_gold(q: dict, doc) -> bool:
    if q.get("passage_id"):
        return doc.doc_id == q["passage_id"]
    needle = q.get("source_contains") or ""
    return bool(needle) and (needle in (doc.path or "") or needle in (doc.title or ""))


def _doc_lang(doc) -> str:
    return "zh" if (doc.lang or "").startswith("zh") else "en"


def run_eval(
    set_dir: Path, index_dir: Path | None, modes: list[str], limit: int | None = None, engine=None,
    passages_lang: str | None = None, store: str | None = None, split: str = "both",
) -> dict:
    """`store`: None/"faiss" for the index directory, or a Milvus URI (a set with passages is then
    indexed into a Milvus store of that kind), so that both stores can be compared on one set.
    `split`: "tune" or "report" runs only that half (split_of), "both" runs all and reports
    each half beside the whole. `limit` takes the set's first N questions before the split, so
    that `--split tune --limit N` runs exactly the tune questions of a `--limit N` run of both."""
    from retrieval.engine import Engine
    from retrieval.store.backends import is_milvus

    if split not in (*SPLITS, "both"):
        raise PlanbotError(f"split must be tune, report or both, not {split!r}")
    questions = load_jsonl(set_dir / "questions.jsonl")[: limit or None]
    questions = [_parallel_gold(q, passages_lang) for q in questions if split == "both" or split_of(q) == split]
    if passages_lang and not (set_dir / "passages.jsonl").exists():
        raise PlanbotError(f"--passages-lang needs a set with passages.jsonl; {set_dir} has none")
    if engine is None:
        if (set_dir / "passages.jsonl").exists():
            from embeddings import load_encoder

            encoder = load_encoder()
            if is_milvus(store):
                engine = Engine(Path("."), encoder=encoder, store=_passages_store(set_dir, encoder, passages_lang, store))
            else:
                engine = Engine(_passages_index(set_dir, encoder, passages_lang), encoder=encoder)
        else:
            engine = Engine(index_dir, store=store)
    index = engine.index
    report: dict = {"set": set_dir.name + (f" ({passages_lang} passages only)" if passages_lang else ""),
                    "questions": len(questions), "index": str(index.dir), "split": split, "modes": {}}
    for mode in modes:
        rows = []
        t0 = time.perf_counter()
        for q in questions:
            answerable = q.get("answerable", True)
            try:
                ans, hits = engine.ask_with_hits(q["question"], k=10, mode=mode)
            except PlanbotError as exc:
                rows.append({"id": q["id"], "split": split_of(q), "error": str(exc), "answerable": answerable})
                continue
            ranked_docs = list(dict.fromkeys(h.chunk.doc_id for h in hits))[:10]
            gold_rank = next((i + 1 for i, d in enumerate(ranked_docs) if _is_gold(q, index.document(d))), None)
            answers = [a.strip() for a in q.get("answers", []) if a.strip()]
            # a declined answer's quotes are context (what the sources say instead), not an answer
            shown = ans.quotes if ans.answered else []
            quote_hit = any(a in qt.text for qt in shown for a in answers) if answers else False
            first_hit = bool(shown) and any(a in shown[0].text and _is_gold(q, index.document(shown[0].source.doc_id))
                                                 for a in answers)
            quote_hit_gold = any(a in qt.text and _is_gold(q, index.document(qt.source.doc_id)) for qt in shown for a in answers)
            top3_hit = any(a in qt.text and _is_gold(q, index.document(qt.source.doc_id)) for qt in shown[:3] for a in answers)
            gold_lang = None
            if q.get("passage_id"):
                try:
                    gold_lang = _doc_lang(index.document(q["passage_id"]))
                except KeyError:
                    gold_lang = None
            elif q.get("source_contains"):
                gold = next((d for d in index.documents() if _is_gold(q, d)), None)
                gold_lang = _doc_lang(gold) if gold else None
            q_lang = "zh" if q.get("lang", "").startswith("zh") else script_of(q["question"])
            rows.append({
                "id": q["id"], "split": split_of(q), "answerable": answerable, "gold_rank": gold_rank, "answered": ans.answered,
                "quote_hit": quote_hit, "quote_hit_gold": quote_hit_gold, "first_quote_hit": first_hit, "top3_hit": top3_hit,
                "cross": None if gold_lang is None else gold_lang != q_lang,
            })
        seconds = time.perf_counter() - t0
        report["modes"][mode] = {**slices(rows), "halves": {h: slices([r for r in rows if r["split"] == h]) for h in SPLITS},
                                 "seconds_per_question": round(seconds / max(1, len(rows)), 3), "rows": rows}
    return report


def slices(rows: list[dict]) -> dict:
    return {"all": summarise(rows), "same_language": summarise([r for r in rows if r.get("cross") is False]),
            "cross_language": summarise([r for r in rows if r.get("cross") is True])}


def summarise(rows: list[dict]) -> dict:
    ans = [r for r in rows if r.get("answerable", True) and "error" not in r]
    unans = [r for r in rows if not r.get("answerable", True)]

    def recall(k: int) -> float:
        return round(sum(1 for r in ans if r["gold_rank"] and r["gold_rank"] <= k) / len(ans), 3) if ans else 0.0

    out = {
        "n": len(ans),
        "recall@1": recall(1), "recall@5": recall(5), "recall@10": recall(10),
        "mrr": round(sum(1 / r["gold_rank"] for r in ans if r["gold_rank"]) / len(ans), 3) if ans else 0.0,
        "quote_hit": round(sum(r["quote_hit"] for r in ans) / len(ans), 3) if ans else 0.0,
        "quote_hit_gold": round(sum(r["quote_hit_gold"] for r in ans) / len(ans), 3) if ans else 0.0,
        "first_quote_hit": round(sum(r["first_quote_hit"] for r in ans) / len(ans), 3) if ans else 0.0,
        "top3_hit": round(sum(r.get("top3_hit", r["quote_hit_gold"]) for r in ans) / len(ans), 3) if ans else 0.0,
        "answered": round(sum(r["answered"] for r in ans) / len(ans), 3) if ans else 0.0,
        "errors": sum(1 for r in rows if "error" in r),
    }
    if unans:
        out["unanswerable"] = len(unans)
        out["declined"] = round(sum(1 for r in unans if not r.get("answered", True)) / len(unans), 3)
    return out


HALF_COLUMNS = ("n", "quote_hit", "first_quote_hit", "top3_hit", "answered", "declined")


def format_report(report: dict) -> str:
    lines = [f"{report['set']}: {report['questions']} questions (index {report['index']})", ""]
    cols = ["n", "recall@1", "recall@5", "recall@10", "mrr", "quote_hit", "quote_hit_gold", "first_quote_hit", "top3_hit",
            "answered", "declined"]
    lines.append(f"{'mode':8} {'slice':15} " + " ".join(f"{c:>15}" for c in cols))
    for mode, data in report["modes"].items():
        for slice_name in ("all", "same_language", "cross_language"):
            s = data[slice_name]
            if not s.get("n") and not s.get("unanswerable"):
                continue
            lines.append(f"{mode:8} {slice_name:15} " + " ".join(f"{s.get(c, ''):>15}" for c in cols))
        lines.append(f"{'':8} {'s/question':15} {data['seconds_per_question']:>15}")
    lines += ["", "tune | report halves (retrieval/evaluate.py: split_of; fitted on tune only)",
              f"{'mode':8} {'slice':15} " + " ".join(f"{c:>17}" for c in HALF_COLUMNS)]
    for mode, data in report["modes"].items():
        for slice_name in ("all", "same_language", "cross_language"):
            halves = [data["halves"][h][slice_name] for h in SPLITS]
            if not any(h.get("n") or h.get("unanswerable") for h in halves):
                continue
            cells = []
            for c in HALF_COLUMNS:
                t, r = (_cell(h, c) for h in halves)
                cells.append(f"{t + ' | ' + r:>17}")
            lines.append(f"{mode:8} {slice_name:15} " + " ".join(cells))
    return "\n".join(lines)


def _cell(summary: dict, column: str) -> str:
    if column == "declined":
        n = summary.get("unanswerable", 0)
        return f"{round(summary['declined'] * n)}/{n}" if n else "-"
    value = summary.get(column, "")
    return "-" if value == "" or (column != "n" and not summary.get("n")) else str(value)
