"""Cancelling an order once per idempotency key: the ERP closes it, subscribers hear of it.

The ERP's cancellation is itself repeatable (a cancelled order is answered as it is), so the
key's part is to tie a retry to its request: the same key with another order or reason is a
conflict, a repeat after success answers the stored order without asking the ERP. The
``order.status_changed`` event (status ``cancelled``) is staged with the stored result, so it
exists exactly when the cancellation was recorded. A refusal (shipped, invoiced...) or an ERP
that could not be reached frees the key: nothing was recorded, the same request may be sent
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import FlowError, IdempotencyConflict, InvalidInput
from process_apis.events.documents import order_status_changed
from process_apis.idempotency.port import IdempotencyStore, KeyState
from process_apis.order_to_invoice.commands import Text
from system_apis.contracts.models import OrderStatus, SalesOrder

CANCEL_ORDER = "cancel_order"


class CancelOrder(BaseModel):
    """An order to cancel; ``reason`` is kept where the ERP has room for it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    idempotency_key: Text = Field(min_length=1, max_length=255)
    order_id: Text = Field(min_length=3, max_length=100)
    reason: Text | None = Field(default=None, max_length=255)

    @classmethod
    def parse(cls, **data: object) -> CancelOrder:
        """Validate raw input; InvalidInput names the first offending field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise InvalidInput(f"{where}: {first['msg']}", field=where or None) from None

    def fingerprint(self) -> str:
        """Hash of everything but the key: the same key must come with the same request."""
        body = self.model_dump(mode="json", exclude={"idempotency_key"})
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class OrderCancellation:
    """Cancels orders through the port, once per idempotency key and connection."""

    def __init__(
        self,
        connections: Connections,
        keys: IdempotencyStore,
        *,
        key_retention: dt.timedelta,
        in_flight_timeout: dt.timedelta,
    ) -> None:
        self._connections = connections
        self._keys = keys
        self._retention = key_retention
        self._in_flight_timeout = in_flight_timeout

    async def cancel(self, command: CancelOrder) -> SalesOrder:
        adapter, native = self._connections.resolve(command.order_id, field="order_id")
        scope = f"{CANCEL_ORDER}:{adapter.source.connection}"
        key = command.idempotency_key
        existing = await self._keys.claim(
            scope, key, command.fingerprint(), self._retention, request=command.model_dump_json()
        )
        if existing is not None:
            if existing.fingerprint != command.fingerprint():
                raise IdempotencyConflict(
                    "this idempotency key was used for a different cancellation",
                    field="idempotency_key",
                )
            if existing.state is KeyState.COMPLETED and existing.response is not None:
                return SalesOrder.model_validate_json(existing.response)
            # A request with this key is running, or died: the ERP's cancellation is
            # repeatable, so a stale claim is simply taken over and done again.
            stale_before = dt.datetime.now(dt.UTC) - self._in_flight_timeout
            if not await self._keys.reclaim(scope, key, stale_before):
                raise IdempotencyConflict(
                    "an order with this idempotency key is being cancelled; retry shortly",
                    field="idempotency_key",
                )
        try:
            with translated("sales order", command.order_id):
                order = await adapter.cancel_order(native, command.reason)
        except FlowError:
            await self._keys.release(scope, key)
            raise
        event = order_status_changed(
            order.id, order.number, order.source.connection, OrderStatus.CANCELLED
        )
        await self._keys.complete(scope, key, order.model_dump_json(), events=[event])
        return order
