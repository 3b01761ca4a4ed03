"""Content negotiation on the Accept header (RFC 9110 media ranges with q-values)."""

from __future__ import annotations

__all__ = ["choose_media_type", "parse_accept"]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Return (media range, q) pairs; an absent or empty header accepts everything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";")]
        media_range = parts[0].lower()
        if "/" not in media_range:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media_range, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """Return the q-value of the most specific range matching `media_type`, 0 when none does."""
    major = media_type.split("/", 1)[0]
    best_specificity = -1
    quality = 0.0
    for media_range, range_quality in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{major}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity = specificity
            quality = range_quality
    return quality


def choose_media_type(header: str | None, offered: list[str]) -> str | None:
    """Return the offered media type the client prefers (ties go to the earlier offer), or None."""
    ranges = parse_accept(header)
    best: str | None = None
    best_quality = 0.0
    for media_type in offered:
        quality = _quality(media_type, ranges)
        if quality > best_quality:
            best = media_type
            best_quality = quality
    return best
