"""BM25 over pre-tokenised chunks (bm25s's sparse CSC scores, read directly for weighted queries)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np


class Lexical:
    def __init__(self, bm25, size: int) -> None:
        self.bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> "Lexical":
        import bm25s

        corpus = [toks for toks in token_lists]
        if not corpus:
            return cls(None, 0)
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus, show_progress=False)
        return cls(bm25, len(corpus))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "size.json").write_text(json.dumps({"size": self.size}))
        if self.bm25 is not None:
            self.bm25.save(str(directory), show_progress=False)

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


class SavedScores:
    """The two parts of a saved bm25s index that `scores` and `idf` read (its vocabulary and
    its CSC score arrays), loaded with json and numpy alone: importing bm25s, and scipy with it,
    was 0.2 s and 17 MB of a cold `planbot ask`."""

    def __init__(self, directory: Path) -> None:
        self.vocab_dict: dict[str, int] = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        self.scores = {part: np.load(directory / f"{part}.csc.index.npy", allow_pickle=False)
                       for part in ("data", "indices", "indptr")}
        if self.vocab_dict and max(self.vocab_dict.values()) >= len(self.scores["indptr"]):
            raise ValueError("vocabulary and score arrays disagree")
