"""Cleaning user input (pure)."""
from __future__ import annotations

import re
import unicodedata


def clean_question(text: str) -> str:
    """Control characters and runs of whitespace out; NFC so composed forms compare equal."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if (ch.isprintable() or ch in "\n\t") else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()
