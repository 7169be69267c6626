"""Goods movements pushed by a warehouse system, posted to the ERP once each.

A ``wms.goods_received`` or ``wms.goods_issued`` event becomes one stock adjustment on the
source's connection. Its reference derives from the source and the webhook id, and the ERP
posts a reference at most once, so a retry after a crash (or a lease that ran out) posts
nothing new. The answer is the new stock level, published as ``inventory.changed``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from process_apis.connections import Connections
from process_apis.events.model import Event, EventType, derived_event_id
from process_apis.inbound.model import InboundEvent, SourceKind
from process_apis.inventory_sync.schema import GOODS_ISSUED, GOODS_RECEIVED, GoodsMovement
from process_apis.unit_precision import check_adjustment_precision
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import InventoryLevel

REFERENCE_PREFIX = "WMS"
REFERENCE_DIGITS = 22


def movement_reference(source: str, webhook_id: str, limits: FieldLimits) -> str:
    """The stock adjustment's reference for a webhook, the same every time: a prefix and 22
    base-32 digits (110 bits) of a hash of source and webhook id, which keep distinct
    webhooks apart; fewer digits where the ERP's movement reference field is shorter.
    """
    room = limits.movement_reference or len(REFERENCE_PREFIX) + REFERENCE_DIGITS
    digits = min(REFERENCE_DIGITS, room - len(REFERENCE_PREFIX))
    digest = hashlib.sha256(f"{source}\x1f{webhook_id}".encode()).digest()
    return REFERENCE_PREFIX + base64.b32encode(digest).decode("ascii")[:digits]


def stock_aggregate(connection: str, sku: str, location: str) -> str:
    return f"stock:{connection}:{sku}@{location}"


class InventorySync:
    """The inbound handler of warehouse goods movements."""

    def __init__(self, connections: Connections):
        self._connections = connections

    @property
    def data_models(self) -> Mapping[str, type[BaseModel]]:
        return {GOODS_RECEIVED: GoodsMovement, GOODS_ISSUED: GoodsMovement}

    @property
    def kinds(self) -> frozenset[SourceKind]:
        return frozenset({SourceKind.WMS})

    def connection_of(self, data: BaseModel) -> str | None:
        return None  # a warehouse source is bound to its connection

    def ordering_key(self, connection: str, data: BaseModel) -> str:
        assert isinstance(data, GoodsMovement)
        return stock_aggregate(connection, data.sku, data.location)

    def adjustment(
        self, event: InboundEvent, movement: GoodsMovement, limits: FieldLimits
    ) -> StockAdjustment:
        """The stock adjustment an event asks for: issues are negative."""
        sign = -1 if event.type == GOODS_ISSUED else 1
        return StockAdjustment(
            sku=movement.sku,
            location=movement.location,
            quantity=sign * movement.quantity,
            unit=movement.unit,
            reference=movement_reference(event.source, event.webhook_id, limits),
            reason=f"{event.type} from {event.source}"[:255],
        )

    async def handle(self, event: InboundEvent, data: BaseModel) -> Sequence[Event]:
        assert isinstance(data, GoodsMovement)
        erp = self._connections.get(event.connection)
        adjustment = self.adjustment(event, data, erp.limits)
        await check_adjustment_precision(erp, adjustment, "data.quantity")
        level = await erp.adjust_stock(adjustment)
        return [inventory_changed(event, adjustment, level, data.occurred_at)]


def inventory_changed(
    event: InboundEvent,
    adjustment: StockAdjustment,
    level: InventoryLevel,
    occurred_at: dt.datetime | None = None,
) -> Event:
    """The event that tells subscribers the new level after an inbound movement."""
    return Event(
        occurred_at=occurred_at or event.received_at,
        id=derived_event_id("inbound", event.source, event.webhook_id, "inventory.changed"),
        type=EventType.INVENTORY_CHANGED,
        aggregate=stock_aggregate(event.connection, level.sku, level.location),
        connection=event.connection,
        data={
            "connection": event.connection,
            "sku": level.sku,
            "location": level.location,
            "quantity": str(level.quantity.value),
            "unit": level.quantity.unit,
            "change": str(adjustment.quantity),
            "reason": event.type.removeprefix("wms."),
            "reference": adjustment.reference,
            "inbound_event_id": event.id,
        },
    )
