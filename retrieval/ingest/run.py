"""Files on disk → the index directory, doing only the work that changed."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from retrieval.text.chunking import chunk_spans, split_sentences, units
from retrieval.errors import NothingToIngest
from retrieval.ingest.ahead import AheadQueue
from retrieval.ingest.documents import SUPPORTED, Skipped, Unreadable, discover, file_hash, load_file, read_regular
from retrieval.facts import extract_facts
from retrieval.facts.profile import profile
from retrieval.knowledge.figures import extract_figures
from retrieval.store.index import Writer, write_lock
from retrieval.text.lang import detect_lang
from retrieval.text.tokens import tokenize
from retrieval.types import Chunk, Document

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IngestReport:
    index: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks_embedded: int = 0
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    model: str = ""
    committed: bool = False
    warnings: list[str] = field(default_factory=list)  # e.g. a folder without a supported file


def chunk_document(doc: Document, gazetteer=None) -> list[Chunk]:
    """Chunks with their own language and regions; sets the document's languages from them.

    A chunk's regions are found with the document's regions as context, so a chunk that
    names only 乐清 in a document about Wenzhou is tagged with 乐清."""
    chunks = []
    context = [*([doc.main_region] if doc.main_region else []), *doc.regions]
    if doc.main_region and gazetteer is not None:
        context += gazetteer.ancestors(doc.main_region)
    for seq, (s, e) in enumerate(chunk_spans(doc.text)):
        text = doc.text[s:e]
        regions: list[str] = []
        if gazetteer is not None:
            regions = list(dict.fromkeys(rid for rid, _, _ in gazetteer.find_in_text(text, context=context)))
        if doc.main_region and doc.main_region not in regions:
            regions.append(doc.main_region)
        chunks.append(Chunk(doc.doc_id, seq, s, e, text, regions, detect_lang(text)))
    doc.langs = document_languages(chunks)
    if doc.langs:
        doc.lang = doc.langs[0]
    return chunks


def document_languages(chunks: Sequence[Chunk], floor: float = 0.1) -> list[str]:
    """Languages of a document's chunks, most text first; one with under `floor` of the text
    (a quoted phrase) is not listed."""
    size: dict[str, float] = {}
    for c in chunks:
        size[c.lang] = size.get(c.lang, 0.0) + units(c.text)
    total = sum(size.values()) or 1.0
    return [lang for lang, n in sorted(size.items(), key=lambda kv: -kv[1]) if n >= floor * total]


def _embed_text(doc: Document, chunk: Chunk) -> str:
    # The title travels with every chunk into the embedding: a chunk of a work report
    # often never names its province, the title does.
    return f"{doc.title}\n{chunk.text}" if doc.title else chunk.text


def _tag(doc: Document, gazetteer) -> None:
    if gazetteer is None:
        return
    main, mentioned = gazetteer.tag(doc.title, doc.text)
    if profile(doc.title, doc.date, doc.path).kind == "national_report":
        main = None  # about the whole country, whichever province it names (1979's one mention of Taiwan)
    doc.main_region = main
    doc.regions = list(mentioned)


def _load_gazetteer():
    from retrieval.knowledge.regions import load_gazetteer

    return load_gazetteer()


def ingest(
    paths: Sequence[str | Path],
    index_dir: str | Path,
    model: str | None = None,
    encoder=None,
    rebuild: bool = False,
    prune: bool = False,
    index_type: str | None = None,
    progress: Progress | None = None,
    batch_size: int = 64,
    store: str | None = None,
) -> IngestReport:
    """Index `paths` into `index_dir` (or the Milvus store `store`); unchanged files are not even read.

    An ingest that reads nothing never replaces an index: when no path can be read,
    or `rebuild` would publish an index without a single document, it raises
    `NothingToIngest` and the index stays as it was; folders without a supported file
    leave it untouched and say so in `report.warnings`.
    """
    from retrieval.store import backends  # the store backend seam (faiss or Milvus)

    t0 = time.perf_counter()
    index_dir = Path(index_dir).expanduser()
    progress = progress or (lambda stage, done, total: None)
    files, skipped = discover(paths)
    report = IngestReport(index=store if backends.is_milvus(store) else str(index_dir), skipped=list(skipped))
    if not files:
        _nothing_found(paths, skipped, index_dir, report)
        report.seconds = round(time.perf_counter() - t0, 2)
        return report
    with backends.write_lock(index_dir, store):
        if encoder is None:
            from embeddings import lazy_encoder, resolve_model_id

            known_dim = None if rebuild else backends.known_dim(index_dir, store, resolve_model_id(model))
            encoder = lazy_encoder(model, known_dim)
        report.model = encoder.model_id
        writer = backends.open_writer(index_dir, store, encoder.model_id, encoder.dim, rebuild=rebuild, index_type=index_type)
        try:
            # each changed document's BM25 tokens and figure facts, computed by a worker from the
            # moment it is read (ingest/ahead.py); leaving the block stops the worker
            with AheadQueue(_text_work, min_size=AHEAD_MIN_CHUNKS) as text_work:
                gazetteer = _load_gazetteer()
                known = writer.known_files()
                pending: list[tuple[Document, str, list[Chunk]]] = []
                seen_files: set[str] = set()
                for i, path in enumerate(files):
                    progress("reading", i, len(files))
                    key = str(path.resolve())
                    seen_files.add(key)
                    try:
                        data = read_regular(path)
                    except Unreadable as e:  # became unreadable since discovery
                        report.skipped.append(Skipped(str(path), str(e)))
                        continue
                    fhash = file_hash(data)
                    if known.get(key) == fhash:
                        report.unchanged += len(writer.doc_hashes(key))
                        continue
                    docs, bad = load_file(path, data)
                    report.skipped.extend(bad)
                    if not docs and bad:
                        continue  # a file that became unreadable keeps its old documents
                    old = writer.doc_hashes(key)
                    for doc in docs:
                        if old.get(doc.doc_id) == doc.content_hash:
                            report.unchanged += 1
                            continue
                        _tag(doc, gazetteer)
                        pending.append((doc, fhash, chunk_document(doc, gazetteer)))
                        text_work.add(doc, pending[-1][2], size=len(pending[-1][2]))
                        if doc.doc_id in old:
                            report.updated += 1
                        else:
                            report.added += 1
                    new_ids = {d.doc_id for d in docs}
                    for doc_id in old:
                        if doc_id not in new_ids:
                            writer.remove_document(doc_id)
                            report.removed += 1
                    writer.touch_file_hash(key, fhash)
                progress("reading", len(files), len(files))
                if not pending and not report.unchanged and (rebuild or writer.base is None):
                    # every file was refused: publishing now would replace the index by an empty one
                    raise NothingToIngest(
                        f"none of the {len(files)} file(s) found could be read, so nothing was indexed and "
                        f"{_kept(index_dir)}", report.skipped)
                if prune:
                    for key in known:
                        if key not in seen_files and not Path(key).exists():
                            report.removed += writer.remove_file(key)

                text_work.finish()  # before the encoder starts (ingest/ahead.py)
                report.chunks_embedded = embed_pending(writer, pending, encoder, progress, batch_size,
                                                       text_work=text_work.results())
            for doc in (writer.documents_without_facts() if hasattr(writer, "set_facts") else []):
                # indexed before facts existed (or by an older extractor): read them from the stored text
                writer.set_facts(doc.doc_id, extract_facts(doc))
            finish(writer, report, progress, index_dir, store)
        except BaseException:
            writer.abort()
            raise
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def finish(writer, report: IngestReport, progress: Progress, index_dir: Path, store: str | None) -> None:
    """Commit what the writer staged (or drop an unchanged run) and put the counts in `report`;
    the one commit step of the plain and the Ray ingest."""
    from retrieval.store import backends

    if writer.changed:
        progress("writing", 0, 1)
        manifest = writer.commit()
        report.committed = True
        progress("writing", 1, 1)
    else:
        writer.abort()
        manifest = backends.counts(index_dir, store)
    report.documents, report.chunks = manifest["documents"], manifest["chunks"]


def _kept(index_dir: Path) -> str:
    from retrieval.store.index import MANIFEST

    if (index_dir / MANIFEST).exists():
        return f"the index at {index_dir} was left as it was"
    return f"no index was created at {index_dir}"


def _nothing_found(paths: Sequence[str | Path], skipped: list[Skipped], index_dir: Path, report: IngestReport) -> None:
    """No supported file under `paths`: an error when no path could be read at all, else a warning."""
    bad = {s.path for s in skipped}
    folders = [str(p) for p in paths if str(Path(p).expanduser()) not in bad and Path(p).expanduser().is_dir()]
    if not folders:
        named = "; ".join(f"{s.path}: {s.reason}" for s in skipped) or "no paths given"
        raise NothingToIngest(f"nothing to ingest ({named}); {_kept(index_dir)}", skipped)
    report.warnings.append(
        f"no supported files ({', '.join(sorted(SUPPORTED))}) in {', '.join(folders)}; {_kept(index_dir)}")
    if (index_dir / "manifest.json").exists():
        from retrieval.store.index import read_manifest

        manifest = read_manifest(index_dir)
        report.documents, report.chunks = manifest["documents"], manifest["chunks"]


# Below this many chunks a second process costs more than it saves (a fork of a loaded process).
AHEAD_MIN_CHUNKS = 256


def count_figures(text: str) -> int:
    """Figures in a text (the Ray ingest's count; the local ingest counts its facts)."""
    return sum(len(extract_figures(text[s:e])) for s, e in split_sentences(text))


def _text_work(doc: Document, chunks: list[Chunk]) -> tuple[list[list[str]], list]:
    """A document's BM25 tokens per chunk and its figure facts: pure functions of its text."""
    return [tokenize(f"{doc.title} {c.text}") for c in chunks], extract_facts(doc)


def embed_pending(writer: Writer, pending: list[tuple[Document, str, list[Chunk]]], encoder, progress: Progress,
                  batch_size: int = 64, text_work: Iterator | None = None) -> int:
    """Embed and tokenise the chunks of changed documents and stage them in the writer. The text
    work runs in a second process when there is enough of it (ingest/ahead.py); `text_work`: its
    results for `pending`, in order, when the caller already has them coming (the plain ingest
    queues each document's as it reads it)."""
    if text_work is not None:
        return _stage(writer, pending, encoder, progress, batch_size, text_work)
    # every document is at hand: all the jobs go in at once; a single one would only be waited for
    # in a worker, so it is done here
    min_size = AHEAD_MIN_CHUNKS if len(pending) > 1 else sys.maxsize
    with AheadQueue(_text_work, min_size=min_size) as queue:
        for doc, _, chunks in pending:
            queue.add(doc, chunks, size=len(chunks))
        queue.finish()  # before the encoder starts (ingest/ahead.py)
        return _stage(writer, pending, encoder, progress, batch_size, queue.results())


def _stage(writer: Writer, pending: list[tuple[Document, str, list[Chunk]]], encoder, progress: Progress,
           batch_size: int, text_work: Iterator) -> int:
    total = sum(len(c) for _, _, c in pending)
    done = 0
    progress("embedding", 0, total)
    for (doc, fhash, chunks), (tokens, facts) in zip(pending, text_work):
        texts = [_embed_text(doc, c) for c in chunks]
        vectors = encoder.encode(texts, kind="passage", batch_size=batch_size) if texts else []
        if hasattr(writer, "set_facts"):
            writer.add_document(doc, fhash, chunks, tokens, vectors, n_figures=len(facts), facts=facts)
        else:  # the Milvus store keeps no figure facts (yet): figures and digests are local-index features
            writer.add_document(doc, fhash, chunks, tokens, vectors, n_figures=len(facts))
        done += len(chunks)
        progress("embedding", done, total)
    return total


def ingest_documents(docs: Sequence[Document], index_dir: str | Path, encoder, rebuild: bool = True, progress: Progress | None = None) -> dict:
    """Index ready-made documents (e.g. an eval set's passages) and commit; returns the manifest."""
    progress = progress or (lambda stage, done, total: None)
    index_dir = Path(index_dir).expanduser()
    with write_lock(index_dir):
        writer = Writer(index_dir, encoder.model_id, encoder.dim, rebuild=rebuild)
        try:
            gazetteer = _load_gazetteer()
            pending = []
            for doc in docs:
                _tag(doc, gazetteer)
                pending.append((doc, doc.content_hash, chunk_document(doc, gazetteer)))
            embed_pending(writer, pending, encoder, progress)
            return writer.commit()
        except BaseException:
            writer.abort()
            raise
