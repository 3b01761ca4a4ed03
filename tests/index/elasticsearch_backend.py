"""Test support for the Elasticsearch backend: an in-memory search server and a client for it.

The server is osmem-server, an in-memory OpenSearch-compatible server from
PyPI, started once per test process on 127.0.0.1 with a free port. The
official client sends the Elasticsearch compatibility media types
(`application/vnd.elasticsearch+json; compatible-with=9`), which osmem-server
rejects with HTTP 406, so the test client uses `PlainJsonNode`, which sends
plain JSON media types instead. osmem-server already sends the
`X-Elastic-Product: Elasticsearch` header that the client checks.
"""

from __future__ import annotations

import atexit
import threading
import uuid
from typing import Any

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elastic_transport._models import DEFAULT
from elasticsearch import Elasticsearch
from osmem_server import OsmemServer

from index.elasticsearch import ElasticsearchIndex

COMPATIBLE_MEDIA_TYPES = {
    "application/vnd.elasticsearch+json": "application/json",
    "application/vnd.elasticsearch+x-ndjson": "application/x-ndjson",
}

_server: OsmemServer | None = None
_server_lock = threading.Lock()


class PlainJsonNode(Urllib3HttpNode):
    """A transport node that replaces the compatibility media types with plain ones."""

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: Any = DEFAULT,
    ) -> NodeApiResponse:
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = plain_media_type(headers[name])
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


def plain_media_type(value: str) -> str:
    """Map `application/vnd.elasticsearch+json; compatible-with=9` to `application/json`."""
    media_type = value.split(";", 1)[0].strip()
    return COMPATIBLE_MEDIA_TYPES.get(media_type, value)


def search_server_url() -> str:
    """Start osmem-server on 127.0.0.1 once per test process and return its URL."""
    global _server
    with _server_lock:
        if _server is None:
            _server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
            atexit.register(_server.close)
        return _server.url


def make_client(url: str | None = None) -> Elasticsearch:
    """Return a client for the test server that sends plain JSON media types."""
    return Elasticsearch(url or search_server_url(), node_class=PlainJsonNode, request_timeout=30)


def make_elasticsearch_index(*_args: Any, **options: Any) -> ElasticsearchIndex:
    """Return an `ElasticsearchIndex` behind a fresh alias on the test server.

    Positional arguments (such as a temporary folder given to every backend
    factory) are ignored; keyword options go to `ElasticsearchIndex`.
    """
    alias = options.pop("alias", f"himpun-test-{uuid.uuid4().hex[:12]}")
    options.setdefault("initial_backoff", 0.05)
    options.setdefault("max_backoff", 0.2)
    return ElasticsearchIndex(make_client(), alias, **options)
