"""A polite way to a search service: paced requests, retries, and every failure put in words.

One rate limiter per service spaces its requests; 429 and 5xx answers (and network errors) are
retried with exponential backoff where a `Retry-After` in seconds wins, and a request that still
fails, or an answer that does not parse, raises `ServiceError` for the orchestration to quarantine.
`SearchClient` is what each service's client builds on, so all of them share this behaviour.
"""

from __future__ import annotations

import asyncio
import logging
import time
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import httpx
import orjson

from tasks.sourcing.academic_fields import as_dict
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ServiceError(Exception):
    """A request that failed for good, or an answer that does not parse; its reason is quarantined.

    `raw` is the whole answer: it is scrubbed of secrets before it is cut to an excerpt, so no part of
    a key can survive at the cut.
    """

    def __init__(self, reason: str, raw: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


class RateLimiter:
    """Starts requests at least `1 / per_second` apart, however many tasks share it."""

    def __init__(self, per_second: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    async def acquire(self) -> None:
        """Wait for the next free slot; the slot is taken before waiting, so tasks queue fairly."""
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await self._sleep(start - now)


def retry_delay(attempt: int, retry_after: str | None, settings: AcademicSettings) -> float | None:
    """Seconds to wait after failed try `attempt`: Retry-After (seconds) when sent, else exponential.

    None means the service asked for a longer wait than `max_wait_s`: better to give up and say so.
    An HTTP-date Retry-After is ignored, since honouring it would tie the run to the wall clock.
    """
    if retry_after is not None:
        try:
            asked = max(float(retry_after.strip()), 0.0)
        except ValueError:
            asked = None
        if asked is not None:
            return asked if asked <= settings.max_wait_s else None
    return min(settings.backoff_s * 2 ** (attempt - 1), settings.max_wait_s)


class _Requester:
    """One service's way to the network: paced, retried, every failure put in words."""

    def __init__(
        self,
        service: Service,
        http: httpx.AsyncClient,
        settings: AcademicSettings,
        per_second: float,
        clock: Clock,
        sleep: Sleep,
    ) -> None:
        self.service = service
        self.http = http
        self.settings = settings
        self.limiter = RateLimiter(per_second, clock=clock, sleep=sleep)
        self.sleep = sleep
        contact = f" (mailto:{settings.contact_email})" if settings.contact_email else ""
        self.headers = {"User-Agent": f"{settings.tool}{contact}"}

    async def fetch(
        self,
        method: str,
        url: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The first 2xx answer; 429, 5xx and network errors are retried, anything else raises."""
        attempts, attempt = self.settings.max_attempts, 0
        while True:
            attempt += 1
            await self.limiter.acquire()
            retry_after: str | None = None
            raw: str | None = None
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=self.headers,
                    timeout=self.settings.timeout_s,
                    follow_redirects=True,
                )
            except httpx.TransportError as error:
                problem = f"{type(error).__name__} {error}".strip()
            else:
                if response.is_success:
                    return response
                problem, raw = f"HTTP {response.status_code}", response.text
                if response.status_code != 429 and response.status_code < 500:
                    raise ServiceError(f"{what} answered {problem}", raw)
                retry_after = response.headers.get("Retry-After")
            if attempt == attempts:
                raise ServiceError(f"{what} answered {problem} on all {attempts} attempts", raw)
            delay = retry_delay(attempt, retry_after, self.settings)
            if delay is None:
                raise ServiceError(
                    f"{what} answered {problem} and asked to wait {retry_after}s, more than max_wait_s", raw
                )
            logger.info(
                "%s %s answered %s; try %d in %.1fs", self.service.value, what, problem, attempt + 1, delay
            )
            await self.sleep(delay)


class SearchClient(ABC):
    """A service's search: pages of findings for a query, up to `limit` of them."""

    service: ClassVar[Service]

    def __init__(self, http: httpx.AsyncClient, settings: AcademicSettings, clock: Clock, sleep: Sleep):
        self.settings = settings
        self.requester = _Requester(self.service, http, settings, self.per_second(settings), clock, sleep)

    @staticmethod
    @abstractmethod
    def per_second(settings: AcademicSettings) -> float:
        """The service's request rate for these settings."""

    @abstractmethod
    def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        """Findings page by page, `limit` at most; a failure raises ServiceError."""


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON object of an answer; anything else is the service's fault, put in words."""
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        raise ServiceError(f"{what} answered malformed JSON ({error})", response.text) from error
    if not isinstance(data, dict):
        raise ServiceError(f"{what} answered JSON that is not an object", response.text)
    return data


def list_at(data: dict[str, Any], response: httpx.Response, what: str, *path: str) -> list[Any]:
    """The list at `path` inside an answer's object, or a ServiceError naming the path."""
    value: Any = data
    for key in path:
        value = as_dict(value).get(key)
    if not isinstance(value, list):
        raise ServiceError(f"{what} answered JSON without a {'.'.join(path)} list", response.text)
    return value


def page_findings(records: list[Any], build: Callable[[dict[str, Any]], Finding], room: int) -> list[Finding]:
    """The findings of a page's records (objects only), no more than `room` of them."""
    return [build(record) for record in records if isinstance(record, dict)][:room]


def xml_root(response: httpx.Response, what: str) -> ET.Element:
    """The root element of an XML answer; malformed XML is the service's fault, put in words."""
    try:
        return ET.fromstring(response.content)
    except ET.ParseError as error:
        raise ServiceError(f"{what} answered malformed XML ({error})", response.text) from error
