"""Highlighted snippets: HTML-escaped text with `<mark>` around words that match a query term.

A word matches when its analyzed term (the same chain the index uses) is one
of the query terms, so a search for "kesehatan" marks "Kesehatan" and
"KESEHATAN", and a search for "pesawaran" never marks a word stemmed to "sawar".
"""

from __future__ import annotations

import html
from collections.abc import Collection

from index.analysis import Analyzer, WordSpan, clean_text

MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"
ELLIPSIS = "…"
DEFAULT_FRAGMENT_CHARS = 240


def highlight_text(analyzer: Analyzer, text: str, terms: Collection[str]) -> str | None:
    """Return all of `text` escaped and marked, or None when no word matches."""
    cleaned = _collapse(clean_text(text))
    matches = _matching_spans(analyzer, cleaned, terms)
    if not matches:
        return None
    return _render(cleaned, matches, 0, len(cleaned))


def highlight_fragment(
    analyzer: Analyzer,
    text: str,
    terms: Collection[str],
    max_chars: int = DEFAULT_FRAGMENT_CHARS,
) -> str | None:
    """Return a window of about `max_chars` around the first match, or None when no word matches.

    The window starts a little before the first matching word and is widened to
    word boundaries; an ellipsis shows where text was cut.
    """
    cleaned = _collapse(clean_text(text))
    matches = _matching_spans(analyzer, cleaned, terms)
    if not matches:
        return None

    start = max(0, matches[0].start - max_chars // 4)
    end = min(len(cleaned), start + max_chars)
    start = _word_boundary_before(cleaned, start)
    end = _word_boundary_after(cleaned, end)

    body = _render(cleaned, [span for span in matches if span.start >= start and span.end <= end], start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(cleaned) else ""
    return f"{prefix}{body}{suffix}"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _matching_spans(analyzer: Analyzer, cleaned: str, terms: Collection[str]) -> list[WordSpan]:
    return [span for span in analyzer.spans(cleaned) if span.term is not None and span.term in terms]


def _render(cleaned: str, matches: list[WordSpan], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for span in matches:
        parts.append(html.escape(cleaned[position:span.start]))
        parts.append(f"{MARK_OPEN}{html.escape(cleaned[span.start:span.end])}{MARK_CLOSE}")
        position = span.end
    parts.append(html.escape(cleaned[position:end]))
    return "".join(parts).strip()


def _word_boundary_before(text: str, position: int) -> int:
    if position == 0:
        return 0
    space = text.rfind(" ", 0, position)
    return 0 if space < 0 else space + 1


def _word_boundary_after(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.find(" ", position)
    return len(text) if space < 0 else space
