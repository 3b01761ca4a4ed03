"""A minimal keep-alive HTTP/1.1 GET client over asyncio streams, for load generators.

httpx parses URLs, builds header and cookie models and runs its transport
stack for every request. On a 2-core machine where the load generator and the
server share the CPU, that work comes out of the server's share and inflates
the measured latencies. This client parses only
the status line and Content-Length, which is all a latency benchmark needs,
so the CPU stays with the server, as it does with `wrk`.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

__all__ = ["KeepAliveClient", "LoadClientError"]

MAX_HEADER_BYTES = 64 * 1024


class LoadClientError(Exception):
    """A response the client cannot read: a closed connection, chunked body or a broken header."""


class KeepAliveClient:
    """One persistent connection to `base` ("http://host:port"), reopened after an error."""

    def __init__(self, base: str, *, local_address: str | None = None, timeout: float = 10.0) -> None:
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"base must look like http://host:port, got {base!r}")
        self.host, self.port = parts.hostname, parts.port
        self.local_address = local_address
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> int:
        """Send GET `target` (path and query, already encoded) and return the status code."""
        try:
            return await asyncio.wait_for(self._exchange(target), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as error:
            await self.close()
            raise LoadClientError(f"GET {target} failed: {error!r}") from error
        except LoadClientError:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection; the next `get` opens a new one."""
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass
        self._reader = self._writer = None

    async def _exchange(self, target: str) -> int:
        if self._writer is None:
            local = (self.local_address, 0) if self.local_address else None
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, local_addr=local, limit=MAX_HEADER_BYTES)
        assert self._reader is not None
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n\r\n"
        self._writer.write(request.encode("ascii"))

        head = await self._reader.readuntil(b"\r\n\r\n")
        status, length, closes = _parse_head(head)
        await self._reader.readexactly(length)
        if closes:
            await self.close()
        return status


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """Return the status, Content-Length and whether the server closes the connection."""
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError) as error:
        raise LoadClientError(f"invalid status line {lines[0]!r}") from error

    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise LoadClientError("chunked responses are not supported by this load client")
    if "content-length" not in headers:
        raise LoadClientError(f"response {status} has no Content-Length")
    return status, int(headers["content-length"]), headers.get("connection", "").lower() == "close"
