"""Which place a question means when its name is carried by several ("Yichun": 伊春 in
Heilongjiang, 宜春 in Jiangxi), read against what the index covers.

The question's own words settle it first (the gazetteer: "Heilongjiang's Yichun", 宜春);
what is left is settled by coverage: a place with sources about it beats one that sources only
mention, which beats one nothing mentions. One place on top is assumed, and the answer says
so; several on top, or none covered, decline with the candidates named, since a figure
credited to the wrong city is worse than no answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from retrieval.knowledge.regions import Ambiguity, Gazetteer
from retrieval.store.index import Index

ABOUT, MENTIONED, UNCOVERED = 2, 1, 0


@dataclass
class Reading:
    """What an ambiguous question's places were read as."""

    assumed: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, region id)
    notes: list[str] = field(default_factory=list)
    decline: Optional[str] = None


def coverage(index: Index, gazetteer: Gazetteer, region_id: str) -> int:
    """ABOUT when some document is mainly about the place (or a place inside it), MENTIONED
    when only chunks of other documents name it, else UNCOVERED."""
    inside = gazetteer.descendants(region_id)
    if any(main in inside for main in index.main_regions().values()):
        return ABOUT
    if index.positions_where(chunk_regions=inside).any():
        return MENTIONED
    return UNCOVERED


def label(gazetteer: Gazetteer, region_id: str) -> str:
    """'Yichun, Heilongjiang (伊春市)': a place told apart from its namesakes, in both scripts."""
    return f"{gazetteer.qualified_name(region_id)} ({gazetteer.get(region_id).name_zh})"


def _either(labels: list[str], word: str = "or") -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" {word} " + labels[-1]


def read_places(ambiguities: list[Ambiguity], index: Index, gazetteer: Gazetteer) -> Reading:
    """The place assumed for each ambiguous name, the notes that say so, or why none can be."""
    out = Reading()
    for amb in ambiguities:
        tiers = {rid: coverage(index, gazetteer, rid) for rid in amb.candidates}
        best = max(tiers.values())
        top = [rid for rid in amb.candidates if tiers[rid] == best]
        labels = [label(gazetteer, rid) for rid in amb.candidates]
        if best == UNCOVERED:
            out.decline = (f"“{amb.name}” may be {_either(labels)}; nothing in the indexed sources mentions "
                           f"{'either' if len(labels) == 2 else 'any of them'}.")
            return out
        if len(top) > 1:
            covered = ("both" if len(top) == 2 else "all of them") if len(top) == len(labels) else \
                _either([label(gazetteer, r) for r in top], "and")
            out.decline = (f"“{amb.name}” may be {_either(labels)}, and the indexed sources cover {covered}: "
                           f"ask again naming the province, or with the Chinese name.")
            return out
        chosen = top[0]
        others = [label(gazetteer, r) for r in amb.candidates if r != chosen]
        why = "the one with sources about it" if best == ABOUT else "the one the indexed sources mention"
        out.assumed.append((amb.start, amb.end, chosen))
        out.notes.append(f"“{amb.name}” is read as {label(gazetteer, chosen)}, {why}; it may also be "
                         f"{_either(others)}: name the province or use the Chinese name for another.")
    return out
