"""Per-client rate limit of the public API: a token bucket per client address, in memory.

A client that sends faster than its bucket refills gets 429 with
`Retry-After` at once, so one abusive client is turned away instead of
slowing the service down for everyone. The admin API, the health checks
and /metrics are not limited.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from harvester.settings import Settings

__all__ = ["LIMITED_PREFIXES", "RateLimitMiddleware", "TokenBuckets"]

# Paths of the public API, the CKAN Action API and the DCAT feed.
LIMITED_PREFIXES = ("/api/", "/catalog")

# Client addresses tracked at once; the least recently seen is dropped beyond this.
MAX_CLIENTS = 100_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One token bucket per key: `burst` tokens at most, refilled at `rate` tokens per second.

    Buckets live in this process only, so with several workers each worker
    admits a client at the full rate.
    """

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Take one token for `key`; return None when granted, else the seconds until one is free."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(tokens=float(self.burst), updated=now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self._buckets[key] = bucket
            if len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)

            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self.rate


class RateLimitMiddleware:
    """ASGI middleware that returns 429 to a client exceeding the public API rate."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.buckets = TokenBuckets(settings.public_rate_limit_per_minute / 60.0, settings.public_rate_limit_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return

        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait is None:
            await self.app(scope, receive, send)
            return
        await _too_many_requests(send, max(1, math.ceil(wait)))


async def _too_many_requests(send: Send, retry_after: int) -> None:
    body = orjson.dumps({"error": {
        "code": "rate-limited",
        "message": f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik",
        "message_en": f"too many requests; retry in {retry_after} s",
    }})
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
