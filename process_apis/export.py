"""Bulk export: every record of a kind from the connections a caller may see, streamed.

:class:`Exporter` plans an export (which connections, whether credit limits are read, which
fields the caller may not see) before anything is read, so a refused export reads nothing;
:meth:`ExportPlan.chunks` then streams the records chunk by chunk from the ERP port's
``stream_*`` reads, one connection after the other in configured order, holding one chunk
at a time. Sensitive fields follow :mod:`process_apis.sensitivity`: without their scope
they are neither asked of the ERP nor present in the records' output (``excluded``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import InvalidInput
from process_apis.sensitivity import CREDIT, required_scope
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
)
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)


class ExportKind(StrEnum):
    """The record sets an export offers."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    INVENTORY = "inventory"
    SALES_ORDERS = "sales_orders"
    INVOICES = "invoices"


Chunks = AsyncIterator[Sequence[BaseModel]]

_RECORD_TYPES: dict[ExportKind, type[BaseModel]] = {
    ExportKind.CUSTOMERS: Customer,
    ExportKind.PRODUCTS: Product,
    ExportKind.INVENTORY: InventoryLevel,
    ExportKind.SALES_ORDERS: SalesOrder,
    ExportKind.INVOICES: Invoice,
}


def parse_kind(text: str) -> ExportKind:
    """The kind named ``text`` (``sales-orders`` is accepted for ``sales_orders``)."""
    try:
        return ExportKind(text.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(kind.value for kind in ExportKind)
        raise InvalidInput(f"unknown export kind {text!r}; one of {known}", field="kind") from None


def hidden_fields(record_type: type[BaseModel], granted: Iterable[str]) -> frozenset[str]:
    """The fields of ``record_type`` whose scope ``granted`` lacks (absent from the output)."""
    allowed = frozenset(granted)
    return frozenset(
        name
        for name in record_type.model_fields
        if (scope := required_scope(name)) is not None and scope not in allowed
    )


@dataclass(frozen=True)
class ExportPlan:
    """A checked export: what is read, from where, and which fields stay out."""

    kind: ExportKind
    connections: tuple[str, ...]
    excluded: frozenset[str]
    sensitive: tuple[str, ...]
    _streams: tuple[Callable[[], Chunks], ...]

    async def chunks(self) -> Chunks:
        """The records, one chunk per ERP answer; port errors become flow errors."""
        for stream in self._streams:
            with translated(self.kind.value):
                async for chunk in stream():
                    yield chunk


class Exporter:
    """Plans exports over the configured connections."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    def plan(
        self,
        kind: ExportKind,
        *,
        connection: str | None,
        visible: Sequence[str] | None,
        granted: Iterable[str],
    ) -> ExportPlan:
        """The export of ``kind`` from ``connection`` (None: every connection in ``visible``,
        None meaning all). A connection outside ``visible`` is refused as unknown."""
        if connection is not None:
            if visible is not None and connection not in visible:
                raise InvalidInput(f"unknown connection {connection!r}", field="connection")
            self._connections.get(connection)
            names: tuple[str, ...] = (connection,)
        elif visible is not None:
            names = tuple(n for n in self._connections.names if n in set(visible))
        else:
            names = self._connections.names
        allowed = frozenset(granted)
        record_type = _RECORD_TYPES[kind]
        excluded = hidden_fields(record_type, allowed)
        sensitive = tuple(
            name
            for name in record_type.model_fields
            if required_scope(name) is not None and name not in excluded
        )
        streams = tuple(
            _stream(self._connections.get(name), kind, CREDIT in allowed) for name in names
        )
        return ExportPlan(kind, names, excluded, sensitive, streams)


def _stream(adapter: ErpAdapter, kind: ExportKind, credit: bool) -> Callable[[], Chunks]:
    if kind is ExportKind.CUSTOMERS:
        details = frozenset({CustomerDetail.CREDIT_LIMIT}) if credit else frozenset()
        return lambda: adapter.stream_customers(CustomerFilter(details=details))
    if kind is ExportKind.PRODUCTS:
        return lambda: adapter.stream_products(ProductFilter())
    if kind is ExportKind.INVENTORY:
        return lambda: adapter.stream_inventory(InventoryFilter())
    if kind is ExportKind.SALES_ORDERS:
        return lambda: adapter.stream_sales_orders(SalesOrderFilter())
    return lambda: adapter.stream_invoices(InvoiceFilter())
