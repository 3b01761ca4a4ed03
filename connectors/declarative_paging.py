"""Page through a JSON list endpoint by page number, offset, cursor or next URL.

Every scheme stops on an empty page, and every scheme fails with a
PaginationError when a page repeats the previous page's items, when a next
URL or cursor comes back a second time, or after `max_pages` pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import orjson

from connectors.declarative_config import PagingRule
from connectors.declarative_fields import evaluate
from harvester.errors import PaginationError

__all__ = ["Page", "iterate_pages"]

# Fetch one page: (url, query parameters) -> parsed JSON body.
FetchPage = Callable[[str, dict[str, str]], Any]


class Page:
    """One fetched list page: its body and the items the description points at."""

    def __init__(self, number: int, body: Any, items: list[Any]) -> None:
        self.number = number
        self.body = body
        self.items = items


def _fingerprint(items: list[Any]) -> str:
    return hashlib.sha256(orjson.dumps(items, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def iterate_pages(fetch: FetchPage, url: str, params: dict[str, str], rule: PagingRule,
                  select_items: Callable[[Any], list[Any]], *, source_id: str) -> Iterator[Page]:
    """Yield pages until the scheme reports the end; raise PaginationError on loops and caps."""
    seen_pages: set[str] = set()
    seen_links: set[str] = set()
    number, offset, cursor, next_url = rule.first_page, 0, None, url

    for count in range(1, rule.max_pages + 2):
        if count > rule.max_pages:
            raise PaginationError(f"source {source_id}: stopped after {rule.max_pages} pages", code="max-pages")

        query = _query(rule, params, number, offset, cursor)
        if rule.scheme == "next_url":
            # A next URL carries its own query, so the configured parameters go only on the first page.
            body = fetch(next_url, query if count == 1 else {})
        else:
            body = fetch(url, query)
        items = select_items(body)
        if not items:
            return

        fingerprint = _fingerprint(items)
        if fingerprint in seen_pages:
            raise PaginationError(f"source {source_id}: page {count} repeats the items of an earlier page")
        seen_pages.add(fingerprint)
        yield Page(count, body, items)

        if rule.scheme == "none":
            return
        if rule.scheme == "page":
            last = _as_int(evaluate(rule.last_page, body))
            if last is not None and number >= last:
                return
            number += 1
        elif rule.scheme == "offset":
            offset += len(items)
            total = _as_int(evaluate(rule.total, body))
            if (total is not None and offset >= total) or len(items) < rule.limit:
                return
        elif rule.scheme == "cursor":
            cursor = evaluate(rule.cursor, body)
            if not cursor:
                return
            _remember(seen_links, str(cursor), source_id)
        else:
            link = evaluate(rule.next_url, body)
            if not link:
                return
            next_url = urljoin(next_url, str(link))
            _remember(seen_links, next_url, source_id)


def _remember(seen: set[str], link: str, source_id: str) -> None:
    if link in seen:
        raise PaginationError(f"source {source_id}: next page {link} was already fetched")
    seen.add(link)


def _query(rule: PagingRule, params: dict[str, str], number: int, offset: int, cursor: Any) -> dict[str, str]:
    query = dict(params)
    if rule.scheme == "page":
        query[rule.page_param] = str(number)
    elif rule.scheme == "offset":
        query[rule.offset_param] = str(offset)
        query[rule.limit_param] = str(rule.limit)
    elif rule.scheme == "cursor" and cursor:
        query[rule.cursor_param] = str(cursor)
    return query
