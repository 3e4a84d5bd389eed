"""Milvus's built-in BM25 function against planbot's own BM25 (its tokenizer, bm25s scores; the
FAISS store's lexical side, which the Milvus store's sparse vectors reproduce to 1e-4).

    .venv/bin/python bench/bm25_compare.py --index INDEX ../shared/eval/regional-plans-dev tests/data/provincial-crosslingual

Every chunk of INDEX (its title + text, as planbot tokenises it) goes into a milvus-lite
collection whose sparse field is filled by Milvus's BM25 function (k1 1.2, b 0.75, as bm25s
here), once per analyzer (`standard`, `jieba`). Each question of each set is then searched
as raw text (Milvus) and as planbot's plain query tokens at weight 1 (no vocabulary
expansions or translations: those are the pipeline's, not BM25's). Reported per set and
analyzer: agreement (mean overlap of the two top-10 chunk lists), and for both rankings the
gold document's recall@10 and MRR (the eval set's `source_contains`, as `planbot eval` counts
it), over the answerable questions, all and same-language only (lexical search cannot cross
languages by itself).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

import numpy as np  # noqa: E402

ANALYZERS = {"standard": {"tokenizer": "standard"}, "jieba": {"tokenizer": "jieba"}}
MAX_TEXT = 60_000  # VARCHAR bytes limit is 65,535: chunks are far below it


def load_questions(set_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (set_dir / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in rows if q.get("answerable", True)]


def build_collection(mc, name: str, analyzer: dict, texts: list[str]) -> float:
    from pymilvus import DataType, Function, FunctionType

    schema = mc.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=analyzer)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = mc.prepare_index_params()
    params.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.2, "bm25_b": 0.75})
    mc.create_collection(name, schema=schema, index_params=params)
    t = time.perf_counter()
    for s in range(0, len(texts), 500):
        mc.insert(name, [{"id": i, "text": texts[i][:MAX_TEXT]} for i in range(s, min(len(texts), s + 500))])
    mc.flush(name)
    mc.load_collection(name)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default="/tmp/planbot-bench/bm25_compare.json")
    args = ap.parse_args()

    import pymilvus
    import milvus_lite
    from pymilvus import MilvusClient

    from retrieval.ask.search import query_tokens, top_positive
    from retrieval.evaluate import _is_gold
    from retrieval.store.index import Index
    from retrieval.text.script import script_of

    m0 = machine()
    index = Index.open(Path(args.index))
    rows = index.db.execute("SELECT c.id, c.doc_id, c.text, d.title FROM chunks c JOIN documents d ON d.doc_id = c.doc_id").fetchall()
    pos_of = {int(cid): p for p, cid in enumerate(index.table.ids)}
    texts = [""] * len(pos_of)
    doc_at = [""] * len(pos_of)
    for cid, doc_id, text, title in rows:
        if int(cid) in pos_of:
            p = pos_of[int(cid)]
            texts[p], doc_at[p] = f"{title} {text}", doc_id
    docs = {d.doc_id: d for d in index.documents()}
    sets = {Path(s).name: load_questions(Path(s)) for s in args.sets}
    work = Path(tempfile.mkdtemp(prefix="bm25cmp-"))
    mc = MilvusClient(str(work / "bm25.db"))
    result = {"milvus_lite": milvus_lite.__version__, "pymilvus": pymilvus.__version__, "chunks": len(texts),
              "index": args.index, "load_before": m0["load1"], "analyzers": {}}
    for aname, analyzer in ANALYZERS.items():
        cname = f"bm25_{aname}"
        insert_s = build_collection(mc, cname, analyzer, texts)
        per_set = {}
        for sname, qs in sets.items():
            agree, stats = [], {"planbot": [], "milvus": []}
            same = []
            search_s = 0.0
            for q in qs:
                mine = top_positive(index.lexical.scores(query_tokens(q["question"])), 10)[0].tolist()
                t = time.perf_counter()
                res = mc.search(cname, data=[q["question"]], anns_field="sparse", limit=10,
                                search_params={"metric_type": "BM25"}, output_fields=["id"])
                search_s += time.perf_counter() - t
                theirs = [int(h["id"]) for h in res[0]]
                agree.append(len(set(mine) & set(theirs)) / 10)
                gold = next((d for d in docs.values() if _is_gold(q, d)), None)
                q_lang = "zh" if q.get("lang", "").startswith("zh") else script_of(q["question"])
                same.append(gold is not None and (("zh" if (gold.lang or "").startswith("zh") else "en") == q_lang))
                for who, ranked in (("planbot", mine), ("milvus", theirs)):
                    ranked_docs = list(dict.fromkeys(doc_at[p] for p in ranked))
                    rank = next((i + 1 for i, d in enumerate(ranked_docs) if _is_gold(q, docs[d])), None)
                    stats[who].append(rank)

            def summ(ranks: list, keep: list) -> dict:
                rs = [r for r, k in zip(ranks, keep) if k]
                return {"n": len(rs), "recall@10": round(sum(1 for r in rs if r) / max(1, len(rs)), 3),
                        "mrr": round(sum(1 / r for r in rs if r) / max(1, len(rs)), 3)}

            every = [True] * len(qs)
            per_set[sname] = {
                "questions": len(qs),
                "agreement@10": round(float(np.mean(agree)), 3),
                "agreement@10_same_language": round(float(np.mean([a for a, s in zip(agree, same) if s] or [0])), 3),
                **{f"{who}_all": summ(stats[who], every) for who in stats},
                **{f"{who}_same_language": summ(stats[who], same) for who in stats},
                "milvus_search_ms_mean": round(1000 * search_s / max(1, len(qs)), 1),
            }
        result["analyzers"][aname] = {"insert_s": round(insert_s, 1), "sets": per_set}
        print(json.dumps({aname: result["analyzers"][aname]}, ensure_ascii=False), flush=True)
        mc.drop_collection(cname)
    result["load_after"] = machine()["load1"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
