"""The SAP OData v2 wire protocol over ``httpx.AsyncClient``.

:class:`SapODataClient` offers the OData operations (collection and entity reads, creates,
function imports, updates) and builds their query options; its :class:`~.session.SapSession`
sends them (URLs, authentication, CSRF tokens, SAP's error answers) and :mod:`.answers` reads
the JSON SAP answers. It knows nothing of the canonical model. Every failure leaves it as a
:mod:`system_apis.contracts.errors` exception raised ``from`` the native cause, never as an
httpx exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from system_apis.contracts.errors import Unavailable
from system_apis.sap.answers import (
    JsonObject,
    ODataCollection,
    ODataEntity,
    collection_from,
    entity_from,
    values_from,
)
from system_apis.sap.batch import BATCH_PARTS, Write
from system_apis.sap.odata import (
    Filter,
    LiteralValue,
    action_path,
    entity_path,
    literal,
    property_path,
    query_options,
)
from system_apis.sap.session import WRITE_METHODS, SapSession

DEFAULT_SERVICE_PATH = "/sap/opu/odata/sap"
Change = tuple[LiteralValue | Mapping[str, LiteralValue], JsonObject, str | None]
DEFAULT_ODATA4_PATH = "/sap/opu/odata4/sap"


class SapODataClient:
    """Async client for SAP Gateway OData v2 services (``<base_url>/sap/opu/odata/sap/<SERVICE>``).

    ``auth`` is any ``httpx.Auth``: pass ``httpx.BasicAuth(user, password)`` (or ``username``
    and ``password``) for basic authentication, or a bearer-token flow for OAuth2 landscapes.
    ``sap_client`` adds the ``sap-client`` query parameter to every request. ``transport``
    replaces the network (``httpx.MockTransport``, ``httpx.ASGITransport``). OData v4 services
    (:meth:`invoke_action`) live under ``odata4_path``. Several reads that go together
    (:meth:`get_all_of`) travel in one ``$batch``, and writes that go together
    (:meth:`update_together`) in one changeset (all or nothing), unless ``batch`` is False (for
    landscapes that block ``$batch``), then one request each.

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
        odata4_path: str = DEFAULT_ODATA4_PATH,
        batch: bool = True,
    ) -> None:
        if auth is not None and username is not None:
            raise ValueError("pass either auth or username/password, not both")
        if auth is None and username is not None:
            auth = httpx.BasicAuth(username, password or "")
        self._session = SapSession(
            base_url,
            auth=auth,
            sap_client=sap_client,
            timeout=timeout,
            transport=transport,
            connection=connection,
            service_path=service_path,
            language=language,
            odata4_path=odata4_path,
        )
        self._batch = batch

    @property
    def connection(self) -> str | None:
        """The connection name set on the errors this client raises."""
        return self._session.connection

    @connection.setter
    def connection(self, name: str | None) -> None:
        self._session.connection = name

    async def aclose(self) -> None:
        await self._session.aclose()

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
        query = query_options(filter=filter, select=select, expand=expand, orderby=orderby)
        if top is not None:
            query.append(("$top", str(_non_negative(top, "$top"))))
        if skip:
            query.append(("$skip", str(_non_negative(skip, "$skip"))))
        if inlinecount:
            query.append(("$inlinecount", "allpages"))
        response = await self._session.send("GET", service, property_path(entity_set), query)
        return collection_from(response, self._session.connection)

    async def get_all(
        self,
        service: str,
        entity_set: str,
        *,
        filter: Filter | None = None,
        select: Sequence[str] = (),
        orderby: Sequence[str] = (),
        expand: Sequence[str] = (),
        max_pages: int = 50,
    ) -> list[JsonObject]:
        """Every entity of a read, following SAP's server-side paging (``__next``) if it pages."""
        answer = await self.get_collection(
            service, entity_set, filter=filter, select=select, expand=expand, orderby=orderby
        )
        return await self._follow(service, entity_set, answer, max_pages)

    async def _follow(
        self, service: str, entity_set: str, answer: ODataCollection, max_pages: int
    ) -> list[JsonObject]:
        """The entities of ``answer`` and of the pages SAP links after it (``__next``)."""
        results = list(answer.results)
        pages = 1
        while answer.next_link:
            if pages >= max_pages:
                raise Unavailable(
                    f"SAP paged {entity_set} beyond {max_pages} pages; narrow the filter",
                    connection=self._session.connection,
                )
            answer = await self.get_next(service, answer.next_link)
            results.extend(answer.results)
            pages += 1
        return results

    async def get_all_of(
        self,
        service: str,
        entity_set: str,
        filters: Sequence[Filter | None],
        *,
        select: Sequence[str] = (),
        orderby: Sequence[str] = (),
        expand: Sequence[str] = (),
        max_pages: int = 50,
    ) -> list[list[JsonObject]]:
        """Every entity of one read per filter (in the filters' order): :data:`BATCH_PARTS`
        reads per ``$batch`` round trip, then SAP's ``__next`` pages of each, if any."""
        if not self._batch or len(filters) < 2:
            return [
                await self.get_all(
                    service,
                    entity_set,
                    filter=condition,
                    select=select,
                    orderby=orderby,
                    expand=expand,
                    max_pages=max_pages,
                )
                for condition in filters
            ]
        query = query_options(select=select, expand=expand, orderby=orderby)
        resource = property_path(entity_set)
        results: list[list[JsonObject]] = []
        for start in range(0, len(filters), BATCH_PARTS):
            reads = [
                (resource, [*query_options(filter=condition), *query])
                for condition in filters[start : start + BATCH_PARTS]
            ]
            for response in await self._session.get_many(service, reads):
                answer = collection_from(response, self._session.connection)
                results.append(await self._follow(service, entity_set, answer, max_pages))
        return results

    async def get_next(self, service: str, next_link: str) -> ODataCollection:
        """The page SAP linked after an answer (its ``__next``)."""
        response = await self._session.get_next(service, next_link)
        return collection_from(response, self._session.connection)

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
        response = await self._session.send("GET", service, entity_path(entity_set, key), query)
        return entity_from(response, write=False, connection=self._session.connection)

    async def metadata(self, service: str) -> str:
        """``GET <service>/$metadata``: the service's EDMX document, as text."""
        return await self._session.get_metadata(service)

    # -- writes ------------------------------------------------------------------------------

    async def create(self, service: str, entity_set: str, body: JsonObject) -> ODataEntity:
        """``POST <entity_set>`` (deep insert allowed); the created entity as SAP answers it."""
        response = await self._session.send(
            "POST", service, property_path(entity_set), [], json_body=body
        )
        return entity_from(response, write=True, connection=self._session.connection)

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
        response = await self._session.send(
            method.upper(), service, property_path(function), query, headers=headers
        )
        entity = entity_from(
            response, write=method.upper() in WRITE_METHODS, connection=self._session.connection
        )
        wrapped = entity.data.get(function)
        if len(entity.data) == 1 and isinstance(wrapped, dict):
            return ODataEntity(data=wrapped, etag=entity.etag)
        return entity

    async def send_function(
        self,
        service: str,
        function: str,
        parameters: Mapping[str, LiteralValue],
        *,
        if_match: str | None = None,
    ) -> None:
        """A ``POST`` function import whose answer is not needed (a success is enough).

        For functions such as ``PostGoodsIssue`` that answer messages rather than an entity.
        """
        query = [(property_path(name), literal(value)) for name, value in parameters.items()]
        headers = {"If-Match": if_match} if if_match else {}
        await self._session.send("POST", service, property_path(function), query, headers=headers)

    async def invoke_action(self, service: str, action: str, body: JsonObject) -> list[JsonObject]:
        """``POST <v4 service>/<action>`` with a JSON body; the entities of its ``value``.

        ``service`` is an OData v4 service path such as
        ``api_billingdocument/srvd_a2x/sap/billingdocument/0001`` and ``action`` the bound
        action's path (``BillingDocument/SAP__self.CreateFromSDDocument``).
        """
        response = await self._session.send(
            "POST", service, action_path(action), [], json_body=body
        )
        return values_from(response, self._session.connection)

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
        response = await self._session.send(
            method.upper(),
            service,
            entity_path(entity_set, key),
            [],
            json_body=body,
            headers=headers,
        )
        if response.status_code == 204 or not response.content:
            return None
        return entity_from(response, write=True, connection=self._session.connection)

    async def update_together(
        self, service: str, entity_set: str, changes: Sequence[Change], *, method: str = "PATCH"
    ) -> None:
        """Updates ``(key, body, if_match)`` of several entities in one ``$batch`` changeset,
        all or none; without ``batch`` (or for one) one :meth:`update` each, in order."""
        if self._batch and len(changes) > 1:
            writes = [Write.of(method, entity_path(entity_set, k), b, m) for k, b, m in changes]
            await self._session.send_changeset(service, writes)
            return
        for key, body, if_match in changes:
            await self.update(service, entity_set, key, body, if_match=if_match, method=method)


def _non_negative(value: int, name: str) -> int:
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value
