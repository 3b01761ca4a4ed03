"""Normalization of URLs and titles for duplicate matching."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track clicks and never select content.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "yclid", "ref_src",
})
DEFAULT_PORTS = {"http": 80, "https": 443}

_LEADING_NUMBER = re.compile(r"^\s*\d{1,4}\s*[.)]\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)

# Words that carry no identity in Indonesian dataset titles: articles of the
# title pattern "Data Jumlah X di Kabupaten Y Tahun Z" minus the content words.
# "jumlah", "menurut" and "berdasarkan" stay out: they distinguish breakdowns.
TITLE_STOPWORDS = frozenset({
    "data", "di", "dan", "yang", "pada", "dari", "ke", "untuk", "dalam", "wilayah", "tahun", "the", "of",
    "kabupaten", "kab", "kota", "provinsi", "prov", "pemerintah", "pemkab", "pemkot", "pemprov",
})


def normalize_url(url: str | None) -> str | None:
    """Return a comparison key for `url`: scheme-less, lower-case host, no default port,
    no fragment, no trailing slash, tracking parameters removed, query sorted.

    http and https give the same key, because portals publish both for one file.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None

    host = parts.hostname.lower().rstrip(".")
    if port is not None and port != DEFAULT_PORTS[parts.scheme.lower()]:
        host = f"{host}:{port}"

    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/") or "/"
    query_items = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS and not key.lower().startswith("utm_")
    ]
    query = urlencode(sorted(query_items))
    return urlunsplit(("", host, path, query, "")).lstrip("/") if host else None


def fold_text(text: str) -> str:
    """Lower-case, unescape HTML entities and strip accents and punctuation."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(character for character in text if not unicodedata.combining(character))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def strip_numbering(title: str) -> str:
    """Remove a list number that some portals put before titles ("399. DATA ...")."""
    return _LEADING_NUMBER.sub("", title)


def title_tokens(title: str) -> list[str]:
    """Return the folded words of a title without its list number."""
    return fold_text(strip_numbering(title)).split()


def content_tokens(tokens: list[str], ignore: frozenset[str] = frozenset()) -> list[str]:
    """Drop identity-free words and the words in `ignore` (region names, period words)."""
    return [token for token in tokens if token not in TITLE_STOPWORDS and token not in ignore]
