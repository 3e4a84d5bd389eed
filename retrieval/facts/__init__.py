"""Figure facts: every figure in a document with what it is about, read once at ingest.

`extract_facts(doc)` is pure: a Document (text + title, date, path) in, a list of `Fact` out.
The document's structure decides most labels -- its kind (a work report of year Y reviews Y-1
and plans Y), its sections (工作回顾 / 工作安排), target paragraphs whose every clause is a
target -- and the words around a figure refine them. Modules: `model` (the record), `cues`
(declared cue tables), `profile` (document kind and years), `sections` (headings and their
roles), `spans` (sentences and clauses), `tables` (a header row's years for the cells below), `period`, `kind`, `measure`, `indicator`, `place`
(region of a figure) and `extract` (the composition).
"""
from retrieval.facts.model import NATIONAL, Fact

__all__ = ["Fact", "NATIONAL", "extract_facts"]


def __getattr__(name: str):
    # extraction pulls in the figure parser (cn2an); the index only needs the record and the SQL
    if name == "extract_facts":
        from retrieval.facts.extract import extract_facts

        return extract_facts
    raise AttributeError(name)
