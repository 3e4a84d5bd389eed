"""Typed errors: every error planbot's library raises is a PlanbotError.

The message is written for the user, with a hint where one helps; `exit_code` is what
the CLI exits with (README: 1 error, 2 bad input). Each surface turns them into one clear
message in one place (bot/cli.py `_ErrorBoundary`, bot/slack/replies.py). This module
imports nothing from planbot, so any package (embeddings too) can raise these.
"""
from __future__ import annotations

from typing import Sequence


class PlanbotError(Exception):
    """Base class: the message is written for the user, with a hint where one helps."""

    exit_code = 1


class BadInput(PlanbotError):
    """The user asked for something planbot cannot take as given (exit 2)."""

    exit_code = 2


class BadQuestion(BadInput):
    pass


class IndexMissing(PlanbotError):
    pass


class IndexCorrupt(PlanbotError):
    pass


class ModelMismatch(PlanbotError):
    pass


class IndexBusy(PlanbotError):
    """Another process holds the index write lock."""


class NothingToIngest(BadInput):
    """An ingest that could read nothing: the index is left exactly as it was."""

    def __init__(self, message: str, skipped: list | None = None) -> None:
        super().__init__(message)
        self.skipped = list(skipped or [])


class UnknownRegion(BadInput):
    """A region name the gazetteer does not know, or knows several places by.

    `labels` are the candidates' names as people tell them apart ("Gulou District,
    Nanjing"), given by the gazetteer that raised the error."""

    def __init__(self, name: str, candidates: list | None = None, ambiguous: bool = False,
                 labels: Sequence[str] | None = None) -> None:
        self.name = name
        self.candidates = list(candidates or [])
        self.ambiguous = ambiguous
        self.labels = list(labels) if labels is not None else [str(getattr(c, "name", c)) for c in self.candidates]
        what = "is ambiguous" if ambiguous else "is not a known region"
        hint = ""
        if self.labels:
            hint = "; did you mean: " + ", ".join(self.labels[:5]) + "?"
        super().__init__(f"{name!r} {what}{hint}")
