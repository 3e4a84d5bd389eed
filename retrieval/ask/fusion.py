"""Fusing ranked lists (pure)."""
from __future__ import annotations

from typing import Mapping, Sequence


def rrf(rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float] | None = None, k: int = 60) -> dict[int, float]:
    """Weighted reciprocal rank fusion: sum of w / (k + rank) over the lists an item appears in.

    Weights let one signal lead: with equal weights a perfect lexical ranking is dragged
    down by a weak dense one (measured in docs/EVALUATION.md).
    """
    weights = weights or {}
    fused: dict[int, float] = {}
    for name, ranked in rankings.items():
        w = weights.get(name, 1.0)
        if w == 0:
            continue
        for rank, item in enumerate(ranked):
            fused[item] = fused.get(item, 0.0) + w / (k + rank + 1)
    return fused


def top(scores: Mapping[int, float], n: int) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
