"""The FAISS backend of the vector store: flat (exact), IVF-SQ8 and HNSW, one file `vectors.faiss`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from retrieval.errors import BadInput
from retrieval.store.vectors import VectorStore

INDEX_TYPES = ("flat", "ivf-sq8", "hnsw")
TRAIN_PER_LIST = 64  # k-means points per inverted list (faiss wants >= 39)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 1024


def _faiss():
    import faiss  # lazy: `planbot --help`, `stats` and region commands never load it

    return faiss


_single_threaded = False


def _one_thread() -> None:
    """One query at a time: OpenMP start-up costs more than it saves (flat search over 11k
    vectors: p50 0.7 ms on 1 thread vs 52 ms on 2, docs/BENCHMARKS.md)."""
    global _single_threaded
    if not _single_threaded:
        _faiss().omp_set_num_threads(1)
        _single_threaded = True


def nlist_for(n: int) -> int:
    """Inverted lists for n vectors: ~4·sqrt(n) as a power of two, at least 64, and never
    more than k-means can train from n points."""
    nl = int(max(64, 2 ** round(np.log2(4 * np.sqrt(max(n, 1))))))
    while nl > 64 and n < nl * 39:
        nl //= 2
    return nl


def nprobe_for(nlist: int) -> int:
    # nlist/8 lists: recall@10 0.967, p95 34 ms at 1M (nlist 4096, nprobe 512). Small indexes
    # (an explicit --index-type) probe at least 64 lists: at 10k, 64 of 256 gave 0.949.
    return min(nlist, max(64, nlist // 8))


ADD_BLOCK = 1 << 16  # vectors handed to FAISS per add() (128 MB at 512 dims)


class ArrayRows:
    """An array as the row source `build_faiss` reads (another source computes rows on demand:
    retrieval/store/index.py's next generation, so no second n × dim copy is ever made)."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1] if self.vectors.ndim == 2 else 0

    def __len__(self) -> int:
        return len(self.vectors)

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.vectors[rows]

    def rows(self, lo: int, hi: int) -> np.ndarray:
        return self.vectors[lo:hi]


def build_faiss(vectors, index_type: str, previous=None):
    """A raw FAISS index over `vectors` (L2-normalised, inner product): an array, or a row
    source with `dim`, `len`, `rows(lo, hi)` and `take(rows)`, read a block at a time.

    `previous` (the last generation's index) lends its trained IVF lists when their number
    still fits, so an incremental ingest at scale adds vectors instead of re-running k-means.
    """
    faiss = _faiss()
    src = vectors if hasattr(vectors, "rows") else ArrayRows(vectors)
    n, dim = len(src), src.dim
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif index_type == "ivf-sq8":
        nlist = nlist_for(n)
        old = _ivf_of(previous)
        if old is not None and old.nlist == nlist and old.d == dim:
            index = faiss.clone_index(previous)
            index.reset()
        else:
            index = _train_ivf_sq8(src, nlist)
        faiss.extract_index_ivf(index).nprobe = nprobe_for(nlist)
    else:
        raise BadInput(f"unknown index type {index_type!r} ({', '.join(INDEX_TYPES)}, auto)")
    if n and index_type == "hnsw":
        index.add(src.rows(0, n))  # one call: the graph is built in the order FAISS chooses for the batch
    else:  # flat and IVF: adding in blocks gives the same index (ids in order, each vector coded alone)
        for lo in range(0, n, ADD_BLOCK):
            index.add(np.ascontiguousarray(src.rows(lo, min(lo + ADD_BLOCK, n)), dtype=np.float32))
    if index_type == "ivf-sq8":
        # Positions -> stored codes, so the next ingest and masked searches over a few
        # documents can read vectors back (reconstruct) instead of re-embedding them.
        faiss.extract_index_ivf(index).make_direct_map()
    return index


def _ivf_of(index):
    if index is None:
        return None
    try:
        return _faiss().extract_index_ivf(index)
    except RuntimeError:
        return None


def _train_ivf_sq8(src, nlist: int):
    faiss = _faiss()
    n, dim = len(src), src.dim
    rng = np.random.default_rng(1)
    n_train = min(n, nlist * TRAIN_PER_LIST)
    train = np.ascontiguousarray(src.take(np.sort(rng.choice(n, n_train, replace=False))) if n_train < n else src.rows(0, n),
                                 dtype=np.float32)
    quantizer = faiss.IndexFlatIP(dim)
    clus = faiss.Clustering(dim, nlist)
    clus.niter = 10
    clus.max_points_per_centroid = TRAIN_PER_LIST
    clus.spherical = True  # unit vectors: centroids on the sphere suit inner product
    clus.train(train, quantizer)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()
    index.train(train)  # the lists are trained already: this fits the 8-bit ranges
    return index


class FaissStore(VectorStore):
    """A FAISS index as a VectorStore; `index` is the raw FAISS object (benchmarks read it)."""

    def __init__(self, index, index_type: str) -> None:
        self.index = index
        self.index_type = index_type
        self.exact = index_type == "flat"

    @classmethod
    def build(cls, vectors, index_type: str, previous: Optional["FaissStore"] = None) -> "FaissStore":
        """Over an array or a row source (see build_faiss)."""
        return cls(build_faiss(vectors, index_type, previous.index if previous else None), index_type)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def _query(self, query: np.ndarray) -> np.ndarray:
        _one_thread()
        return np.ascontiguousarray(np.asarray(query).reshape(1, -1), dtype=np.float32)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, positions = self.index.search(self._query(query), min(k, len(self)))
        keep = positions[0] >= 0
        return positions[0][keep], scores[0][keep]

    def search_subset(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        q = self._query(query)
        sel = faiss.IDSelectorBatch(allowed)
        if self.index_type == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, k))
        elif self.index_type.startswith("ivf"):
            ivf = faiss.extract_index_ivf(self.index)
            # Fewer allowed vectors per list: probe proportionally more lists.
            share = len(allowed) / len(self)
            params = faiss.SearchParametersIVF(sel=sel, nprobe=int(min(ivf.nlist, np.ceil(ivf.nprobe / share))))
        else:
            params = faiss.SearchParameters(sel=sel)
        scores, positions = self.index.search(q, k, params=params)
        keep = positions[0] >= 0
        return positions[0][keep], scores[0][keep]

    def reconstruct(self, positions: np.ndarray) -> np.ndarray:
        return self.index.reconstruct_batch(np.asarray(positions, dtype=np.int64))

    def all_vectors(self) -> np.ndarray:
        """Every stored vector, in position order (the next generation starts from them)."""
        return self.index.reconstruct_n(0, len(self))

    def save(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, index_type: Optional[str] = None) -> "FaissStore":
        index = _faiss().read_index(str(path))
        return cls(index, index_type or _type_of(index))


def _type_of(index) -> str:
    name = type(index).__name__
    return "hnsw" if "HNSW" in name else "ivf-sq8" if "IVF" in name else "flat"
