"""The employee reads of an S/4HANA connection, answered by its paired SuccessFactors system.

S/4HANA publishes no OData API for employees' pay; they live in SuccessFactors Employee
Central, a system of its own with its own address and users (see
:mod:`system_apis.sap.successfactors`). :class:`SuccessFactorsEmployees` reads them with a
client of that system; the queries are :mod:`system_apis.sap.people`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from system_apis.contracts.errors import NotFound, NotSupported
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.models import Source
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.queries import Page, PageRequest
from system_apis.sap import keyed, people
from system_apis.sap.answers import ODataCollection
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.people import employee_from_sf
from system_apis.sap.odata import Filter, all_of, eq
from system_apis.sap.queries import EntityRead


class SuccessFactorsEmployees:
    """Employees of one connection (``source``) read from SuccessFactors through ``client``;
    without a client (no SuccessFactors system paired) every read is :class:`NotSupported`."""

    def __init__(self, client: SapODataClient | None, source: Source, guard: MappingGuard) -> None:
        if client is not None and client.connection is None:
            client.connection = source.connection
        self._paired = client
        self._source = source
        self._guard = guard

    @property
    def paired(self) -> bool:
        return self._paired is not None

    @property
    def _client(self) -> SapODataClient:
        if self._paired is None:
            raise self._unpaired()
        return self._paired

    def _unpaired(self) -> NotSupported:
        return NotSupported(
            "employees are read from SuccessFactors; this connection is paired with none",
            connection=self._source.connection,
        )

    async def aclose(self) -> None:
        if self._paired is not None:
            await self._paired.aclose()

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        if self._paired is None:
            raise self._unpaired()
        conditions = await people.employee_conditions(filter, self._keys)
        if conditions is None:
            return Page[Employee](items=(), offset=page.offset, total=0)
        answer, offset = await keyed.read_page(
            self._paired,
            people.employee_read(filter.details),
            all_of(*conditions) if conditions else None,
            page,
            keyed.after_value("userId"),
        )
        items = tuple(
            self._guard.mapped(
                lambda: [employee_from_sf(entity, self._source) for entity in answer.results]
            )
        )
        total = answer.count if answer.count is not None else offset + len(items)
        return Page[Employee](items=items, offset=offset, total=total)

    async def get_employee(self, native_id: str, details: frozenset[EmployeeDetail]) -> Employee:
        answer = await self._collection(
            people.employee_read(details), [eq("userId", native_id)], PageRequest(limit=1)
        )
        if not answer.results:
            raise NotFound(f"employee {native_id} not found", connection=self._source.connection)
        return self._guard.mapped(lambda: employee_from_sf(answer.results[0], self._source))

    async def _collection(
        self, read: EntityRead, conditions: list[Filter], page: PageRequest
    ) -> ODataCollection:
        return await self._client.get_collection(
            read.service,
            read.entity_set,
            filter=all_of(*conditions) if conditions else None,
            select=read.select,
            expand=read.expand,
            orderby=read.orderby,
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )

    async def _keys(
        self, service: str, entity_set: str, condition: Filter | Sequence[Filter], key: str
    ) -> list[str]:
        conditions = [condition] if isinstance(condition, Filter) else list(condition)
        answers = await self._client.get_all_of(
            service, entity_set, conditions, select=[key], orderby=[key]
        )
        return list(dict.fromkeys(str(r[key]) for rows in answers for r in rows if r.get(key)))
