"""Stock adjustments in Tryton: an internal shipment between a warehouse and its lost-and-found.

Tryton's own document for a transfer that is neither a purchase nor a sale is the internal
shipment (``stock.shipment.internal``), which may run between a storage location and a
``lost_found`` location. A receipt moves goods from the warehouse's lost-and-found location
(``lost_found_location`` of the warehouse) into its storage location, an issue the other way.
The shipment walks Tryton's workflow: ``wait``, ``assign_try`` (reserves the stock an issue
takes from storage; a receipt from lost-and-found needs no reservation), ``do`` (the moves are
done, the stock is changed, ``effective_date`` is today).

Idempotency: a stock move has no field that can carry a caller's text, but the shipment has
``reference`` (``ShipmentMixin.reference``: "the external identifier for the shipment", a
searchable, indexed Char), so the adjustment's reference is stored there and looked up before
anything is posted. A shipment found with the reference and not yet done (a previous call died
half-way) is walked on to ``done``; a cancelled one does not count. Two calls with one
reference at the same moment may both find nothing and both create a draft; each then looks
again, and the one whose draft is not the first with that reference deletes its draft before
it moved anything, so the stock moves once.

InsufficientStock: Tryton lets stock go negative on ``do`` unless the moves are assigned, so an
issue is refused when the storage location holds less than the quantity (checked before
anything is written) or when ``assign_try`` cannot reserve it (stock reserved by other
shipments counts against it). A shipment refused at reservation is cancelled and deleted, so
the reference stays free for a later attempt.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.errors import ErpError, InsufficientStock, NotFound, ValidationRejected
from system_apis.contracts.models import InventoryLevel, Source
from system_apis.tryton.catalogue import Catalogue
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.locations import StorageLocation, matching
from system_apis.tryton.mapping.readers import (
    many2one,
    nested_text,
    optional_text,
    record_id,
)
from system_apis.tryton.mapping.stock import STOCK_FIELDS, inventory_from_tryton

SHIPMENT = "stock.shipment.internal"
PRODUCT = "product.product"
PRODUCT_FIELDS = ("code", "type", "default_uom", "default_uom.symbol")
SHIPMENT_FIELDS = ("state", "reference")


def stock_context(location: StorageLocation) -> dict[str, object]:
    """Tryton computes ``quantity`` over these locations and their children, at today."""
    return {"locations": [location.storage_id], "with_childs": True}


class StockAdjuster:
    """Posts stock adjustments of one Tryton connection, once per reference."""

    def __init__(self, client: TrytonClient, catalogue: Catalogue, source: Source) -> None:
        self._client = client
        self._catalogue = catalogue
        self._source = source

    @property
    def _connection(self) -> str:
        return self._source.connection

    async def adjust(self, adjustment: StockAdjustment) -> InventoryLevel:
        location = await self._location(adjustment.location)
        product = await self._product(adjustment)
        existing = await self._existing(adjustment.reference)
        if existing is not None:
            if existing.get("state") != "done":
                await self._finish(record_id(existing))
            return await self._answer(adjustment.sku, location)
        quantity = adjustment.quantity
        if quantity < 0:
            level = await self.level(adjustment.sku, location)
            if level.quantity.value < -quantity:
                raise InsufficientStock(
                    f"Tryton holds {level.quantity.value} {adjustment.sku} at "
                    f"{location.label}, cannot issue {-quantity}",
                    connection=self._connection,
                )
        lost_found = await self._lost_found(location)
        storage = location.storage_id
        source, target = (lost_found, storage) if quantity > 0 else (storage, lost_found)
        companies = await self._catalogue.companies()
        move: dict[str, Any] = {
            "product": record_id(product),
            "unit": many2one(product, "default_uom"),
            "quantity": float(abs(quantity)),
            "from_location": source,
            "to_location": target,
        }
        shipment: dict[str, Any] = {
            "reference": adjustment.reference,
            "from_location": source,
            "to_location": target,
            "moves": [["create", [move]]],
        }
        if companies.current is not None:
            move["company"] = companies.current
            shipment["company"] = companies.current
        (shipment_id,) = await self._client.create(SHIPMENT, [shipment])
        first = await self._existing(adjustment.reference)
        if first is not None and record_id(first) != shipment_id:
            # A concurrent call with the same reference created its shipment first: that one
            # is the adjustment, this one is dropped before it moved anything.
            await self._discard(shipment_id)
            return await self._answer(adjustment.sku, location)
        await self._finish(shipment_id)
        return await self._answer(adjustment.sku, location)

    async def level(self, sku: str, location: StorageLocation) -> InventoryLevel:
        """The stock of ``sku`` at ``location`` now (zero included)."""
        rows = await self._client.search_read(
            PRODUCT, [("code", "=", sku)], STOCK_FIELDS, limit=1, context=stock_context(location)
        )
        if not rows:
            raise NotFound(f"Tryton has no product {sku}", connection=self._connection)
        return guard(self._connection).mapped(
            lambda: inventory_from_tryton(rows[0], location, self._source)
        )

    async def _answer(self, sku: str, location: StorageLocation) -> InventoryLevel:
        return await guard(self._connection).read_back(
            self.level(sku, location), f"the stock adjustment of {sku}"
        )

    async def _finish(self, shipment_id: int) -> None:
        """Walks the shipment from wherever it stands to ``done``."""
        state = await self._state(shipment_id)
        if state in ("request", "draft"):
            if state == "request":
                await self._client.button(SHIPMENT, "draft", [shipment_id])
            await self._client.button(SHIPMENT, "wait", [shipment_id])
            state = "waiting"
        if state == "waiting":
            await self._client.button(SHIPMENT, "assign_try", [shipment_id])
            state = await self._state(shipment_id)
            if state == "waiting":
                await self._discard(shipment_id)
                raise InsufficientStock(
                    "Tryton cannot reserve the stock the adjustment issues",
                    connection=self._connection,
                )
        if state == "packed":
            await self._client.button(SHIPMENT, "ship", [shipment_id])
            state = "shipped"
        if state in ("assigned", "shipped"):
            await self._client.button(SHIPMENT, "do", [shipment_id])

    async def _discard(self, shipment_id: int) -> None:
        # Best effort: a shipment left cancelled no longer holds the reference either.
        with suppress(ErpError):
            await self._client.button(SHIPMENT, "cancel", [shipment_id])
            await self._client.delete(SHIPMENT, [shipment_id])

    async def _state(self, shipment_id: int) -> str | None:
        rows = await self._client.read(SHIPMENT, [shipment_id], ["state"])
        return optional_text(rows[0], "state") if rows else None

    async def _existing(self, reference: str) -> Row | None:
        rows = await self._client.search_read(
            SHIPMENT,
            [("reference", "=", reference), ("state", "!=", "cancelled")],
            SHIPMENT_FIELDS,
            limit=1,
            order=(("id", "ASC"),),
        )
        return rows[0] if rows else None

    async def _location(self, label: str) -> StorageLocation:
        found = matching(await self._catalogue.storage_locations(), label)
        if not found:
            raise NotFound(f"Tryton has no warehouse location {label}", connection=self._connection)
        if len(found) > 1:
            raise ValidationRejected(
                f"{label} names {len(found)} storage locations; name one as WAREHOUSE/STORAGE",
                connection=self._connection,
            )
        return found[0]

    async def _product(self, adjustment: StockAdjustment) -> Row:
        rows = await self._client.search_read(
            PRODUCT, [("code", "=", adjustment.sku)], PRODUCT_FIELDS, limit=1
        )
        if not rows:
            raise NotFound(f"Tryton has no product {adjustment.sku}", connection=self._connection)
        product = rows[0]
        if product.get("type") not in ("goods", "assets"):
            raise ValidationRejected(
                f"Tryton product {adjustment.sku} is not stocked (type {product.get('type')})",
                connection=self._connection,
            )
        unit = nested_text(product, "default_uom.symbol")
        if adjustment.unit is not None and adjustment.unit != unit:
            raise ValidationRejected(
                f"Tryton stocks {adjustment.sku} in {unit}, not {adjustment.unit}",
                connection=self._connection,
            )
        return product

    async def _lost_found(self, location: StorageLocation) -> int:
        rows = await self._client.read(
            "stock.location", [location.warehouse_id], ["lost_found_location"]
        )
        found = many2one(rows[0], "lost_found_location") if rows else None
        if found is None:
            raise ValidationRejected(
                f"Tryton warehouse {location.warehouse} has no lost-and-found location "
                "to adjust stock against",
                connection=self._connection,
            )
        return found
