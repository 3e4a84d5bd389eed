"""Typed errors; each surface turns them into one clear message in one place."""
from __future__ import annotations


class PlanbotError(Exception):
    """Base class: the message is written for the user, with a hint where one helps."""

    exit_code = 1


class BadQuestion(PlanbotError):
    exit_code = 2


class IndexMissing(PlanbotError):
    pass


class IndexCorrupt(PlanbotError):
    pass


class ModelMismatch(PlanbotError):
    pass


class IndexBusy(PlanbotError):
    """Another process holds the index write lock."""


class NothingToIngest(PlanbotError):
    """An ingest that could read nothing: the index is left exactly as it was."""

    exit_code = 2

    def __init__(self, message: str, skipped: list | None = None) -> None:
        super().__init__(message)
        self.skipped = list(skipped or [])


class UnknownRegion(PlanbotError):
    def __init__(self, name: str, candidates: list | None = None, ambiguous: bool = False) -> None:
        self.name = name
        self.candidates = list(candidates or [])
        self.ambiguous = ambiguous
        what = "is ambiguous" if ambiguous else "is not a known region"
        hint = ""
        if self.candidates:
            hint = "; did you mean: " + ", ".join(_label(c) for c in self.candidates[:5]) + "?"
        super().__init__(f"{name!r} {what}{hint}")


def _label(region) -> str:
    """"Gulou District, Nanjing" rather than a bare "Gulou", so candidates can be told apart."""
    try:
        from retrieval.knowledge.regions import load_gazetteer

        return load_gazetteer().qualified_name(region.id)
    except Exception:
        return str(getattr(region, "name", region))
