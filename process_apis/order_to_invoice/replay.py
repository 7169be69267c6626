"""Replaying quarantined orders: the order flow's entry in the quarantine's replayer table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from process_apis.errors import InvalidInput
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.quarantine.port import QuarantinedRecord
from process_apis.quarantine.replayers import Replayed
from system_apis.contracts.models import split_id


class OrderReplayer:
    """Places a quarantined ``place_order`` record through the order flow, exactly once."""

    def __init__(self, orders: OrderToInvoice) -> None:
        self._orders = orders

    def corrected(self, record: QuarantinedRecord, payload: object) -> Mapping[str, Any]:
        command = _command(payload)
        if command.idempotency_key != record.idempotency_key:
            raise InvalidInput(
                "payload.idempotency_key: cannot change; it is what keeps the order from "
                "being placed twice",
                field="payload.idempotency_key",
            )
        if _connection_of(command.customer_id) != record.connection:
            raise InvalidInput(
                f"payload.customer_id: must stay a customer of connection {record.connection}",
                field="payload.customer_id",
            )
        return command.model_dump(mode="json")

    def check(self, record: QuarantinedRecord) -> None:
        _command(record.payload)

    async def replay(self, record: QuarantinedRecord) -> Replayed:
        order = await self._orders.replay_order(_command(record.payload))
        return Replayed(result=order.id, order=order)

    async def release_key(self, record: QuarantinedRecord) -> None:
        if record.idempotency_key:
            await self._orders.release_order_key(record.connection, record.idempotency_key)


def _command(payload: object) -> PlaceOrder:
    """The command a payload holds, validated as the client's request was."""
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload: must be a JSON object", field="payload")
    try:
        return PlaceOrder.parse(**{str(name): value for name, value in payload.items()})
    except InvalidInput as exc:
        field = "payload" if exc.field is None else f"payload.{exc.field}"
        raise InvalidInput(f"payload.{exc.message}", field=field) from None


def _connection_of(customer_id: str) -> str | None:
    try:
        return split_id(customer_id)[0]
    except ValueError:
        return None
