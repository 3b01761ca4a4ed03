"""Text folding shared by every lookup table of the harmonize stage.

Each table stores its keys folded, and each lookup folds the source value the
same way, so case, accents, punctuation and repeated spaces never decide a
match.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "slugify"]

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Text that was UTF-8, decoded as Latin-1 and encoded again, as in old MySQL dumps.
_MOJIBAKE_MARKERS = ("Ã", "Â")


def _repair_mojibake(text: str) -> str:
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Fold `text` for matching: unescape HTML, strip accents, lowercase, keep words only.

    Punctuation, hyphens and slashes become single spaces, so "Kab. Solok",
    "kab solok" and "KAB-SOLOK" fold to the same key.
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", _repair_mojibake(text)).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", text.lower()).strip()


def slugify(text: str) -> str:
    """Return the hyphenated slug of `text` ("Dinas Kesehatan" -> "dinas-kesehatan")."""
    return fold(text).replace(" ", "-")
