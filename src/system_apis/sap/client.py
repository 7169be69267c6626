"""The SAP OData v2 wire protocol over ``httpx.AsyncClient``.

:class:`SapODataClient` knows URLs, query options, authentication, CSRF tokens and SAP's error
answers; it knows nothing of the canonical model. Every failure leaves it as a
:mod:`system_apis.contracts.errors` exception raised ``from`` the native cause, never as an
httpx exception.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from system_apis.contracts.errors import (
    AuthenticationFailed,
    ErpError,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.sap.errors import error_from_response
from system_apis.sap.odata import (
    Filter,
    LiteralValue,
    encode_query,
    entity_path,
    literal,
    orderby_item,
    property_path,
)

JsonObject = dict[str, Any]

DEFAULT_SERVICE_PATH = "/sap/opu/odata/sap"

_CSRF_HEADER = "X-CSRF-Token"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
# Failures that prove the request never left: a write that hit one of these can be retried.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


@dataclass(frozen=True)
class ODataCollection:
    """One answer of a collection read: the entities and, when asked for, the total count."""

    results: list[JsonObject]
    count: int | None = None
    next_link: str | None = None


@dataclass(frozen=True)
class ODataEntity:
    """One entity and its ETag (from the ``ETag`` header or ``__metadata.etag``)."""

    data: JsonObject
    etag: str | None = None


class SapODataClient:
    """Async client for SAP Gateway OData v2 services (``<base_url>/sap/opu/odata/sap/<SERVICE>``).

    ``auth`` is any ``httpx.Auth``: pass ``httpx.BasicAuth(user, password)`` (or ``username``
    and ``password``) for basic authentication, or a bearer-token flow for OAuth2 landscapes.
    ``sap_client`` adds the ``sap-client`` query parameter to every request. ``transport``
    replaces the network (``httpx.MockTransport``, ``httpx.ASGITransport``).

    Writes carry a CSRF token fetched once per service root (``GET <root>/`` with
    ``X-CSRF-Token: Fetch``) together with the session cookies of that answer, which the
    underlying ``httpx.AsyncClient`` keeps. When SAP answers ``403`` with
    ``X-CSRF-Token: Required`` the token is fetched again and the write retried once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        username: str | None = None,
        password: str | None = None,
        sap_client: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        connection: str | None = None,
        service_path: str = DEFAULT_SERVICE_PATH,
        language: str | None = None,
    ) -> None:
        if auth is not None and username is not None:
            raise ValueError("pass either auth or username/password, not both")
        if auth is None and username is not None:
            auth = httpx.BasicAuth(username, password or "")
        headers = {"Accept": "application/json"}
        if language:
            headers["Accept-Language"] = language
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers=headers,
            follow_redirects=False,
        )
        self._sap_client = sap_client
        self._connection = connection
        self._service_path = service_path.strip("/")
        self._tokens: dict[str, str] = {}
        self._token_locks: dict[str, asyncio.Lock] = {}

    @property
    def connection(self) -> str | None:
        """The connection name set on the errors this client raises."""
        return self._connection

    @connection.setter
    def connection(self, name: str | None) -> None:
        self._connection = name

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- reads -------------------------------------------------------------------------------

    async def get_collection(
        self,
        service: str,
        entity_set: str,
        *,
        filter: Filter | None = None,
        select: Sequence[str] = (),
        expand: Sequence[str] = (),
        orderby: Sequence[str] = (),
        top: int | None = None,
        skip: int | None = None,
        inlinecount: bool = False,
    ) -> ODataCollection:
        """``GET <entity_set>`` with the given query options; ``count`` needs ``inlinecount``."""
        query: list[tuple[str, str]] = []
        if filter is not None:
            query.append(("$filter", filter.expression))
        if select:
            query.append(("$select", ",".join(property_path(s) for s in select)))
        if expand:
            query.append(("$expand", ",".join(property_path(e) for e in expand)))
        if orderby:
            query.append(("$orderby", ",".join(orderby_item(o) for o in orderby)))
        if top is not None:
            query.append(("$top", str(_non_negative(top, "$top"))))
        if skip:
            query.append(("$skip", str(_non_negative(skip, "$skip"))))
        if inlinecount:
            query.append(("$inlinecount", "allpages"))
        response = await self._send("GET", service, property_path(entity_set), query)
        return self._collection(response)

    async def get_all(
        self,
        service: str,
        entity_set: str,
        *,
        filter: Filter | None = None,
        select: Sequence[str] = (),
        orderby: Sequence[str] = (),
        max_pages: int = 50,
    ) -> list[JsonObject]:
        """Every entity of a read, following SAP's server-side paging (``__next``) if it pages."""
        answer = await self.get_collection(
            service, entity_set, filter=filter, select=select, orderby=orderby
        )
        results = list(answer.results)
        pages = 1
        while answer.next_link:
            if pages >= max_pages:
                raise Unavailable(
                    f"SAP paged {entity_set} beyond {max_pages} pages; narrow the filter",
                    connection=self._connection,
                )
            response = await self._send_url(
                "GET", self._next_url(service, answer.next_link), write=False
            )
            answer = self._collection(response)
            results.extend(answer.results)
            pages += 1
        return results

    async def get_entity(
        self,
        service: str,
        entity_set: str,
        key: LiteralValue | Mapping[str, LiteralValue],
        *,
        select: Sequence[str] = (),
        expand: Sequence[str] = (),
    ) -> ODataEntity:
        """``GET <entity_set>(<key>)``; raises NotFound when SAP has no such entity."""
        query: list[tuple[str, str]] = []
        if select:
            query.append(("$select", ",".join(property_path(s) for s in select)))
        if expand:
            query.append(("$expand", ",".join(property_path(e) for e in expand)))
        response = await self._send("GET", service, entity_path(entity_set, key), query)
        return self._entity(response, write=False)

    # -- writes ------------------------------------------------------------------------------

    async def create(self, service: str, entity_set: str, body: JsonObject) -> ODataEntity:
        """``POST <entity_set>`` (deep insert allowed); the created entity as SAP answers it."""
        response = await self._send("POST", service, property_path(entity_set), [], json_body=body)
        return self._entity(response, write=True)

    async def call_function(
        self,
        service: str,
        function: str,
        parameters: Mapping[str, LiteralValue],
        *,
        if_match: str | None = None,
        method: str = "POST",
    ) -> ODataEntity:
        """A function import; parameters travel as OData literals in the query string."""
        query = [(property_path(name), literal(value)) for name, value in parameters.items()]
        headers = {"If-Match": if_match} if if_match else {}
        response = await self._send(
            method.upper(), service, property_path(function), query, headers=headers
        )
        entity = self._entity(response, write=method.upper() in _WRITE_METHODS)
        wrapped = entity.data.get(function)
        if len(entity.data) == 1 and isinstance(wrapped, dict):
            return ODataEntity(data=wrapped, etag=entity.etag)
        return entity

    async def update(
        self,
        service: str,
        entity_set: str,
        key: LiteralValue | Mapping[str, LiteralValue],
        body: JsonObject,
        *,
        if_match: str | None,
        method: str = "PATCH",
    ) -> ODataEntity | None:
        """``PATCH`` (or ``MERGE``/``PUT``) of one entity with ``If-Match``; None on 204."""
        headers = {"If-Match": if_match} if if_match else {}
        response = await self._send(
            method.upper(),
            service,
            entity_path(entity_set, key),
            [],
            json_body=body,
            headers=headers,
        )
        if response.status_code == 204 or not response.content:
            return None
        return self._entity(response, write=True)

    # -- plumbing ----------------------------------------------------------------------------

    def _service_root(self, service: str) -> str:
        if not service or "/" in service or "?" in service or "#" in service:
            raise ValueError(f"not an SAP service name: {service!r}")
        return f"{self._service_path}/{service}/"

    def _url(self, service: str, resource: str, query: list[tuple[str, str]]) -> str:
        items = list(query)
        if self._sap_client:
            items.append(("sap-client", self._sap_client))
        url = self._service_root(service) + resource
        return f"{url}?{encode_query(items)}" if items else url

    def _next_url(self, service: str, next_link: str) -> str:
        """The URL of SAP's ``__next`` link: same origin only; relative to the service root."""
        target = httpx.URL(next_link)
        if target.is_absolute_url:
            base = self._http.base_url
            if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
                raise Unavailable(
                    f"SAP pointed the next page to another origin: {target.host}",
                    connection=self._connection,
                )
            return str(target)
        if next_link.startswith("/"):
            return next_link
        return self._service_root(service) + next_link

    async def _send(
        self,
        method: str,
        service: str,
        resource: str,
        query: list[tuple[str, str]],
        *,
        json_body: JsonObject | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        write = method in _WRITE_METHODS
        if method == "GET":
            query = [*query, ("$format", "json")]
        url = self._url(service, resource, query)
        content = None
        request_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
            request_headers["Content-Type"] = "application/json"
        if not write:
            return await self._send_url(method, url, write=False, headers=request_headers)

        token = await self._csrf_token(service)
        response = await self._send_url(
            method, url, write=True, headers=_with_token(request_headers, token), content=content
        )
        if _csrf_required(response):
            token = await self._csrf_token(service, stale=token)
            response = await self._send_url(
                method,
                url,
                write=True,
                headers=_with_token(request_headers, token),
                content=content,
            )
            if _csrf_required(response):
                raise AuthenticationFailed(
                    "SAP refused a freshly fetched CSRF token",
                    connection=self._connection,
                )
        return response

    async def _send_url(
        self,
        method: str,
        url: str,
        *,
        write: bool,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(method, url, headers=headers, content=content)
        except httpx.TimeoutException as exc:
            raise self._transport_error(exc, write, "timed out") from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, write, "failed") from exc
        except httpx.InvalidURL as exc:
            raise ValidationRejected(
                f"cannot build an SAP URL: {exc}", connection=self._connection
            ) from exc
        if response.is_success:
            return response
        if write and _csrf_required(response):
            return response
        raise error_from_response(response, write=write, connection=self._connection)

    def _transport_error(self, exc: httpx.HTTPError, write: bool, what: str) -> ErpError:
        name = type(exc).__name__
        if write and not isinstance(exc, _NOT_SENT):
            return UnknownOutcome(
                f"SAP request {what} after it was sent ({name}); the write may have happened",
                connection=self._connection,
            )
        return Unavailable(f"SAP request {what} ({name})", connection=self._connection)

    async def _csrf_token(self, service: str, *, stale: str | None = None) -> str:
        """The CSRF token of a service root; fetched when missing or equal to ``stale``."""
        root = self._service_root(service)
        current = self._tokens.get(root)
        if current is not None and current != stale:
            return current
        lock = self._token_locks.setdefault(root, asyncio.Lock())
        async with lock:
            current = self._tokens.get(root)
            if current is not None and current != stale:
                return current
            url = self._url(service, "", [])
            response = await self._send_url(
                "GET", url, write=False, headers={_CSRF_HEADER: "Fetch"}
            )
            token: str = response.headers.get(_CSRF_HEADER, "")
            self._tokens[root] = token
            return token

    def _collection(self, response: httpx.Response) -> ODataCollection:
        payload = self._json(response, write=False)
        if isinstance(payload, list):
            return ODataCollection(results=_objects(payload, self._connection))
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            raise Unavailable(
                "SAP answered a collection read without d.results", connection=self._connection
            )
        count = payload.get("__count")
        try:
            total = int(count) if count is not None else None
        except (TypeError, ValueError) as exc:
            raise Unavailable(
                f"SAP answered an invalid __count {count!r}", connection=self._connection
            ) from exc
        next_link = payload.get("__next")
        return ODataCollection(
            results=_objects(payload["results"], self._connection),
            count=total,
            next_link=next_link if isinstance(next_link, str) and next_link else None,
        )

    def _entity(self, response: httpx.Response, *, write: bool) -> ODataEntity:
        if response.status_code == 204 or not response.content:
            return ODataEntity(data={}, etag=response.headers.get("ETag"))
        payload = self._json(response, write=write)
        if not isinstance(payload, dict):
            raise self._malformed("SAP answered an entity that is not a JSON object", write)
        metadata = payload.get("__metadata")
        etag = response.headers.get("ETag")
        if etag is None and isinstance(metadata, dict) and isinstance(metadata.get("etag"), str):
            etag = metadata["etag"]
        return ODataEntity(data=payload, etag=etag)

    def _json(self, response: httpx.Response, *, write: bool) -> Any:
        try:
            document = json.loads(response.content)
        except ValueError as exc:
            raise self._malformed(
                f"SAP answered {response.status_code} with a body that is not JSON", write
            ) from exc
        if not isinstance(document, dict) or "d" not in document:
            raise self._malformed(
                f"SAP answered {response.status_code} with JSON that is not OData ('d' missing)",
                write,
            )
        return document["d"]

    def _malformed(self, message: str, write: bool) -> Unavailable:
        # After a successful write the ERP did act; retrying blindly could do it twice.
        if write:
            return UnknownOutcome(
                message + "; the write may have happened", connection=self._connection
            )
        return Unavailable(message, connection=self._connection)


def _with_token(headers: Mapping[str, str], token: str) -> dict[str, str]:
    result = dict(headers)
    if token:
        result[_CSRF_HEADER] = token
    return result


def _csrf_required(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and response.headers.get(_CSRF_HEADER, "").strip().lower() == "required"
    )


def _objects(items: list[Any], connection: str | None) -> list[JsonObject]:
    if not all(isinstance(item, dict) for item in items):
        raise Unavailable("SAP answered a collection of non-objects", connection=connection)
    return items


def _non_negative(value: int, name: str) -> int:
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value
