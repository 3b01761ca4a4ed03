"""Link checking of distribution URLs, with results kept in a JSON file.

Requests go through the shared `HttpClient`, so the egress guard, per-host
politeness, retries and size caps apply exactly as in a harvest. A URL
counts as reachable when the final response (after redirects) is HTTP 2xx.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from pydantic import BaseModel

from harvester.errors import FetchError
from harvester.model import PublishedDataset

logger = logging.getLogger(__name__)

CHECKED_SCHEMES = ("http://", "https://")

# File in the data folder that keeps the latest result of every checked URL.
LINK_CHECK_FILE = "linkcheck.json"

_EMPTY: Mapping[str, LinkCheckResult] = MappingProxyType({})

# Asks for the first byte only, so a check never downloads a whole file from
# servers that honour ranges; 206 Partial Content counts as reachable.
RANGE_HEADERS = {"Range": "bytes=0-0"}


class _Response(Protocol):
    status: int


class UrlGetter(Protocol):
    """The part of `harvester.http.HttpClient` the link check uses."""

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> _Response: ...


class LinkCheckResult(BaseModel):
    """The outcome of one URL check. `error` is the error code when no response came back."""

    url: str
    ok: bool
    status: int | None = None
    error: str | None = None
    checked_at: dt.datetime


def distribution_urls(dataset: PublishedDataset) -> list[str]:
    """Return the distinct http(s) access and download URLs of a dataset, in order."""
    urls: list[str] = []
    for distribution in dataset.record.distributions:
        for url in (distribution.access_url, distribution.download_url):
            if url and url.lower().startswith(CHECKED_SCHEMES) and url not in urls:
                urls.append(url)
    return urls


def check_url(client: UrlGetter, url: str) -> LinkCheckResult:
    """Fetch `url` once through `client` and return whether the final status was 2xx."""
    now = dt.datetime.now(dt.UTC)
    try:
        response = client.get(url, headers=RANGE_HEADERS)
    except FetchError as error:
        logger.info("link check failed for %s: %s (%s)", url, error, error.code)
        return LinkCheckResult(url=url, ok=False, status=error.status, error=error.code, checked_at=now)

    return LinkCheckResult(url=url, ok=200 <= response.status < 300, status=response.status, checked_at=now)


def check_dataset_links(client: UrlGetter, datasets: Iterable[PublishedDataset]) -> list[LinkCheckResult]:
    """Check every distinct distribution URL of `datasets`, each URL once."""
    seen: set[str] = set()
    results: list[LinkCheckResult] = []
    for dataset in datasets:
        for url in distribution_urls(dataset):
            if url in seen:
                continue
            seen.add(url)
            results.append(check_url(client, url))
    return results


class LinkCheckStore:
    """Latest link-check result per URL, in one JSON file replaced atomically on save.

    TODO: keep results in the store database once it has a table for them,
    so several processes and PostgreSQL deployments share one record.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, LinkCheckResult]:
        """Return the stored results keyed by URL; an absent file means no results."""
        if not self.path.exists():
            return {}
        items = json.loads(self.path.read_text(encoding="utf-8"))
        return {item["url"]: LinkCheckResult.model_validate(item) for item in items}

    def save(self, results: Iterable[LinkCheckResult]) -> None:
        """Merge `results` into the file, newer results replacing older ones."""
        merged = self.load()
        for result in results:
            merged[result.url] = result

        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = [result.model_dump(mode="json") for result in merged.values()]
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(payload, file, ensure_ascii=False)
        os.replace(temporary, self.path)


class _LinkResultsCache:
    """Link-check results per file, reloaded when the file's modification time or size changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Path, tuple[tuple[int, int], Mapping[str, LinkCheckResult]]] = {}

    def load(self, path: Path) -> Mapping[str, LinkCheckResult]:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return _EMPTY
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            entry = self._entries.get(path)
        if entry is not None and entry[0] == stamp:
            return entry[1]

        # A file replaced between stat() and load() is stored under the older
        # stamp, so the next call finds a different stamp and loads it again.
        results: Mapping[str, LinkCheckResult] = MappingProxyType(LinkCheckStore(path).load())
        with self._lock:
            self._entries[path] = (stamp, results)
        return results


_CACHE = _LinkResultsCache()


def load_link_results(data_dir: Path) -> Mapping[str, LinkCheckResult]:
    """Return the read-only link-check results kept in `data_dir`, empty when no check has run.

    The results stay in memory until the file changes, so a feed page, an API
    request or a dataset page does not parse the whole file again.
    """
    return _CACHE.load(data_dir / LINK_CHECK_FILE)
