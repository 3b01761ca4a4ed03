"""Bulk indexing against a loopback `_bulk` server that answers with item errors.

A real search server never rejects single items on demand, so a small
pytest-httpserver on 127.0.0.1 plays the `_bulk` endpoint. It sends the
`X-Elastic-Product: Elasticsearch` header that the official client checks on
every response.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from elasticsearch import Elasticsearch
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from index.base import IndexDocument
from index.elasticsearch import ElasticsearchIndex

ALIAS = "himpun-bulk-test"
PRODUCT_HEADER = {"X-Elastic-Product": "Elasticsearch"}
MAPPING_ERROR = {
    "type": "mapper_parsing_exception",
    "reason": "failed to parse field [modified] of type [date] in document with id 'bad'",
}

ItemAnswer = Callable[[str, int], dict]


def _json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", headers=PRODUCT_HEADER)


class BulkServer:
    """A `_bulk` endpoint whose per-item answers come from `answer(document_id, attempt)`."""

    def __init__(self, server: HTTPServer, answer: ItemAnswer) -> None:
        self.answer = answer
        self.requests: list[list[str]] = []
        self.attempts: dict[str, int] = {}
        server.expect_request(f"/_alias/{ALIAS}", method="HEAD").respond_with_response(
            Response(status=200, headers=PRODUCT_HEADER)
        )
        server.expect_request("/_bulk", method="PUT").respond_with_handler(self.handle)
        server.expect_request("/_bulk", method="POST").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        lines = [json.loads(line) for line in request.get_data().splitlines() if line.strip()]
        actions = lines[0::2]
        ids = [action["index"]["_id"] for action in actions]
        self.requests.append(ids)

        items = []
        for document_id in ids:
            self.attempts[document_id] = self.attempts.get(document_id, 0) + 1
            outcome = {"_index": f"{ALIAS}-v1", "_id": document_id, **self.answer(document_id, self.attempts[document_id])}
            items.append({"index": outcome})

        errors = any(item["index"]["status"] >= 300 for item in items)
        return _json_response({"took": 1, "errors": errors, "items": items})


def _created() -> dict:
    return {"status": 201, "result": "created", "_version": 1}


def _rejected() -> dict:
    return {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "write queue is full"}}


def _document(document_id: str) -> IndexDocument:
    return IndexDocument(id=document_id, title=f"Dataset {document_id}", access_level="terbuka", content_hash="h")


@pytest.fixture
def loopback_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def _backend(server: HTTPServer, *, max_retries: int = 3) -> ElasticsearchIndex:
    client = Elasticsearch(server.url_for("/").rstrip("/"), request_timeout=10)
    return ElasticsearchIndex(client, ALIAS, protected_words=[], max_retries=max_retries,
                              initial_backoff=0.01, max_backoff=0.05)


def test_bulk_retries_429_item(loopback_server: HTTPServer) -> None:
    def answer(document_id: str, attempt: int) -> dict:
        if document_id == "busy" and attempt == 1:
            return _rejected()
        if document_id == "bad":
            return {"status": 400, "error": MAPPING_ERROR}
        return _created()

    bulk = BulkServer(loopback_server, answer)
    report = _backend(loopback_server).index([_document("good"), _document("busy"), _document("bad")])

    assert report.indexed == 2
    assert bulk.attempts["busy"] == 2
    assert len(bulk.requests) == 2
    assert bulk.requests[1] == ["busy"]


def test_bulk_records_mapping_error_once(loopback_server: HTTPServer) -> None:
    def answer(document_id: str, attempt: int) -> dict:
        if document_id == "busy" and attempt == 1:
            return _rejected()
        if document_id == "bad":
            return {"status": 400, "error": MAPPING_ERROR}
        return _created()

    bulk = BulkServer(loopback_server, answer)
    report = _backend(loopback_server).index([_document("good"), _document("busy"), _document("bad")])

    assert list(report.errors) == ["bad"]
    assert report.errors["bad"].startswith("mapper_parsing_exception: failed to parse field [modified]")
    assert bulk.attempts["bad"] == 1


def test_bulk_gives_up_on_persistent_429(loopback_server: HTTPServer) -> None:
    bulk = BulkServer(loopback_server, lambda document_id, attempt: _rejected())
    report = _backend(loopback_server, max_retries=2).index([_document("busy")])

    assert report.indexed == 0
    assert report.errors == {"busy": "rejected with HTTP 429 after 2 retries"}
    assert bulk.attempts["busy"] == 3


def test_bulk_sends_product_checked_client(loopback_server: HTTPServer) -> None:
    bulk = BulkServer(loopback_server, lambda document_id, attempt: _created())
    report = _backend(loopback_server).index([_document(f"d{number}") for number in range(5)])

    assert report.indexed == 5
    assert report.errors == {}
    assert bulk.requests == [["d0", "d1", "d2", "d3", "d4"]]
