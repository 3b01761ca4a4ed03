"""The shared HTTP client every connector uses.

One `HttpClient` serves one job. It owns the connect, read and total
timeouts, the response size cap (checked while streaming and while
decompressing), retries with exponential backoff honouring `Retry-After`,
per-host politeness, the User-Agent, redirects (followed here, one hop at a
time, so each hop passes the egress guard and loses its credentials when it
leaves the origin) and the egress guard in `harvester.egress`.

Environment proxies are ignored and cookies are never kept between requests.
"""

from __future__ import annotations

import email.utils
import logging
import math
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpcore
import httpx
import orjson

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harvester.egress import DeadlineClock, EgressGuard, GuardedBackend
from harvester.errors import BlockedAddressError, ConfigError, FetchError, RemoteError, ResponseTooLargeError
from harvester.http_cache import ConditionalCache
from harvester.jsonsafe import parse_page

if TYPE_CHECKING:
    from harvester.settings import Settings
    from harvester.sources import SourceConfig

__all__ = ["HttpClient", "HttpPolicy", "HttpResponse", "HttpSourceOptions", "HttpStatusError", "redact_url"]

logger = logging.getLogger(__name__)


class _DropHttpxRequestLines(logging.Filter):
    """Drop httpx's own per-request lines: they carry the full URL, and a source's
    key may sit in the path (the BPS WebAPI puts it there). `HttpClient` logs its
    retries and failures itself, with redacted URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("HTTP Request:")


logging.getLogger("httpx").addFilter(_DropHttpxRequestLines())

MIB = 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_CODES = frozenset({"connect-failed", "connect-timeout", "connection-error", "dns-failed",
                             "read-timeout"})
DEFAULT_CREDENTIAL_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey",
    "x-auth-token", "x-access-token", "token",
})


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """Limits and politeness of one client. Times are in seconds, sizes in bytes."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_deadline: float = 120.0
    max_response_bytes: int = 50 * MIB
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 600.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    max_in_flight_per_host: int = 1
    min_delay_per_host: float = 1.0
    max_redirects: int = 5
    allowlist: tuple[str, ...] = ()
    credential_headers: frozenset[str] = DEFAULT_CREDENTIAL_HEADERS

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpPolicy:
        """Build the process-wide default policy from the settings."""
        return cls(allowlist=tuple(getattr(settings, "egress_allowlist", ()) or ()))

    def for_source(self, source: SourceConfig | None) -> HttpPolicy:
        """Return this policy with the source's `options.http` overrides applied."""
        if source is None or not source.options.get("http"):
            return self
        try:
            overrides = HttpSourceOptions.model_validate(source.options["http"])
        except ValidationError as error:
            raise ConfigError(f"source {source.id}: invalid http options: {error}") from error
        return overrides.apply(self)


class HttpSourceOptions(BaseModel):
    """Per-source HTTP overrides, read from a source's `options.http` mapping.

    Every connector's options model accepts this mapping under `http`.
    """

    model_config = ConfigDict(extra="forbid")

    max_response_mib: float | None = Field(default=None, gt=0, le=500,
                                           description="Response size cap in MiB (at most 500).")
    total_deadline_seconds: float | None = Field(default=None, gt=0, le=3600,
                                                 description="Total time for one request, in seconds.")
    min_delay_seconds: float | None = Field(default=None, ge=0,
                                            description="Minimum delay between requests to the host, in seconds.")
    max_in_flight: int | None = Field(default=None, ge=1, le=8,
                                      description="Requests in flight to the host at once.")
    retry_after_cap_seconds: float | None = Field(default=None, ge=0, le=3600,
                                                  description="Longest Retry-After wait honoured, in seconds.")
    max_retries: int | None = Field(default=None, ge=0, le=10)
    allowlist: list[str] = Field(default_factory=list,
                                 description="Extra egress allowlist entries: networks or host:port pairs.")

    def apply(self, policy: HttpPolicy) -> HttpPolicy:
        """Return `policy` with the values set here."""
        changes: dict[str, Any] = {}
        if self.max_response_mib is not None:
            changes["max_response_bytes"] = int(self.max_response_mib * MIB)
        if self.total_deadline_seconds is not None:
            changes["total_deadline"] = self.total_deadline_seconds
        if self.min_delay_seconds is not None:
            changes["min_delay_per_host"] = self.min_delay_seconds
        if self.max_in_flight is not None:
            changes["max_in_flight_per_host"] = self.max_in_flight
        if self.retry_after_cap_seconds is not None:
            changes["retry_after_cap"] = self.retry_after_cap_seconds
        if self.max_retries is not None:
            changes["max_retries"] = self.max_retries
        if self.allowlist:
            changes["allowlist"] = (*policy.allowlist, *self.allowlist)
        return replace(policy, **changes)


@dataclass(slots=True)
class HttpResponse:
    """A fully read response. `content` is the decoded body (after gzip or deflate)."""

    status: int
    headers: httpx.Headers
    url: str
    content: bytes
    history: list[str] = field(default_factory=list)
    from_cache: bool = False

    @property
    def charset(self) -> str | None:
        content_type = self.headers.get("content-type", "")
        for parameter in content_type.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip('"').lower()
        return None

    @property
    def text(self) -> str:
        """Return the body decoded by its BOM, its declared charset, or UTF-8.

        Raises `RemoteError` (`invalid-encoding`) when the bytes do not decode,
        so mis-declared text is never stored as mojibake.
        """
        body = self.content
        if body.startswith(b"\xef\xbb\xbf"):
            return self._decode(body[3:], "utf-8")
        if body.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self._decode(body, "utf-16")
        return self._decode(body, self.charset or "utf-8")

    def json(self, *, per_record: bool = False) -> Any:
        """Parse the body as JSON; raise `RemoteError` (`invalid-json`) naming the URL.

        With `per_record`, a bad value (NaN, an out-of-range number, a repeated
        key, NUL or a lone surrogate, deep nesting) is left as a marker instead
        of failing the page. Connectors that split the page into records use
        it and reject each flawed record (`harvester.jsonsafe.record_flaw`).
        Without it, orjson parses the page and a repeated key keeps its last value.
        """
        body = self.content
        charset = self.charset
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        elif charset not in (None, "utf-8", "utf8", "us-ascii", "ascii"):
            body = self.text.encode("utf-8")
        try:
            return parse_page(body) if per_record else orjson.loads(body)
        except ValueError as error:
            raise RemoteError(f"invalid JSON from {redact_url(self.url)}: {error}", code="invalid-json") from error

    def _decode(self, body: bytes, charset: str) -> str:
        try:
            return body.decode(charset)
        except (UnicodeDecodeError, LookupError) as error:
            raise RemoteError(
                f"body of {redact_url(self.url)} is not valid {charset}: {error}", code="invalid-encoding"
            ) from error


class HttpStatusError(FetchError):
    """The server answered with an error status (after retries). `response` holds its body."""

    def __init__(self, message: str, *, response: HttpResponse) -> None:
        super().__init__(message, url=response.url, status=response.status, code=f"http-{response.status}")
        self.response = response


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the guarded network backend and no environment proxy."""

    def __init__(self, guard: EgressGuard, clock: DeadlineClock) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=GuardedBackend(guard, clock),
        )


def user_agent(settings: Settings) -> str:
    """Return the User-Agent naming Himpun, its version and the contact URL."""
    try:
        version = metadata.version("himpun")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"Himpun/{version} (+{settings.contact_url})"


class HttpClient:
    """The HTTP client of one harvest job; see the module docstring for what it enforces."""

    def __init__(
        self,
        settings: Settings,
        *,
        source: SourceConfig | None = None,
        transport: httpx.BaseTransport | None = None,
        resolver: Callable[[str, int], list[str]] | None = None,
        policy: HttpPolicy | None = None,
    ) -> None:
        base = policy or HttpPolicy.from_settings(settings)
        self.policy = base.for_source(source)
        self.source_id = source.id if source is not None else None
        self.guard = EgressGuard(self.policy.allowlist, resolver)
        self.cache = (ConditionalCache(settings.data_dir / "http-cache" / source.id)
                      if source is not None and settings.conditional_requests else None)
        self._clock = DeadlineClock()
        self._sleep: Callable[[float], None] = time.sleep
        self._client = httpx.Client(
            transport=transport or GuardedTransport(self.guard, self._clock),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=self.policy.total_deadline,
            ),
            headers={"User-Agent": user_agent(settings), "Accept-Encoding": "gzip, deflate"},
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> HttpResponse:
        """Send a GET request; raise `HttpStatusError` for a 4xx or 5xx final status.

        With a conditional cache, the request carries the stored validators,
        and a 304 answer comes back as the stored 200 response.
        """
        request = self._client.build_request("GET", url, params=params, headers=headers)
        if self.cache is None:
            return self._fetch(request)

        key = str(request.url)
        for name, value in self.cache.request_headers(key).items():
            request.headers.setdefault(name, value)
        response = self._fetch(request)
        if response.status == 304:
            cached = self.cache.cached(key)
            if cached is not None:
                logger.info("not modified since the last harvest: %s", redact_url(key))
                return HttpResponse(status=200, headers=httpx.Headers(cached[0]), url=response.url,
                                    content=cached[1], history=response.history, from_cache=True)
        elif response.status == 200:
            self.cache.store(key, response.headers, response.content)
        return response

    def post(self, url: str, *, json: Any = None, data: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None) -> HttpResponse:
        """Send a POST request with a JSON or form body; errors as for `get`."""
        if json is not None:
            merged = {"Content-Type": "application/json", **(headers or {})}
            request = self._client.build_request("POST", url, content=orjson.dumps(json), headers=merged)
        else:
            request = self._client.build_request("POST", url, data=data, headers=headers)
        return self._fetch(request)

    def get_json(self, url: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None, per_record: bool = False) -> Any:
        """Send a GET request and return the parsed JSON body (see `HttpResponse.json`)."""
        return self.get(url, params=params, headers=headers).json(per_record=per_record)

    def post_json(self, url: str, *, json: Any = None, data: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None, per_record: bool = False) -> Any:
        """Send a POST request and return the parsed JSON body (see `HttpResponse.json`)."""
        return self.post(url, json=json, data=data, headers=headers).json(per_record=per_record)

    def _fetch(self, request: httpx.Request) -> HttpResponse:
        history: list[str] = []
        for hop in range(self.policy.max_redirects + 1):
            code = "blocked-address" if hop == 0 else "redirect-blocked"
            self._check_egress(request, code)

            response = self._send_with_retries(request, code)
            response.history = history
            if response.status not in REDIRECT_STATUSES or "location" not in response.headers:
                return self._raise_for_status(response)

            history.append(response.url)
            request = self._next_hop(request, response)

        error = FetchError(
            f"more than {self.policy.max_redirects} redirects, last to {redact_url(str(request.url))}",
            url=str(request.url), code="too-many-redirects",
        )
        self._log_failure(error, str(request.url))
        raise error

    def _check_egress(self, request: httpx.Request, code: str) -> None:
        try:
            self.guard.check_url(str(request.url), code=code)
        except FetchError as error:
            self._log_failure(error, str(request.url))
            raise

    def _raise_for_status(self, response: HttpResponse) -> HttpResponse:
        if response.status < 400:
            return response
        error = HttpStatusError(f"HTTP {response.status} from {redact_url(response.url)}", response=response)
        self._log_failure(error, response.url)
        raise error

    def _next_hop(self, request: httpx.Request, response: HttpResponse) -> httpx.Request:
        target = request.url.join(response.headers["location"])
        method = request.method
        content: bytes | None = request.content or None
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method, content = ("HEAD" if method == "HEAD" else "GET"), None

        headers = httpx.Headers(request.headers)
        for name in ("host", "content-length", "transfer-encoding"):
            headers.pop(name, None)
        if content is None:
            headers.pop("content-type", None)
        if _origin(target) != _origin(request.url):
            for name in list(headers.keys()):
                if name.lower() in self.policy.credential_headers:
                    del headers[name]
        return self._client.build_request(method, target, headers=headers, content=content)

    def _send_with_retries(self, request: httpx.Request, egress_code: str) -> HttpResponse:
        url = str(request.url)
        attempt = 0
        while True:
            try:
                response = self._send_once(request)
            except BlockedAddressError as error:
                error.code = egress_code
                self._log_failure(error, url)
                raise
            except FetchError as error:
                if error.code not in RETRYABLE_CODES or attempt >= self.policy.max_retries:
                    self._log_failure(error, url)
                    raise
                delay = self._backoff(attempt)
                reason = error.code
            else:
                if response.status not in self.policy.retry_statuses or attempt >= self.policy.max_retries:
                    return response
                delay = self._retry_delay(response, attempt)
                reason = f"HTTP {response.status}"

            attempt += 1
            logger.warning("source %s: retry %d of %d for %s in %.1f s after %s", self.source_id,
                           attempt, self.policy.max_retries, redact_url(url), delay, reason)
            self._sleep(delay)

    def _send_once(self, request: httpx.Request) -> HttpResponse:
        host = request.url.host
        HOST_SLOTS.acquire(host, self.policy.max_in_flight_per_host, self.policy.min_delay_per_host)
        deadline = time.monotonic() + self.policy.total_deadline
        self._clock.set(deadline)
        try:
            return self._exchange(request, deadline)
        except httpx.TimeoutException as error:
            raise self._timeout_error(error, request, deadline) from error
        except (httpx.ConnectError, httpcore.ConnectError) as error:
            raise FetchError(f"connection to {host} failed: {error}", url=str(request.url),
                             code="connect-failed") from error
        except (httpx.TransportError, httpcore.NetworkError) as error:
            raise FetchError(f"connection to {host} broke: {error}", url=str(request.url),
                             code="connection-error") from error
        finally:
            self._clock.set(None)
            self._client.cookies.clear()
            HOST_SLOTS.release(host)

    def _exchange(self, request: httpx.Request, deadline: float) -> HttpResponse:
        response = self._client.send(request, stream=True)
        try:
            content = read_body(response, max_bytes=self.policy.max_response_bytes, deadline=deadline)
        finally:
            response.close()
        return HttpResponse(status=response.status_code, headers=response.headers,
                            url=str(response.url), content=content)

    def _timeout_error(self, error: httpx.TimeoutException, request: httpx.Request,
                       deadline: float) -> FetchError:
        url = str(request.url)
        if time.monotonic() >= deadline - 0.01:
            return FetchError(f"{redact_url(url)} took longer than the {self.policy.total_deadline:g} s "
                              "deadline", url=url, code="deadline-exceeded")
        if isinstance(error, httpx.ConnectTimeout):
            return FetchError(f"connect to {request.url.host} timed out", url=url, code="connect-timeout")
        return FetchError(f"read from {redact_url(url)} timed out", url=url, code="read-timeout")

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff_base * (2 ** attempt), self.policy.backoff_max)

    def _retry_delay(self, response: HttpResponse, attempt: int) -> float:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            return self._backoff(attempt)
        return min(retry_after, self.policy.retry_after_cap)

    def _log_failure(self, error: FetchError, url: str) -> None:
        logger.warning("source %s: request to %s failed: %s (%s)", self.source_id, redact_url(url),
                       error.code, error)


def parse_retry_after(value: str | None) -> float | None:
    """Return the wait a `Retry-After` header asks for, in seconds (delta or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = 443 if url.scheme == "https" else 80
    return (url.scheme, url.host.lower(), url.port or default_port)


DECOMPRESS_STEP = MIB
_SECRET_QUERY_NAME = re.compile(r"key|token|secret|password|passwd|signature|auth", re.IGNORECASE)


def redact_url(url: str) -> str:
    """Return `url` without user info and with secret-looking query values masked, for logs."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid URL>"
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    if parsed.query:
        pairs = [(name, "***" if _SECRET_QUERY_NAME.search(name) else value)
                 for name, value in parsed.params.multi_items()]
        parsed = parsed.copy_with(params=pairs)
    return str(parsed)


class _Decoder:
    """Decompresses a gzip or deflate body in steps of at most `DECOMPRESS_STEP` bytes."""

    def __init__(self, encoding: str, url: str) -> None:
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
        elif encoding in ("", "identity"):
            self._inflater = None
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r} from {redact_url(url)}",
                             url=url, code="unsupported-encoding")
        self._first = True
        self._url = url

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            if data:
                yield data
            return
        if self._first and self.encoding == "deflate" and data:
            self._first = False
            if (data[0] & 0x0F) != 8:
                # Some servers send raw deflate without the zlib header.
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)

        pending = data
        while pending:
            try:
                piece = self._inflater.decompress(pending, DECOMPRESS_STEP)
            except zlib.error as error:
                raise FetchError(f"corrupt {self.encoding} body from {redact_url(self._url)}: {error}",
                                 url=self._url, code="invalid-encoding") from error
            if piece:
                yield piece
            pending = self._inflater.unconsumed_tail

    def flush(self) -> bytes:
        return self._inflater.flush() if self._inflater is not None else b""


def read_body(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    """Read and decode a streamed body, enforcing the size cap and the total deadline.

    The cap applies to the raw bytes received and to the decoded bytes, and
    decompression runs in bounded steps, so a compression bomb stops at the
    cap without inflating further.
    """
    url = str(response.request.url)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)

    decoder = _Decoder(response.headers.get("content-encoding", "").strip().lower(), url)
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        if time.monotonic() > deadline:
            raise FetchError(f"{redact_url(url)} passed its total deadline while streaming",
                             url=url, code="deadline-exceeded")
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(url, max_bytes)
        for piece in decoder.feed(chunk):
            body += piece
            if len(body) > max_bytes:
                raise _too_large(url, max_bytes)

    body += decoder.flush()
    if len(body) > max_bytes:
        raise _too_large(url, max_bytes)
    return bytes(body)


def _too_large(url: str, max_bytes: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(f"response from {redact_url(url)} is larger than {max_bytes} bytes",
                                 url=url)


class HostSlots:
    """Per-host politeness shared by every client of the process.

    At most `limit` requests run at once against one host, and each request
    starts at least `min_delay` seconds after the previous start.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._in_flight: dict[str, int] = {}
        self._next_start: dict[str, float] = {}

    def acquire(self, host: str, limit: int, min_delay: float) -> None:
        with self._condition:
            while self._in_flight.get(host, 0) >= limit:
                self._condition.wait()
            self._in_flight[host] = self._in_flight.get(host, 0) + 1

            now = time.monotonic()
            start = max(now, self._next_start.get(host, -math.inf))
            self._next_start[host] = start + min_delay

        if start > now:
            time.sleep(start - now)

    def release(self, host: str) -> None:
        with self._condition:
            self._in_flight[host] -= 1
            self._condition.notify_all()


HOST_SLOTS = HostSlots()
