"""Years of a dated source."""
from __future__ import annotations


def doc_year(date: str | None) -> int | None:
    """The year of an ISO date ("2025-01-20" or "2025"), None when there is none."""
    return int(date[:4]) if date and date[:4].isdigit() else None


def report_years(date: str | None) -> set[int]:
    """The years a source dated Y speaks about without naming them in each sentence: a work
    report dated Y reviews Y-1 and sets targets for Y."""
    y = doc_year(date)
    return set() if y is None else {y - 1, y}
