"""Loopback portal simulators for the demo, the tests and the benches.

One standard-library HTTP server on 127.0.0.1 serves several portals, each
under its own path prefix:

- `CkanPortal`: a CKAN Action API (`package_search`, `package_show`,
  `package_list`, `status_show`) over a list of package dicts.
- `DataGoIdPortal`: data.go.id's `POST /api/proxy`, which wraps the same
  actions in the `{"status", "message", "result"}` envelope and answers a
  Spring 404 body for any other action.
- `StaticPortal`: fixed files such as a DCAT-US `data.json`.
- `FilePortal`: files chosen by path plus selected query parameters, for
  APIs that page with `page`, `skip` or `startPosition`, HTML portals and
  `robots.txt`.

`Faults` switches make a portal fail on purpose: an error status on a chosen
page (optionally with `Retry-After`, optionally only a few times), a
malformed record in a chosen page, an empty catalog, or a `start` parameter
that is ignored so every page is the same.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "CkanPortal",
    "DataGoIdPortal",
    "FilePortal",
    "Faults",
    "PortalConfig",
    "StaticPortal",
    "load_packages",
    "multiply_packages",
    "serve_portals",
]

logger = logging.getLogger(__name__)

MAX_ROWS = 1000
_MODIFIED_RANGE = re.compile(r"metadata_modified:\[(\S+) TO (\S+)\]")


@dataclass
class Faults:
    """Failures a simulated portal produces on purpose. Pages are numbered from 0."""

    error_page: int | None = None
    error_status: int = 500
    error_times: int | None = None
    retry_after: str | None = None
    malformed_page: int | None = None
    malformed_record: Any = field(default_factory=lambda: {"id": None, "title": ["not", "text"]})
    empty: bool = False
    ignore_start: bool = False


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(document, ensure_ascii=False).encode("utf-8"), headers=headers or {})


class CkanPortal:
    """A CKAN Action API over `packages`, sorted by id as `sort=id asc` asks."""

    def __init__(self, packages: list[dict[str, Any]], faults: Faults | None = None,
                 site_title: str = "Simulated CKAN") -> None:
        self.packages = sorted(packages, key=lambda package: str(package.get("id")))
        self.faults = faults or Faults()
        self.site_title = site_title
        self.requests: list[str] = []
        self.queries: list[dict[str, str]] = []
        self._errors_sent = 0
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        self.requests.append(f"{method} {path}")
        self.queries.append(dict(query))
        action = path.rsplit("/", 1)[-1]
        if not path.startswith("/api/3/action/"):
            return _json_reply({"success": False, "error": {"message": "Not found"}}, 404)
        return self.call_action(action, query)

    def call_action(self, action: str, query: dict[str, str]) -> Reply:
        """Run one action and return its CKAN reply."""
        handlers = {
            "package_search": self._package_search,
            "package_show": self._package_show,
            "package_list": self._package_list,
            "status_show": self._status_show,
        }
        handler = handlers.get(action)
        if handler is None:
            return _json_reply({"success": False, "error": {"message": f"Action {action} not found"}}, 400)
        return handler(query)

    def _package_search(self, query: dict[str, str]) -> Reply:
        rows = min(int(query.get("rows", 10)), MAX_ROWS)
        start = 0 if self.faults.ignore_start else int(query.get("start", 0))
        page = start // rows if rows else 0

        fault = self._error_fault(page)
        if fault is not None:
            return fault

        matches = [] if self.faults.empty else self._matching(query.get("q", "*:*"))
        results = copy.deepcopy(matches[start:start + rows])
        if self.faults.malformed_page == page and results:
            results[0] = copy.deepcopy(self.faults.malformed_record)
        result = {"count": len(matches), "facets": {}, "results": results, "sort": "id asc",
                  "search_facets": {}}
        return _json_reply({"help": "package_search", "success": True, "result": result})

    def _error_fault(self, page: int) -> Reply | None:
        if self.faults.error_page != page:
            return None
        with self._lock:
            if self.faults.error_times is not None and self._errors_sent >= self.faults.error_times:
                return None
            self._errors_sent += 1
        headers = {"Retry-After": self.faults.retry_after} if self.faults.retry_after else {}
        return _json_reply({"success": False, "error": {"message": "Internal Server Error"}},
                           self.faults.error_status, headers)

    def _matching(self, q: str) -> list[dict[str, Any]]:
        """Return the packages matching a `q` of `*:*`, a modified range and plain words."""
        q = q.strip()
        since = None
        range_match = _MODIFIED_RANGE.search(q)
        if range_match:
            since = range_match.group(1).rstrip("Z")
            q = _MODIFIED_RANGE.sub("", q).replace("AND", " ").replace("(", " ").replace(")", " ")
        words = [word.lower() for word in q.split() if word != "*:*"]

        matches = []
        for package in self.packages:
            if since is not None and str(package.get("metadata_modified", "")) < since:
                continue
            text = f"{package.get('title', '')} {package.get('notes', '')} {package.get('name', '')}".lower()
            if all(word in text for word in words):
                matches.append(package)
        return matches

    def _package_show(self, query: dict[str, str]) -> Reply:
        wanted = query.get("id", "")
        for package in self.packages:
            if wanted in (package.get("id"), package.get("name")):
                return _json_reply({"help": "package_show", "success": True, "result": package})
        return _json_reply({"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}, 404)

    def _package_list(self, query: dict[str, str]) -> Reply:
        names = sorted(str(package.get("name")) for package in self.packages)
        return _json_reply({"help": "package_list", "success": True, "result": names})

    def _status_show(self, query: dict[str, str]) -> Reply:
        result = {"ckan_version": "2.9.9", "site_title": self.site_title, "extensions": []}
        return _json_reply({"help": "status_show", "success": True, "result": result})


class DataGoIdPortal:
    """data.go.id's `POST /api/proxy` in front of a simulated CKAN."""

    SUPPORTED_ACTIONS = frozenset({"package_search", "package_show", "package_list"})

    def __init__(self, packages: list[dict[str, Any]], faults: Faults | None = None,
                 package_list: list[str] | None = None) -> None:
        self.ckan = CkanPortal(packages, faults, site_title="Simulated data.go.id")
        self.package_list = package_list
        self.requests: list[str] = []

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        self.requests.append(f"{method} {path}")
        if method != "POST" or path != "/api/proxy":
            return _spring_not_found(path)
        try:
            request = json.loads(body or b"{}")
            endpoint = urlsplit(str(request["endpoint"]))
        except (ValueError, KeyError, TypeError):
            return _json_reply({"status": "400 BAD_REQUEST", "message": "Invalid request body"}, 400)

        action = endpoint.path.rsplit("/", 1)[-1]
        if not endpoint.path.startswith("/api/3/action/") or action not in self.SUPPORTED_ACTIONS:
            return _spring_not_found(endpoint.path)
        if action == "package_list" and self.package_list is not None:
            return _json_reply({"status": "200 OK", "message": "Sucess", "result": self.package_list})

        inner = self.ckan.call_action(action, _flat_query(endpoint.query))
        document = json.loads(inner.body)
        if inner.status != 200 or not document.get("success"):
            message = (document.get("error") or {}).get("message", "error")
            return _json_reply({"status": f"{inner.status} ERROR", "message": message}, inner.status,
                               inner.headers)
        return _json_reply({"status": "200 OK", "message": "Sucess", "result": document["result"]})


def _spring_not_found(path: str) -> Reply:
    timestamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    return _json_reply({"timestamp": timestamp, "status": 404, "error": "Not Found", "path": path}, 404)


class StaticPortal:
    """Fixed files by path, e.g. `{"/data.json": path_or_bytes}`."""

    def __init__(self, files: dict[str, Path | bytes], faults: Faults | None = None) -> None:
        self.files = files
        self.faults = faults or Faults()
        self.requests: list[str] = []

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        self.requests.append(f"{method} {path}")
        if self.faults.error_page == 0:
            return _json_reply({"error": "Internal Server Error"}, self.faults.error_status)
        source = self.files.get(path)
        if source is None:
            return Reply(404, b"not found", "text/plain")
        content = source if isinstance(source, bytes) else source.read_bytes()
        if self.faults.empty and path.endswith(".json"):
            catalog = json.loads(content)
            catalog["dataset"] = []
            content = json.dumps(catalog).encode("utf-8")
        content_type = "application/json" if path.endswith(".json") else "application/octet-stream"
        return Reply(200, content, content_type)


# Content types by file suffix, for the files a FilePortal serves.
CONTENT_TYPES = {
    ".json": "application/json",
    ".ttl": "text/turtle; charset=utf-8",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FilePortal:
    """Files keyed by path plus the query parameters named in `query_keys`.

    A key is the path followed by the named parameters the request carries,
    in `query_keys` order: with `query_keys=("page",)`, `/catalog.ttl?page=2`
    selects the key `/catalog.ttl?page=2` and `/catalog.ttl` the key
    `/catalog.ttl`. Other parameters (an API key, `limit`) are ignored. A
    value is a file, whose suffix sets the content type, or a
    `(bytes, content_type)` pair. Unknown keys get a 404 reply.
    """

    def __init__(self, files: dict[str, Path | tuple[bytes, str]], query_keys: tuple[str, ...] = ()) -> None:
        self.files = files
        self.query_keys = query_keys
        self.requests: list[str] = []

    def key_for(self, path: str, query: dict[str, str]) -> str:
        """Return the file key of a request."""
        selected = [f"{name}={query[name]}" for name in self.query_keys if name in query]
        return f"{path}?{'&'.join(selected)}" if selected else path

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        key = self.key_for(path, query)
        self.requests.append(f"{method} {key}")
        entry = self.files.get(key)
        if entry is None or method != "GET":
            return Reply(404, b"not found", "text/plain; charset=utf-8")
        if isinstance(entry, tuple):
            content, content_type = entry
            return Reply(200, content, content_type)
        content_type = CONTENT_TYPES.get(entry.suffix, "application/octet-stream")
        return Reply(200, entry.read_bytes(), content_type)


Portal = CkanPortal | DataGoIdPortal | StaticPortal | FilePortal


@dataclass
class PortalConfig:
    """The portals to serve, keyed by path prefix such as `/ckan` (no trailing slash).

    The empty prefix `""` matches every path that no longer prefix matches,
    which is how `/robots.txt` at the host root is served.
    """

    portals: dict[str, Portal] = field(default_factory=dict)


def _flat_query(query: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(query, keep_blank_values=True).items()}


def _handler_class(config: PortalConfig) -> type[BaseHTTPRequestHandler]:
    prefixes = sorted(config.portals, key=len, reverse=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes. Without TCP_NODELAY, Nagle's
            # algorithm delays the body until the client's delayed ACK (about 40 ms).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            for prefix in prefixes:
                if parts.path == prefix or parts.path.startswith(prefix + "/"):
                    inner_path = parts.path[len(prefix):] or "/"
                    reply = config.portals[prefix].handle(method, inner_path, _flat_query(parts.query), body)
                    break
            else:
                reply = Reply(404, b"no portal at this path", "text/plain")
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("portal simulator: " + format, *args)

    return Handler


@contextmanager
def serve_portals(config: PortalConfig, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `config` on `host:port` (port 0 picks a free one) and yield the base URL."""
    server = ThreadingHTTPServer((host, port), _handler_class(config))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="portal-simulator", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def load_packages(path: Path) -> list[dict[str, Any]]:
    """Read packages from a CKAN or data.go.id proxy reply (search or show) or a plain list."""
    document = json.loads(path.read_text(encoding="utf-8"))
    result = document.get("result", document) if isinstance(document, dict) else document
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        return result["results"]
    if isinstance(result, dict):
        return [result]
    return list(result)


def multiply_packages(packages: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    """Return `copies` copies of each package with new, stable ids and names, for paging tests."""
    multiplied: list[dict[str, Any]] = []
    for package in packages:
        for number in range(copies):
            clone = copy.deepcopy(package)
            clone["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{package.get('id')}/{number}"))
            clone["name"] = f"{package.get('name')}-{number}"
            multiplied.append(clone)
    return multiplied
