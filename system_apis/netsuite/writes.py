"""The adapter's writes through the record service, each sent once.

* A sales order is a ``salesOrder`` insert whose ``externalId`` (and ``otherRefNum``) is the
  draft's reference. NetSuite refuses a second record with the same external id
  (``DUP_RCRD``): the order that holds it is then read by ``eid:`` and answered, so a retried
  create never makes a second order. A lost answer is UnknownOutcome; the caller looks the
  order up by its reference, it is never written again here.
* Items and locations are resolved (SuiteQL) before writing, so an unknown SKU or location
  is refused without a request that could half-succeed.
* A delivery is ``!transform/itemFulfillment`` with ship status Picked; the goods issue sets
  it to Shipped (``PATCH``), which takes the stock; an invoice is ``!transform/invoice``.
* A stock adjustment is an ``inventoryAdjustment`` whose external id is the reference: one
  already posted (found by SuiteQL, or refused as a duplicate) is not posted again.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import (
    Conflict,
    NotFound,
    NotSupported,
    ValidationRejected,
)
from system_apis.contracts.guards import MappingGuard
from system_apis.netsuite import queries
from system_apis.netsuite.client import NetSuiteClient
from system_apis.netsuite.mapping import DEFAULT_UNIT

UNKNOWN_SOURCE = "INVALID_INITIALIZE_REF"
"""NetSuite's code for a transform of a record that does not exist."""
PICKED, SHIPPED = "A", "C"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class Writer:
    """The writes of one connection."""

    def __init__(
        self,
        client: NetSuiteClient,
        guard: MappingGuard,
        location: str | None,
        adjustment_account: str | None,
    ) -> None:
        self._client = client
        self._guard = guard
        self._location = location
        self._account = adjustment_account

    def _refuse(self, message: str, field: str) -> ValidationRejected:
        return ValidationRejected(message, connection=self._client.connection, field=field)

    async def _items(self, skus: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = list(dict.fromkeys(skus))
        rows = (await self._client.suiteql(queries.item_ids(wanted))).items
        return self._guard.mapped(
            lambda: {
                str(r["itemid"]): (str(r["id"]), str(r.get("stockunit") or DEFAULT_UNIT).upper())
                for r in rows
            }
        )

    async def _locations(self, names: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        rows = (await self._client.suiteql(queries.location_ids(wanted))).items
        return self._guard.mapped(lambda: {str(r["name"]): str(r["id"]) for r in rows})

    async def create_order(self, draft: SalesOrderDraft) -> str:
        if not draft.customer_native_id.isdigit():
            raise self._refuse(f"customer {draft.customer_native_id} does not exist", "entity")
        items = await self._items(line.sku for line in draft.lines)
        names = [n for n in (line.location or self._location for line in draft.lines) if n]
        locations = await self._locations(names)
        lines: list[dict[str, Any]] = []
        for line in draft.lines:
            if line.sku not in items:
                raise self._refuse(f"item {line.sku} does not exist", "item")
            item, unit = items[line.sku]
            if line.unit is not None and line.unit.upper() != unit:
                raise self._refuse(f"item {line.sku} is sold in {unit}, not {line.unit}", "units")
            body: dict[str, Any] = {"item": {"id": item}, "quantity": _number(line.quantity)}
            where = line.location or self._location
            if where is not None:
                if where not in locations:
                    raise self._refuse(f"location {where} does not exist", "location")
                body["location"] = {"id": locations[where]}
            lines.append(body)
        order: dict[str, Any] = {
            "entity": {"id": draft.customer_native_id},
            "item": {"items": lines},
        }
        reference = draft.external_reference
        if reference is not None:
            order["externalId"] = reference
            order["otherRefNum"] = reference
        try:
            return await self._client.create("salesOrder", order)
        except Conflict:
            if reference is None:
                raise
            existing = await self._client.record("salesOrder", f"eid:{reference}")
            return self._guard.written(lambda: str(existing["id"]))

    async def _transform(self, order_native_id: str, target: str, body: dict[str, Any]) -> str:
        if not order_native_id.isdigit():
            raise NotFound(f"sales order {order_native_id} does not exist")
        try:
            return await self._client.transform("salesOrder", order_native_id, target, body)
        except ValidationRejected as exc:
            if exc.code == UNKNOWN_SOURCE:
                raise NotFound(exc.message, code=exc.code, connection=exc.connection) from exc
            raise

    async def fulfil(self, order_native_id: str) -> str:
        return await self._transform(
            order_native_id, "itemFulfillment", {"shipStatus": {"id": PICKED}}
        )

    async def ship(self, fulfillment_native_id: str) -> None:
        if not fulfillment_native_id.isdigit():
            raise NotFound(f"item fulfillment {fulfillment_native_id} does not exist")
        await self._client.update(
            "itemFulfillment", fulfillment_native_id, {"shipStatus": {"id": SHIPPED}}
        )

    async def bill(self, order_native_id: str) -> str:
        return await self._transform(order_native_id, "invoice", {})

    async def close(self, order_native_id: str, lines: list[str], reason: str | None) -> None:
        """Closes the order's lines (``isClosed``); the reason goes to the memo."""
        body: dict[str, Any] = {
            "item": {"items": [{"line": int(line), "isClosed": True} for line in lines]}
        }
        if reason:
            body["memo"] = reason
        await self._client.update("salesOrder", order_native_id, body)

    async def adjust(self, adjustment: StockAdjustment) -> None:
        if self._account is None:
            raise NotSupported(
                "no adjustment account is configured", connection=self._client.connection
            )
        query = queries.adjustment_by_reference(adjustment.reference)
        if (await self._client.suiteql(query, limit=1)).items:
            return
        items = await self._items([adjustment.sku])
        if adjustment.sku not in items:
            raise NotFound(f"item {adjustment.sku} does not exist")
        locations = await self._locations([adjustment.location])
        if adjustment.location not in locations:
            raise NotFound(f"location {adjustment.location} does not exist")
        location = {"id": locations[adjustment.location]}
        body: dict[str, Any] = {
            "externalId": adjustment.reference,
            "account": {"id": self._account},
            "adjLocation": location,
            "inventory": {
                "items": [
                    {
                        "item": {"id": items[adjustment.sku][0]},
                        "location": location,
                        "adjustQtyBy": _number(adjustment.quantity),
                    }
                ]
            },
        }
        if adjustment.reason:
            body["memo"] = adjustment.reason
        try:
            await self._client.create("inventoryAdjustment", body)
        except Conflict:
            return  # posted meanwhile under the same reference: nothing more to post
