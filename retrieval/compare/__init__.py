"""Compare regions and years: one indicator across provinces (`compare`) or over time (`trend`).

Built on figure facts (retrieval.facts): every value shown is a fact's figure, verbatim in its
source sentence; nothing is computed beyond sorting and unit normalisation. Modules: `model`
(the rows and tables), `indicator` (an indicator named by id or by words, through the
vocabulary), `source` (where the facts come from), `select` (which fact answers a cell),
`build` (compare and trend tables), `route` (natural questions that ask for a table), `service`
(the Comparer the Engine and the CLI call).
"""
from retrieval.compare.model import Cell, CompareRow, CompareTable, Indicator, TrendRow, TrendTable

__all__ = ["Cell", "CompareRow", "CompareTable", "Comparer", "Indicator", "TrendRow", "TrendTable"]


def __getattr__(name: str):
    # Comparer on first use: every ask imports `route` from here to see whether the question
    # wants a table, and the service brings the figure-fact extractor and its patterns (~0.1 s)
    if name == "Comparer":
        from retrieval.compare.service import Comparer

        return Comparer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
