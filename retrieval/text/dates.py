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


# Older reports write a year in Chinese numerals, digit by digit (一九八五年); a zero as 〇, as the
# circle ○ or as 零, all three found in the national reports
_CN_DIGITS = "〇一二三四五六七八九"
_ZERO_FORMS = ("〇", "○", "零")


def chinese_years(year: int) -> tuple[str, ...]:
    """The ways a report may write `year` in Chinese numerals, with 年: 1985 → 一九八五年; 1980 →
    一九八〇年, 一九八○年, 一九八零年."""
    digits = "".join(_CN_DIGITS[int(d)] for d in str(year))
    if "〇" not in digits:
        return (digits + "年",)
    return tuple(digits.replace("〇", z) + "年" for z in _ZERO_FORMS)


def names_year(text: str, year: int) -> bool:
    """Whether `text` writes `year`, in digits or in Chinese numerals (一九八五年)."""
    return str(year) in text or any(form in text for form in chinese_years(year))
