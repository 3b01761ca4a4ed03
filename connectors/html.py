"""HTML-only portals scraped with selectors from YAML (family "html").

Pages are fetched with the job's HttpClient, not with Scrapy's Twisted
downloader, so the size caps, deadlines, retries, politeness delay and
egress guard stay in one client and the scrape runs in the job's thread.
Scrapy's `Selector` does the CSS/XPath extraction and Protego, Scrapy's
robots.txt parser, reads robots.txt (RFC 9309): a 4xx reply allows
everything, and a 5xx reply or a network failure fails the job with
`robots-unreachable`, because the rules cannot be known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from protego import Protego
from pydantic import Field
from scrapy.selector import Selector

from connectors.base import Connector, RemoteRecord
from connectors.family_options import FamilyOptions
from harvester.errors import FetchError, InvalidRecordError, PaginationError, SkippedRecordError, SourceError
from harvester.http import HttpStatusError
from harvester.model import Agent, Concept, DatasetRecord

__all__ = ["HtmlConnector", "HtmlOptions", "RobotsRules"]

logger = logging.getLogger(__name__)

ROBOTS_AGENT = "Himpun"


class HtmlOptions(FamilyOptions):
    """Options of an HTML source: selectors for the list, its paging and the detail fields."""

    selector_type: Literal["css", "xpath"] = "css"
    item: str = Field(description="Selector of each dataset entry on a list page.")
    detail_link: str | None = Field(default=None, description="Selector, inside an entry, of the detail page URL.")
    next_page: str | None = Field(default=None, description="Selector of the next list page URL.")
    content: str = Field(default="body", description="Selector of the part of a detail page kept as the raw record.")
    fields: dict[str, str] = Field(description="Record field -> selector returning text, inside `content`.")
    max_pages: int = Field(default=1_000, ge=1)


class RobotsRules:
    """The robots.txt rules of one host, read once per job."""

    def __init__(self, parser: Protego | None) -> None:
        self._parser = parser

    def allows(self, url: str) -> bool:
        return self._parser is None or self._parser.can_fetch(url, ROBOTS_AGENT)


def _select(root: Selector, selector_type: str, query: str) -> list[Selector]:
    return root.css(query) if selector_type == "css" else root.xpath(query)


def _text(root: Selector, selector_type: str, query: str) -> str | None:
    found = _select(root, selector_type, query)
    texts = [" ".join(part.split()) for part in found.getall()] if found else []
    joined = " ".join(text for text in texts if text)
    return joined or None


class HtmlConnector(Connector):
    """Harvest a portal that offers only HTML pages."""

    family = "html"
    title = "Portal HTML / HTML portal"
    Options = HtmlOptions

    options: HtmlOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        robots = self._robots(self.source.url)
        url: str | None = self.source.url
        seen: set[str] = set()
        while url is not None:
            self._check_page(url, seen, robots)
            page = Selector(text=self.http.get(url).text)
            self.state.pages += 1
            yield from self._entries(page, url, robots)
            url = self._next_url(page, url)
        self.state.complete = True

    def _robots(self, url: str) -> RobotsRules:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = self.http.get(robots_url)
        except HttpStatusError as error:
            if error.status is not None and 400 <= error.status < 500:
                return RobotsRules(None)
            raise SourceError(f"source {self.source.id}: robots.txt returned HTTP {error.status}; "
                              "scraping is not allowed until it is readable", code="robots-unreachable") from error
        except FetchError as error:
            raise SourceError(f"source {self.source.id}: robots.txt could not be fetched: {error}",
                              code="robots-unreachable") from error
        return RobotsRules(Protego.parse(response.text))

    def _check_page(self, url: str, seen: set[str], robots: RobotsRules) -> None:
        if url in seen:
            raise PaginationError(f"source {self.source.id}: list page {url} was already fetched")
        if len(seen) >= self.options.max_pages:
            raise PaginationError(f"source {self.source.id}: stopped after {self.options.max_pages} pages",
                                  code="max-pages")
        if not robots.allows(url):
            raise SourceError(f"source {self.source.id}: robots.txt disallows the list page {url}",
                              code="robots-disallowed")
        seen.add(url)

    def _next_url(self, page: Selector, url: str) -> str | None:
        if not self.options.next_page:
            return None
        link = _select(page, self.options.selector_type, self.options.next_page).get()
        return urljoin(url, link.strip()) if link and link.strip() else None

    def _entries(self, page: Selector, url: str, robots: RobotsRules) -> Iterator[RemoteRecord]:
        for entry in _select(page, self.options.selector_type, self.options.item):
            if self.options.detail_link is None:
                digest = hashlib.sha256(entry.get().encode("utf-8")).hexdigest()[:16]
                yield RemoteRecord(remote_id=f"{url}#{digest}", raw=entry.get(), raw_format="html", remote_url=url)
                continue
            link = _select(entry, self.options.selector_type, self.options.detail_link).get()
            if not link or not link.strip():
                error = InvalidRecordError(f"{url}: entry without a detail link", value=entry.get()[:300])
                yield RemoteRecord(remote_id="", raw=entry.get(), raw_format="html", remote_url=url, error=error)
                continue
            yield self._detail(urljoin(url, link.strip()), robots)

    def _detail(self, url: str, robots: RobotsRules) -> RemoteRecord:
        if not robots.allows(url):
            error = SkippedRecordError(f"robots.txt disallows {url}", remote_id=url, code="robots-disallowed")
            return RemoteRecord(remote_id=url, raw="", raw_format="html", remote_url=url, error=error)
        try:
            page = Selector(text=self.http.get(url).text)
        except HttpStatusError as error:
            if error.status is not None and error.status >= 500:
                raise
            failed = InvalidRecordError(f"detail page {url} failed: {error}", remote_id=url, code="detail-failed")
            return RemoteRecord(remote_id=url, raw="", raw_format="html", remote_url=url, error=failed)
        content = _select(page, self.options.selector_type, self.options.content).get() or ""
        return RemoteRecord(remote_id=url, raw=content, raw_format="html", remote_url=url)

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        root = Selector(text=remote.raw or "<html></html>")
        values: dict[str, Any] = {name: _text(root, self.options.selector_type, query)
                                  for name, query in self.options.fields.items()}
        if not values.get("title"):
            raise InvalidRecordError(f"page {remote.remote_id} has no title", remote_id=remote.remote_id)

        creator, publisher = values.get("creator"), values.get("publisher")
        keywords = [word.strip() for word in (values.get("keywords") or "").split(",") if word.strip()]
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(
            title=values["title"],
            description=values.get("description"),
            keywords=keywords,
            creator=Agent(name=creator, original=creator) if creator else None,
            publisher=Agent(name=publisher, original=publisher) if publisher else None,
            frequency=Concept(original=values["frequency"]) if values.get("frequency") else None,
            themes=[Concept(original=values["topic"])] if values.get("topic") else [],
            landing_page=remote.remote_url,
            identifiers=[remote.remote_id],
            extras={name: value for name, value in values.items() if name in ("modified", "issued", "region") and value},
            provenance=self.provenance(remote, harvested_at),
        )
