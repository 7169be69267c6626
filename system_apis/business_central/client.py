"""The Business Central API v2.0 wire protocol over ``httpx.AsyncClient``.

Requests go to ``<api_url>/v2.0/<tenant>/<environment>/api/v2.0/companies(<id>)/<path>``
with a bearer token from Entra ID (:mod:`.tokens`); the company id is looked up by name once.
Collections page with ``@odata.nextLink`` (``Prefer: odata.maxpagesize``); JSON numbers are
read as Decimal. Every failure leaves as a :mod:`system_apis.contracts.errors` exception
raised ``from`` the native cause (:mod:`.errors`), never as an httpx exception: a write whose
answer was lost is UnknownOutcome, a read or a write never sent is Unavailable.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

import httpx

from system_apis.business_central.errors import error_from_response
from system_apis.business_central.tokens import TokenSource
from system_apis.contracts.errors import NotFound, Unavailable, UnknownOutcome

JsonObject = dict[str, Any]
ANALYTICS = "microsoft/analytics/v1.0"
OR_CHUNK = 20
"""Values per ``or`` chain in one ``$filter``: BC refuses filters past a length limit."""


def literal(value: str) -> str:
    """An OData v4 string literal."""
    return "'" + value.replace("'", "''") + "'"


def any_of(field: str, values: list[str], *, numeric: bool = False) -> str:
    return " or ".join(f"{field} eq {v if numeric else literal(v)}" for v in values)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot send {type(value).__name__}")


class BcClient:
    def __init__(
        self,
        *,
        api_url: str,
        login_url: str,
        tenant: str,
        environment: str,
        company: str,
        client_id: str,
        client_secret: str,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        connection: str | None = None,
        page_size: int = 1000,
    ) -> None:
        self.page_size = page_size
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._root = f"{api_url.rstrip('/')}/v2.0/{tenant}/{environment}/api"
        self._company_name = company
        self._company: str | None = None
        self._company_lock = asyncio.Lock()
        self.connection = connection
        self.tokens = TokenSource(
            self._http,
            f"{login_url.rstrip('/')}/{tenant}/oauth2/v2.0/token",
            client_id,
            client_secret,
            connection=connection,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the wire ----------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: JsonObject | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        write = method != "GET"
        content = None if body is None else json.dumps(body, default=_encode).encode()
        for attempt in (1, 2):
            token = await self.tokens.token()
            request_headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                **(headers or {}),
            }
            if content is not None:
                request_headers["Content-Type"] = "application/json"
            try:
                response = await self._http.request(
                    method, url, params=params, content=content, headers=request_headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise Unavailable(
                    f"Business Central could not be reached: {exc}", connection=self.connection
                ) from exc
            except httpx.HTTPError as exc:
                if write:
                    raise UnknownOutcome(
                        f"Business Central's answer to a {method} was lost: {exc}",
                        connection=self.connection,
                    ) from exc
                raise Unavailable(
                    f"Business Central failed to answer: {exc}", connection=self.connection
                ) from exc
            if response.status_code == 401 and attempt == 1:
                # An expired or revoked token: fetch another once; BC did nothing with this one.
                self.tokens.forget(token)
                continue
            if response.is_success:
                return response
            raise error_from_response(response, connection=self.connection or "", write=write)
        raise AssertionError("unreachable")

    def _json(self, response: httpx.Response, *, write: bool) -> JsonObject:
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            error = UnknownOutcome if write else Unavailable
            raise error(
                "Business Central answered something that is not JSON", connection=self.connection
            ) from exc
        if not isinstance(body, dict):
            error = UnknownOutcome if write else Unavailable
            raise error(
                "Business Central answered JSON that is not an object", connection=self.connection
            )
        return body

    async def company_url(self, api: str = "v2.0") -> str:
        async with self._company_lock:
            if self._company is None:
                response = await self._send(
                    "GET",
                    f"{self._root}/v2.0/companies",
                    params={
                        "$filter": f"name eq {literal(self._company_name)}",
                        "$select": "id,name",
                    },
                )
                found = self._json(response, write=False).get("value") or []
                if not found:
                    raise NotFound(
                        f"Business Central has no company {self._company_name!r}",
                        connection=self.connection,
                    )
                self._company = str(found[0]["id"])
        return f"{self._root}/{api}/companies({self._company})"

    # -- reads -------------------------------------------------------------------------------

    async def get(
        self, path: str, params: Mapping[str, str] | None = None, *, analytics: bool = False
    ) -> JsonObject:
        base = await self.company_url(ANALYTICS if analytics else "v2.0")
        return self._json(await self._send("GET", f"{base}/{path}", params=params), write=False)

    async def pages(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        page_size: int | None = None,
        analytics: bool = False,
    ) -> AsyncIterator[list[JsonObject]]:
        """Every entity of a collection, one list per answer, following ``@odata.nextLink``."""
        base = await self.company_url(ANALYTICS if analytics else "v2.0")
        async for page in self.pages_from(f"{base}/{path}", params, page_size=page_size):
            yield page

    async def pages_from(
        self,
        url: str | None,
        query: Mapping[str, str] | None = None,
        *,
        page_size: int | None = None,
    ) -> AsyncIterator[list[JsonObject]]:
        """The pages from ``url`` on (a collection, or a ``@odata.nextLink``)."""
        prefer = {"Prefer": f"odata.maxpagesize={page_size or self.page_size}"}
        while url is not None:
            body = self._json(
                await self._send("GET", url, params=query, headers=prefer), write=False
            )
            yield list(body.get("value") or [])
            link = body.get("@odata.nextLink")
            url, query = (str(link), None) if link else (None, None)

    async def all(
        self, path: str, params: Mapping[str, str] | None = None, *, analytics: bool = False
    ) -> list[JsonObject]:
        rows: list[JsonObject] = []
        async for page in self.pages(path, params, analytics=analytics):
            rows.extend(page)
        return rows

    async def any_of(
        self,
        path: str,
        field: str,
        values: list[str],
        params: Mapping[str, str] | None = None,
        *,
        analytics: bool = False,
        extra: str | None = None,
        numeric: bool = False,
    ) -> list[JsonObject]:
        """Entities whose ``field`` is one of ``values``: a bounded number of reads, one per
        :data:`OR_CHUNK` values; ``extra`` is and-ed to each filter."""
        rows: list[JsonObject] = []
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), OR_CHUNK):
            expression = f"({any_of(field, unique[start : start + OR_CHUNK], numeric=numeric)})"
            if extra:
                expression = f"{expression} and {extra}"
            rows.extend(
                await self.all(path, {**(params or {}), "$filter": expression}, analytics=analytics)
            )
        return rows

    # -- writes ------------------------------------------------------------------------------

    async def create(
        self, path: str, body: JsonObject, params: Mapping[str, str] | None = None
    ) -> JsonObject:
        base = await self.company_url()
        response = await self._send("POST", f"{base}/{path}", params=params, body=body)
        return self._json(response, write=True)

    async def patch(self, path: str, body: JsonObject, etag: str) -> JsonObject:
        base = await self.company_url()
        response = await self._send(
            "PATCH", f"{base}/{path}", body=body, headers={"If-Match": etag}
        )
        return self._json(response, write=True)

    async def action(self, path: str) -> None:
        base = await self.company_url()
        await self._send("POST", f"{base}/{path}")
