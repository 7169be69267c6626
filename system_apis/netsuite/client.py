"""``NetSuiteClient``: SuiteTalk REST over httpx, Token-Based Authentication on every request.

* ``suiteql``: ``POST /services/rest/query/v1/suiteql?limit=&offset=`` with ``Prefer:
  transient`` and ``{"q": ...}``; the answer's ``items`` (null columns left out, every value
  text) and ``totalResults``.
* ``record``: ``GET /services/rest/record/v1/{type}/{id}`` (``eid:<externalId>`` for an id).
* ``create`` / ``transform``: ``POST`` a record or ``.../{id}/!transform/{target}``; NetSuite
  answers 204 with the new record's URL in ``Location``, whose last segment is its id.
* ``update``: ``PATCH`` a record.

Transport failures and error answers become the project's errors here (:mod:`.errors`); a
write whose answer was lost is :class:`UnknownOutcome`, never retried by this client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from system_apis.contracts.errors import ErpError, Unavailable, UnknownOutcome
from system_apis.netsuite.errors import error_from_response

RECORDS = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"
MAX_LIMIT = 1000
Row = dict[str, Any]


@dataclass(frozen=True)
class QueryPage:
    """One page of a SuiteQL answer."""

    items: list[Row]
    total: int
    has_more: bool


class NetSuiteClient:
    """One NetSuite account, reached at ``base_url``
    (``https://<account>.suitetalk.api.netsuite.com``)."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        connection: str | None = None,
    ) -> None:
        self.connection = connection
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def suiteql(self, query: str, *, limit: int = MAX_LIMIT, offset: int = 0) -> QueryPage:
        response = await self._send(
            "POST",
            SUITEQL,
            write=False,
            params={"limit": limit, "offset": offset},
            json={"q": query},
            headers={"Prefer": "transient"},
        )
        body = self._json(response)
        try:
            items = body["items"]
            total = int(body.get("totalResults", len(items)))
            return QueryPage(list(items), total, bool(body.get("hasMore", False)))
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable(
                f"NetSuite answered a SuiteQL page the adapter cannot read: {exc}",
                connection=self.connection,
            ) from exc

    async def suiteql_all(self, query: str) -> list[Row]:
        """Every row of ``query``, page after page of the largest size."""
        rows: list[Row] = []
        while True:
            page = await self.suiteql(query, offset=len(rows))
            rows.extend(page.items)
            if not page.has_more or not page.items:
                return rows

    async def record(self, kind: str, key: str, *, expand: bool = False) -> Row:
        params = {"expandSubResources": "true"} if expand else None
        response = await self._send("GET", f"{RECORDS}/{kind}/{key}", write=False, params=params)
        return self._json(response)

    async def create(self, kind: str, body: Row) -> str:
        """Inserts a record; answers its internal id."""
        response = await self._send("POST", f"{RECORDS}/{kind}", write=True, json=body)
        return self._created_id(response)

    async def transform(self, kind: str, native_id: str, target: str, body: Row) -> str:
        """Transforms a record into a new one of type ``target``; answers the new id."""
        path = f"{RECORDS}/{kind}/{native_id}/!transform/{target}"
        response = await self._send("POST", path, write=True, json=body)
        return self._created_id(response)

    async def update(self, kind: str, native_id: str, body: Row) -> None:
        await self._send("PATCH", f"{RECORDS}/{kind}/{native_id}", write=True, json=body)

    def _created_id(self, response: httpx.Response) -> str:
        location = str(response.headers.get("Location", ""))
        native_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not native_id.isdigit():
            raise UnknownOutcome(
                f"NetSuite accepted the record but named no new id (Location {location!r})",
                connection=self.connection,
            )
        return native_id

    def _json(self, response: httpx.Response) -> Row:
        try:
            body = response.json()
        except ValueError as exc:
            raise Unavailable(
                "NetSuite answered something that is not JSON", connection=self.connection
            ) from exc
        if not isinstance(body, dict):
            raise Unavailable("NetSuite answered JSON of another shape", connection=self.connection)
        return body

    async def _send(self, method: str, path: str, *, write: bool, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unavailable(
                f"NetSuite cannot be reached: {exc}", connection=self.connection
            ) from exc
        except httpx.TransportError as exc:
            error: ErpError = (
                UnknownOutcome(
                    f"NetSuite's answer to a {method} was lost: {exc}", connection=self.connection
                )
                if write
                else Unavailable(f"NetSuite did not answer: {exc}", connection=self.connection)
            )
            raise error from exc
        if response.status_code >= 400:
            raise error_from_response(response, write=write, connection=self.connection)
        return response
