"""planbot against two baselines on the same documents and questions, in one run:

  planbot     Engine.ask_with_hits (hybrid retrieval, answer composition included)
  langchain   a minimal LangChain pipeline: RecursiveCharacterTextSplitter() with its defaults
              (chunk_size=4000, chunk_overlap=200), langchain_community FAISS.from_documents
              (its defaults: IndexFlatL2) and the same USE v3 encoder wrapped as LangChain
              Embeddings; similarity_search(question, k=5)
  llamaindex  LlamaIndex's default vector index: VectorStoreIndex.from_documents with its defaults
              (SentenceSplitter, 1024 tokens, 200 overlap; the in-memory SimpleVectorStore) and the
              same USE v3 encoder wrapped as a LlamaIndex BaseEmbedding; as_retriever(similarity_top_k=5)
  rank-bm25   rank_bm25.BM25Okapi alone over simple chunks (fixed 500-character windows,
              50 overlap) tokenised with jieba.lcut_for_search (lower-cased, punctuation dropped)

    .venv/bin/python bench/baselines.py                       # regional-plans-dev (15) + xquad (150 of 618)
    .venv/bin/python bench/baselines.py --xquad-limit 618 --passes 2

Sets: regional-plans-dev over the corpus documents exactly as the planbot index /tmp/idx1 holds
them (cleaned text, title, doc id, read from its SQLite, so every system sees the same text);
xquad-crosslingual-dev over its 480 passages (planbot: the cached eval index `planbot eval`
builds, one document per passage), its 618 English questions subsampled to --xquad-limit
(seeded, default 150).

Quality is reported on each set's report half (`report_half`: retrieval/evaluate.py's `split_of`,
the split `planbot eval` reports on, by source document or passage; nothing here is tuned, the
split keeps these figures comparable with figures on tuned code);
latency is over all questions.
Metrics over answerable questions, the same for every system, from its top 5 chunks:
  recall@5    a top-5 chunk belongs to the gold document (passage_id, or source_contains in the
              document's path or title)
  answer@5    a top-5 chunk's text contains a gold answer string (stripped)
planbot also gets `quote hit`: its answer's quotes contain a gold answer (what the user sees).
Latency: p50 / p95 per question (planbot: the whole ask, answer included; baselines: retrieval
only, query embedding included), pooled over --passes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEFAULT_INDEX, EVAL, fmt_s, live_generation, load_questions, machine, machine_line, ms, new_run_id, summary, update_doc,
)

import numpy as np  # noqa: E402

CACHE = Path("/tmp/planbot-bench")
_PUNCT = re.compile(r"^[\W_]+$")


# -- documents -----------------------------------------------------------------------------------
def corpus_docs(index_dir: Path) -> list[dict]:
    db = sqlite3.connect(f"file:{live_generation(index_dir) / 'chunks.sqlite'}?mode=ro", uri=True)
    rows = db.execute("SELECT doc_id, path, title, text FROM documents ORDER BY doc_id").fetchall()
    db.close()
    return [{"doc_id": d, "path": p or "", "title": t or "", "text": x} for d, p, t, x in rows]


def passage_docs(set_dir: Path) -> list[dict]:
    out = []
    for line in (set_dir / "passages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append({"doc_id": r["id"], "path": f"{set_dir / 'passages.jsonl'}#{r['id']}", "title": r.get("title") or "", "text": r["text"]})
    return out


def is_gold(q: dict, doc: dict) -> bool:
    if q.get("passage_id"):
        return doc["doc_id"] == q["passage_id"]
    needle = q.get("source_contains") or ""
    return bool(needle) and (needle in doc["path"] or needle in doc["title"])


def answers_of(q: dict) -> list[str]:
    return [a.strip() for a in q.get("answers", []) if a.strip()]


# -- baselines -----------------------------------------------------------------------------------
class LangChainBaseline:
    name = "langchain FAISS"

    def __init__(self, docs: list[dict], encoder, tag: str, build_encoder=None):
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        class PlanbotEmbeddings(Embeddings):
            def __init__(self, enc):
                self.enc = enc

            def embed_documents(self, texts):
                return self.enc.encode(texts, kind="passage").tolist()

            def embed_query(self, text):
                return self.enc.encode([text], kind="query")[0].tolist()


        self.embeddings = PlanbotEmbeddings(encoder)
        build_embeddings = PlanbotEmbeddings(build_encoder or encoder)
        splitter = RecursiveCharacterTextSplitter()
        lc_docs = [LCDocument(page_content=d["text"], metadata={"doc_id": d["doc_id"]}) for d in docs]
        key = hashlib.sha1(("".join(d["doc_id"] + d["text"] for d in docs) + encoder.model_id).encode()).hexdigest()[:12]
        path = CACHE / f"langchain-{tag}-{key}"
        self.build_s = None
        if (path / "index.faiss").exists():
            self.store = FAISS.load_local(str(path), self.embeddings, allow_dangerous_deserialization=True)
            self.n_chunks = self.store.index.ntotal
        else:
            t = time.perf_counter()
            chunks = splitter.split_documents(lc_docs)
            self.store = FAISS.from_documents(chunks, build_embeddings)
            self.store.embedding_function = self.embeddings  # queries go through the shared encoder
            self.build_s = time.perf_counter() - t
            self.n_chunks = len(chunks)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.store.save_local(str(path))

    def search(self, question: str, k: int = 5) -> list[tuple[str, str]]:
        return [(d.metadata["doc_id"], d.page_content) for d in self.store.similarity_search(question, k=k)]


class LlamaIndexBaseline:
    name = "llamaindex"

    def __init__(self, docs: list[dict], encoder, tag: str, build_encoder=None):
        from llama_index.core import Document as LIDocument
        from llama_index.core import StorageContext, VectorStoreIndex, load_index_from_storage
        from llama_index.core.embeddings import BaseEmbedding
        from pydantic import PrivateAttr

        class PlanbotEmbedding(BaseEmbedding):
            _enc = PrivateAttr()

            def __init__(self, enc, **kw):
                super().__init__(model_name=enc.model_id, **kw)
                self._enc = enc

            def _get_query_embedding(self, query):
                return self._enc.encode([query], kind="query")[0].tolist()

            async def _aget_query_embedding(self, query):
                return self._get_query_embedding(query)

            def _get_text_embedding(self, text):
                return self._enc.encode([text], kind="passage")[0].tolist()

            def _get_text_embeddings(self, texts):
                return self._enc.encode(texts, kind="passage").tolist()

        key = hashlib.sha1(("".join(d["doc_id"] + d["text"] for d in docs) + encoder.model_id).encode()).hexdigest()[:12]
        path = CACHE / f"llamaindex-{tag}-{key}"
        self.embed = PlanbotEmbedding(encoder)
        self.build_s = None
        if (path / "docstore.json").exists():
            index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(path)), embed_model=self.embed)
        else:
            # the document id goes in metadata but not into the embedded text (LlamaIndex adds
            # metadata to what it embeds unless told not to)
            li_docs = [LIDocument(text=d["text"], metadata={"doc_id": d["doc_id"]}, excluded_embed_metadata_keys=["doc_id"],
                                  excluded_llm_metadata_keys=["doc_id"]) for d in docs]
            t = time.perf_counter()
            index = VectorStoreIndex.from_documents(li_docs, embed_model=PlanbotEmbedding(build_encoder or encoder))
            self.build_s = time.perf_counter() - t
            index.storage_context.persist(persist_dir=str(path))
        self.n_chunks = len(index.docstore.docs)
        self.retriever = index.as_retriever(similarity_top_k=5, embed_model=self.embed)

    def search(self, question: str, k: int = 5) -> list[tuple[str, str]]:
        from llama_index.core.schema import MetadataMode

        hits = self.retriever.retrieve(question)[:k]
        return [(h.node.metadata["doc_id"], h.node.get_content(metadata_mode=MetadataMode.NONE)) for h in hits]


def report_half(q: dict) -> bool:
    """The report half of a question set: the project's own split (retrieval/evaluate.py
    `split_of`: by source document or passage, so that a tuned rule never saw the same source),
    the half `planbot eval` reports."""
    from retrieval.evaluate import split_of

    return split_of(q) == "report"


def jieba_tokens(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.lcut_for_search(text.lower()) if t.strip() and not _PUNCT.match(t)]


class BM25Baseline:
    name = "rank-bm25"

    def __init__(self, docs: list[dict], size: int = 500, overlap: int = 50):
        from rank_bm25 import BM25Okapi

        t = time.perf_counter()
        self.chunks: list[tuple[str, str]] = []
        for d in docs:
            text = d["text"]
            for s in range(0, max(1, len(text)), size - overlap):
                piece = text[s:s + size]
                if piece.strip():
                    self.chunks.append((d["doc_id"], piece))
                if s + size >= len(text):
                    break
        self.bm25 = BM25Okapi([jieba_tokens(c) for _, c in self.chunks])
        self.build_s = time.perf_counter() - t
        self.n_chunks = len(self.chunks)

    def search(self, question: str, k: int = 5) -> list[tuple[str, str]]:
        scores = self.bm25.get_scores(jieba_tokens(question))
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.chunks[i] for i in top]


# -- evaluation ----------------------------------------------------------------------------------
def evaluate(system: str, questions: list[dict], docs_by_id: dict, run, passes: int) -> dict:
    rows, lat = [], []
    for p in range(passes):
        for q in questions:
            t = time.perf_counter()
            top, quotes = run(q["question"])
            lat.append(time.perf_counter() - t)
            if p or not report_half(q):
                continue
            if not q.get("answerable", True):
                continue
            ans = answers_of(q)
            rows.append({
                "recall5": any(is_gold(q, docs_by_id[d]) for d, _ in top[:5]),
                "answer5": any(a in text for _, text in top[:5] for a in ans),
                "quote": None if quotes is None else any(a in qt for qt in quotes for a in ans),
            })
    s = summary(lat[1:] if len(lat) > 1 else lat)  # the very first call pays one-off costs
    out = {"system": system, "n": len(rows), "recall@5": float(np.mean([r["recall5"] for r in rows])),
           "answer@5": float(np.mean([r["answer5"] for r in rows])), "p50": s["p50"], "p95": s["p95"]}
    quotes = [r["quote"] for r in rows if r["quote"] is not None]
    out["quote_hit"] = float(np.mean(quotes)) if quotes else None
    return out


def planbot_runner(engine):
    from retrieval.errors import PlanbotError

    def run(question):
        try:
            ans, hits = engine.ask_with_hits(question, k=10)
        except PlanbotError:
            return [], []
        return [(h.chunk.doc_id, h.chunk.text) for h in hits[:5]], [qt.text for qt in ans.quotes]

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="planbot index of the corpus (default /tmp/idx1)")
    ap.add_argument("--xquad-limit", type=int, default=150, help="xquad questions, a seeded random sample (618 in all)")
    ap.add_argument("--regional-limit", type=int, default=None)
    ap.add_argument("--passes", type=int, default=1, help="passes over the questions for latency")
    ap.add_argument("--sets", default="regional-plans-dev,xquad-crosslingual-dev")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    m = machine()
    print(machine_line(m), flush=True)

    from embeddings import load_encoder
    from retrieval.engine import Engine

    enc = load_encoder()
    # the LangChain index is built (once, then cached) with a 1-thread USE: same model and
    # vectors, several times faster on a busy 2-core machine (bench/encoder_threads.py)
    from embeddings import USE_MODEL_ID

    enc1 = load_encoder(threads=1) if enc.model_id == USE_MODEL_ID else enc
    results = []
    notes = []
    for set_name in args.sets.split(","):
        set_dir = EVAL / set_name
        if set_name == "regional-plans-dev":
            docs = corpus_docs(args.index)
            engine = Engine(args.index, encoder=enc)
            questions = load_questions(set_name, args.regional_limit)
        else:
            from retrieval.evaluate import _passages_index

            docs = passage_docs(set_dir)
            engine = Engine(_passages_index(set_dir, enc), encoder=enc)
            questions = load_questions(set_name, args.xquad_limit, sample=True)
        docs_by_id = {d["doc_id"]: d for d in docs}
        print(f"\n== {set_name}: {len(questions)} questions, {len(docs)} documents ==", flush=True)
        t = time.perf_counter()
        lc = LangChainBaseline(docs, enc, set_name, build_encoder=enc1)
        lc_build = lc.build_s
        print(f"  langchain: {lc.n_chunks} chunks ({'built in ' + fmt_s(lc_build) + 's' if lc_build else 'cached index'})", flush=True)
        bm = BM25Baseline(docs)
        print(f"  rank-bm25: {bm.n_chunks} chunks, built in {fmt_s(bm.build_s)}s", flush=True)
        li = LlamaIndexBaseline(docs, enc, set_name, build_encoder=enc1)
        print(f"  llamaindex: {li.n_chunks} chunks ({'built in ' + fmt_s(li.build_s) + 's' if li.build_s else 'cached index'})", flush=True)
        systems = [
            (f"planbot hybrid ({len(engine.index):,} chunks)", planbot_runner(engine)),
            (f"LangChain FAISS, default splitter ({lc.n_chunks:,} chunks)", lambda q: (lc.search(q), None)),
            (f"LlamaIndex VectorStoreIndex, defaults ({li.n_chunks:,} chunks)", lambda q: (li.search(q), None)),
            (f"rank-bm25, 500-char chunks ({bm.n_chunks:,} chunks)", lambda q: (bm.search(q), None)),
        ]
        for name, run in systems:
            r = evaluate(name, questions, docs_by_id, run, args.passes)
            r["set"] = set_name
            r["questions"] = len(questions)
            r["report_n"] = sum(1 for q in questions if report_half(q))
            results.append(r)
            print(f"  {name:48} recall@5 {r['recall@5']:.3f}  answer@5 {r['answer@5']:.3f}  "
                  + (f"quote hit {r['quote_hit']:.3f}  " if r["quote_hit"] is not None else "")
                  + f"p50 {ms(r['p50'])} ms  p95 {ms(r['p95'])} ms  (n={r['n']})", flush=True)
        if lc_build:
            notes.append(f"{set_name}: LangChain split + embed + FAISS build took {fmt_s(lc_build)} s for {lc.n_chunks} chunks.")
        if li.build_s:
            notes.append(f"{set_name}: LlamaIndex split + embed + index build took {fmt_s(li.build_s)} s for {li.n_chunks} chunks.")
        engine.index.close()
    if args.no_doc:
        return
    rows = [[r["set"], r["system"], f"{r['n']} of {r['report_n']} (of {r['questions']})", f"{r['recall@5']:.3f}", f"{r['answer@5']:.3f}",
             "–" if r["quote_hit"] is None else f"{r['quote_hit']:.3f}", ms(r["p50"]), ms(r["p95"])] for r in results]
    update_doc(
        "baselines", "planbot vs baselines (bench/baselines.py)",
        "Same documents, same questions, one process, same USE v3 encoder. Quality on each set's report half (the "
        "project's split, retrieval/evaluate.py `split_of`, as `planbot eval` reports; `answerable n` = answerable questions in it, of the half, of the set); latency over all "
        "questions. recall@5: a top-5 chunk is from the gold "
        "document; answer@5: a top-5 chunk contains a gold answer string; quote hit: planbot's quoted sentences contain one. "
        f"xquad-crosslingual-dev: a seeded sample of {args.xquad_limit} of its 618 questions. Latency (ms per question) "
        "for planbot is the whole `ask_with_hits` (answer composition included); for the baselines retrieval only. "
        "LangChain: `RecursiveCharacterTextSplitter()` defaults (4000 chars, 200 overlap), `FAISS.from_documents`; "
        "LlamaIndex: `VectorStoreIndex.from_documents` defaults (SentenceSplitter 1024 tokens, 200 overlap; "
        "SimpleVectorStore), `as_retriever(similarity_top_k=5)`; "
        "rank-bm25: `BM25Okapi` over 500-character windows (50 overlap), jieba search-mode tokens.",
        ["set", "system", "answerable n (report half)", "recall@5", "answer@5", "quote hit", "p50 ms", "p95 ms"],
        rows, key_cols=2, machine_info=m, run_id=new_run_id(), notes="\n".join(f"- {n}" for n in notes),
    )


if __name__ == "__main__":
    main()
