"""BM25 over pre-tokenised chunks (bm25s's sparse CSC scores, read directly for weighted queries).

The index is built here, streaming, rather than by `bm25s.BM25.index`: bm25s wants every chunk's
token list in memory as Python strings, then converts each to a list of Python ints — about
90 objects a chunk twice over, which at 1M chunks was >10 GB of the 16.9 GB a FAISS-store commit
reached. `build` reads one chunk at a time, keeps only a token → column dictionary and two
compact arrays per posting (column int32, term frequency float32), and computes exactly the
float32 scores bm25s's Lucene BM25 computes (same operations in the same precision; checked
column by column against bm25s in tests/test_index.py), then sorts them into CSC with scipy.
The files saved are bm25s's layout, so `bm25s.BM25.load` still reads them.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

K1, B = 1.2, 0.75  # bm25s.BM25(k1=1.2, b=0.75), method "lucene"
BLOCK = 1 << 16  # postings computed per step in `build` (bounds its float64 temporaries)
BM25S_PARAMS = {"k1": K1, "b": B, "delta": 0.5, "method": "lucene", "idf_method": "lucene", "dtype": "float32",
                "int_dtype": "int32", "backend": "numpy"}


class Postings:
    """A BM25 index's vocabulary (token → column) and CSC score arrays (`data`, `indices`,
    `indptr`): column t holds the chunks containing token t, in position order, with their
    BM25 document scores. The shape `Lexical.scores` and `idf` read, however it was made."""

    def __init__(self, vocab_dict: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray) -> None:
        self.vocab_dict = vocab_dict
        self.scores = {"data": data, "indices": indices, "indptr": indptr}


class Lexical:
    def __init__(self, bm25, size: int) -> None:
        self.bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]]) -> "Lexical":
        """BM25 (Lucene idf, k1 1.2, b 0.75) over chunks given one token list at a time; the
        iterable is read once and no list is kept (a SQLite cursor streams straight in)."""
        vocab: dict[str, int] = {}
        cols, tfs, widths, lengths = [], [], [], []  # per block of chunks: compact arrays
        c_buf: list[int] = []
        t_buf: list[int] = []
        w_buf: list[int] = []
        l_buf: list[int] = []

        def flush() -> None:
            cols.append(np.array(c_buf, dtype=np.int32))
            tfs.append(np.array(t_buf, dtype=np.float32))
            widths.append(np.array(w_buf, dtype=np.int64))
            lengths.append(np.array(l_buf, dtype=np.int64))
            c_buf.clear(), t_buf.clear(), w_buf.clear(), l_buf.clear()

        for toks in token_lists:
            counts = Counter(toks)
            for tok, tf in counts.items():
                c_buf.append(vocab.setdefault(tok, len(vocab)))
                t_buf.append(tf)
            w_buf.append(len(counts))
            l_buf.append(len(toks))
            if len(c_buf) >= BLOCK:
                flush()
        flush()
        n_vocab = len(vocab)
        lens = np.concatenate(lengths)
        n = len(lens)
        if n == 0:
            return cls(None, 0)
        col = np.concatenate(cols)
        del cols
        data = np.concatenate(tfs)  # term frequencies now, scores in place below
        del tfs
        width = np.concatenate(widths)
        row_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(width, out=row_ptr[1:])
        del width

        # bm25s: idf_array (float32) from math.log in doubles; avg_doc_len = np.array(lengths).mean()
        distinct_df, which = np.unique(np.bincount(col, minlength=n_vocab), return_inverse=True)
        idf = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) if d else 0.0 for d in distinct_df.tolist()],
                       dtype=np.float64)[which].astype(np.float32)
        del which
        avgdl = lens.mean()
        # bm25s per chunk: tf / (k1 * ((1 - b) + b * l_d / l_avg) + tf) in float64 (a float64
        # scalar meets float32 tf), times the float32 idf, stored as float32.
        norm = K1 * ((1 - B) + B * lens.astype(np.float64) / avgdl)
        row_of_block = np.repeat(np.arange(n, dtype=np.int32), np.diff(row_ptr))  # 4 bytes a posting
        for lo in range(0, len(data), BLOCK * 16):
            hi = min(lo + BLOCK * 16, len(data))
            tf = data[lo:hi].astype(np.float64)
            data[lo:hi] = idf[col[lo:hi]] * (tf / (norm[row_of_block[lo:hi]] + tf))
        del row_of_block, norm

        import scipy.sparse as sp  # only writers build; readers load arrays (SavedScores)

        csc = sp.csr_matrix((data, col, row_ptr), shape=(n, n_vocab), copy=False).tocsc()
        del data, col
        if "" not in vocab:  # bm25s adds the empty token after the others (no column)
            vocab[""] = n_vocab
        postings = Postings(vocab, csc.data.astype(np.float32, copy=False), csc.indices.astype(np.int32, copy=False),
                            csc.indptr.astype(np.int64))
        return cls(postings, n)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "size.json").write_text(json.dumps({"size": self.size}))
        if self.bm25 is None:
            return
        if not isinstance(self.bm25, Postings):  # loaded by bm25s itself (an older layout)
            self.bm25.save(str(directory), show_progress=False)
            return
        for part, arr in self.bm25.scores.items():
            np.save(directory / f"{part}.csc.index.npy", arr, allow_pickle=False)
        (directory / "vocab.index.json").write_text(json.dumps(self.bm25.vocab_dict, ensure_ascii=False), encoding="utf-8")
        params = {**BM25S_PARAMS, "num_docs": self.size, "version": _bm25s_version()}
        (directory / "params.index.json").write_text(json.dumps(params, indent=4))

    @classmethod
    def load(cls, directory: Path) -> "Lexical":
        size = json.loads((directory / "size.json").read_text())["size"]
        if size == 0:
            return cls(None, 0)
        try:
            return cls(SavedScores(directory), size)
        except (OSError, ValueError, KeyError):  # another bm25s layout: let bm25s read it
            import bm25s

            return cls(bm25s.BM25.load(str(directory), mmap=False, show_progress=False, verbosity=0), size)

    def scores(self, weighted_tokens: Mapping[str, float]) -> np.ndarray:
        """BM25 score of every chunk for a bag of query tokens, each scaled by its weight
        (expansion terms from the vocabulary count less than the user's own words)."""
        out = np.zeros(self.size, dtype=np.float32)
        if self.bm25 is None:
            return out
        vocab = self.bm25.vocab_dict
        s = self.bm25.scores
        data, indices, indptr = s["data"], s["indices"], s["indptr"]
        for tok, weight in weighted_tokens.items():
            tid = vocab.get(tok)
            if tid is None or weight == 0:
                continue
            lo, hi = indptr[tid], indptr[tid + 1]
            np.add.at(out, indices[lo:hi], weight * data[lo:hi])
        return out

    def idf(self, tokens) -> dict[str, float]:
        """Inverse document frequency of each token (0 for tokens the corpus lacks)."""
        if self.bm25 is None:
            return {t: 0.0 for t in tokens}
        vocab, indptr = self.bm25.vocab_dict, self.bm25.scores["indptr"]
        out = {}
        for t in tokens:
            tid = vocab.get(t)
            df = 0 if tid is None else int(indptr[tid + 1] - indptr[tid])
            out[t] = float(np.log(1 + (self.size - df + 0.5) / (df + 0.5))) if df else 0.0
        return out


def _bm25s_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bm25s")
    except PackageNotFoundError:
        return "unknown"


class SavedScores(Postings):
    """The two parts of a saved bm25s index that `scores` and `idf` read (its vocabulary and
    its CSC score arrays), loaded with json and numpy alone: importing bm25s, and scipy with it,
    was 0.2 s and 17 MB of a cold `planbot ask`."""

    def __init__(self, directory: Path) -> None:
        vocab: dict[str, int] = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        super().__init__(vocab, *(np.load(directory / f"{part}.csc.index.npy", allow_pickle=False)
                                  for part in ("data", "indices", "indptr")))
        if self.vocab_dict and max(self.vocab_dict.values()) >= len(self.scores["indptr"]):
            raise ValueError("vocabulary and score arrays disagree")
