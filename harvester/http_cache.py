"""Conditional requests: remember ETag and Last-Modified of documents a source served.

A whole-catalog document (a `data.json`, a DCAT page) usually comes back
unchanged. The cache keeps the validators and the body of each successful
GET that carried a validator, sends them as If-None-Match and
If-Modified-Since next time, and on 304 Not Modified hands back the stored
body, so the job sees the same records, finds their hashes unchanged and
writes nothing. One folder per source, one pair of files per URL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import httpx
import orjson

logger = logging.getLogger(__name__)

VALIDATOR_HEADERS = ("etag", "last-modified")


class ConditionalCache:
    """Validators and bodies of one source's documents, stored under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def request_headers(self, url: str) -> dict[str, str]:
        """Return If-None-Match / If-Modified-Since for `url`, or nothing when it was never cached."""
        meta = self._read_meta(url)
        if meta is None:
            return {}
        headers = {}
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last-modified"):
            headers["If-Modified-Since"] = meta["last-modified"]
        return headers

    def cached(self, url: str) -> tuple[dict[str, str], bytes] | None:
        """Return the stored headers and body of `url`, or None."""
        meta = self._read_meta(url)
        body_path = self._path(url, ".body")
        if meta is None or not body_path.exists():
            return None
        return meta.get("headers", {}), body_path.read_bytes()

    def store(self, url: str, headers: httpx.Headers, body: bytes) -> None:
        """Remember the validators and body of a 200 response; responses without validators are skipped."""
        validators = {name: headers[name] for name in VALIDATOR_HEADERS if name in headers}
        if not validators:
            return
        kept = {name: value for name, value in headers.items() if name.lower() in ("content-type", *VALIDATOR_HEADERS)}
        self.directory.mkdir(parents=True, exist_ok=True)
        _write_atomic(self._path(url, ".body"), body)
        # The file name already identifies the URL. The meta file keeps it with credentials
        # masked, because a query such as BPS's `key=` would otherwise sit on disk in clear.
        _write_atomic(self._path(url, ".json"), orjson.dumps({"url": _masked(url), **validators, "headers": kept}))

    def _read_meta(self, url: str) -> dict | None:
        path = self._path(url, ".json")
        try:
            meta = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            logger.warning("conditional cache entry %s is unreadable and is ignored", path)
            return None
        return meta if meta.get("url") == _masked(url) else None

    def _path(self, url: str, suffix: str) -> Path:
        return self.directory / (hashlib.sha256(url.encode("utf-8")).hexdigest() + suffix)


def _masked(url: str) -> str:
    from harvester.http import redact_url  # harvester.http imports this module

    return redact_url(url)


def _write_atomic(path: Path, content: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
