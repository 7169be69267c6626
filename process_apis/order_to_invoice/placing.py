"""Placing an order: once per idempotency key, and never lost when the ERP is down.

A key's life: claimed by the first request; completed with the order; released when the
request wrote nothing and may be corrected. When the ERP cannot take the order *for now*
(unreachable, throttled, circuit open, or an answer lost and the order not found by its
reference) the command is kept in the quarantine and the key stays claimed: from then on the
quarantine owns it. With a :class:`RetrySchedule` the record is *pending*: the gateway retries
it by itself (see :mod:`process_apis.quarantine.retrier`) and only what a person must judge
reaches review; without one it goes to review at once. A client retry is answered from the
record (its state, or the order once placed); a replay looks for the order in the ERP before
it creates one. A claim whose process died (no answer, no quarantine) is resumed by the
in-flight recovery the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import (
    ErpUnavailable,
    FlowError,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    OutcomeUnknown,
    OutOfStock,
    RecordNotFound,
)
from process_apis.events.documents import order_events_of_placement
from process_apis.idempotency.port import IdempotencyStore, KeyRecord, KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.quarantine.errors import (
    OrderPending,
    accepted,
    failure_details,
    pending,
    still_quarantined,
)
from process_apis.quarantine.port import NewQuarantined, QuarantineStatus, QuarantineStore
from process_apis.quarantine.schedule import RetrySchedule, retry_later
from process_apis.unit_precision import check_unit_precision
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import InventoryLevel, SalesOrder
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)

PLACE_ORDER = "place_order"
"""Idempotency scope prefix and quarantine kind of placed orders."""

# A reclaim cut-off no claim can be younger than: the review's lease already makes the
# replay the only writer, so the key's age does not matter.
_ANY_AGE = dt.datetime.max.replace(tzinfo=dt.UTC)

Resumed = Literal["found", "created", "pending", "quarantined", "skipped"]
"""What resuming a stalled claim did (see :meth:`OrderPlacement.resume`)."""


class OrderPlacement:
    """The place-order step of order-to-invoice, for clients and for quarantine replays."""

    def __init__(
        self,
        connections: Connections,
        keys: IdempotencyStore,
        quarantine: QuarantineStore,
        *,
        key_retention: dt.timedelta,
        in_flight_timeout: dt.timedelta,
        retries: RetrySchedule | None = None,
    ):
        self._retries = retries
        self._connections = connections
        self._keys = keys
        self._quarantine = quarantine
        self._retention = key_retention
        self._in_flight_timeout = in_flight_timeout

    async def place(self, command: PlaceOrder) -> SalesOrder:
        """Create the order once per key; a repeat returns the first result."""
        adapter, customer_native = self._connections.resolve(
            command.customer_id, field="customer_id"
        )
        scope = _scope(adapter)
        key = command.idempotency_key
        existing = await self._keys.claim(
            scope, key, command.fingerprint(), self._retention, request=command.model_dump_json()
        )
        if existing is not None:
            if existing.fingerprint != command.fingerprint():
                raise IdempotencyConflict(
                    "this idempotency key was used for a different order", field="idempotency_key"
                )
            if existing.state is KeyState.COMPLETED and existing.response is not None:
                return SalesOrder.model_validate_json(existing.response)
            await self._refuse_if_reviewed(adapter.source.connection, existing)
            # Claimed but not completed: another request is running, or one died after
            # claiming. If the ERP has the order, the earlier attempt did write it.
            found = await self._find_by_reference(
                adapter, command.external_reference(adapter.limits)
            )
            if found is not None:
                await self._keys.complete(
                    scope, key, found.model_dump_json(), events=order_events_of_placement(found)
                )
                return found
            stale_before = dt.datetime.now(dt.UTC) - self._in_flight_timeout
            if not await self._keys.reclaim(scope, key, stale_before):
                raise IdempotencyConflict(
                    "an order with this idempotency key is being placed; retry shortly",
                    field="idempotency_key",
                )
        try:
            order = await self._create(adapter, customer_native, command)
        except ErpUnavailable as exc:
            # The request was valid and the ERP is what failed: keep it, keep its key.
            raise await self._keep(adapter, command, exc) from exc
        except FlowError:
            # Nothing was written: free the key so a corrected request may use it.
            await self._keys.release(scope, key)
            raise
        await self._keys.complete(
            scope, key, order.model_dump_json(), events=order_events_of_placement(order)
        )
        return order

    async def replay(self, command: PlaceOrder) -> SalesOrder:
        """Run a quarantined order again; the caller holds the quarantine record's lease.

        The key is the quarantine's: its fingerprint may be the one before an operator's
        edit, so it is not compared. A completed key means an earlier replay (or, after
        the key's retention, a client) placed it. Failures leave the key claimed.
        """
        adapter, customer_native = self._connections.resolve(
            command.customer_id, field="customer_id"
        )
        scope = _scope(adapter)
        key = command.idempotency_key
        existing = await self._keys.claim(scope, key, command.fingerprint(), self._retention)
        if existing is not None:
            if existing.state is KeyState.COMPLETED and existing.response is not None:
                return SalesOrder.model_validate_json(existing.response)
            if not await self._keys.reclaim(scope, key, _ANY_AGE):
                raise IdempotencyConflict(
                    "the idempotency key changed during the replay; replay again",
                    field="idempotency_key",
                )
        order, _ = await self._find_or_create(adapter, customer_native, command)
        await self._keys.complete(
            scope, key, order.model_dump_json(), events=order_events_of_placement(order)
        )
        return order

    async def resume(
        self, claim: KeyRecord, command: PlaceOrder, stale_before: dt.datetime
    ) -> Resumed:
        """Finish a claim untouched since ``stale_before`` whose request died with its process.

        The atomic reclaim makes this the claim's only writer. No client waits for the answer,
        so any failure, not only the ERP's, puts the order into quarantine: none is dropped.
        """
        if not await self._keys.reclaim(claim.scope, claim.key, stale_before):
            return "skipped"  # completed meanwhile, or another replica took it over
        adapter, customer_native = self._connections.resolve(command.customer_id)
        try:
            await self._refuse_if_reviewed(adapter.source.connection, claim)
        except FlowError:
            # The quarantine holds this claim (its record was kept just before the process
            # died): it decides, and the claim is no stalled request any more.
            await self._keys.hand_over(claim.scope, claim.key)
            return "skipped"
        try:
            order, created = await self._find_or_create(adapter, customer_native, command)
        except FlowError as exc:
            kept = await self._keep(adapter, command, exc)
            return "pending" if isinstance(kept, OrderPending) else "quarantined"
        await self._keys.complete(
            claim.scope,
            claim.key,
            order.model_dump_json(),
            events=order_events_of_placement(order),
        )
        return "created" if created else "found"

    async def release(self, connection: str, key: str) -> None:
        """Free the key of a discarded order so that the client may send it again."""
        await self._keys.release(f"{PLACE_ORDER}:{connection}", key)

    async def _refuse_if_reviewed(self, connection: str, claim: KeyRecord) -> None:
        """Answer from the quarantine when it holds this claim of the key."""
        record = await self._quarantine.find_by_key(PLACE_ORDER, connection, claim.key)
        if record is None or record.created_at < claim.created_at:
            # None, or a record of an earlier claim whose key was released or expired.
            return
        if record.status is QuarantineStatus.PENDING:
            raise pending(record)
        if record.status is QuarantineStatus.OPEN:
            raise still_quarantined(record.id)
        if record.status is QuarantineStatus.DISCARDED:
            note = f" ({record.resolution_note})" if record.resolution_note else ""
            raise InvalidState(
                f"the order with this idempotency key was discarded in review{note}; "
                "to place it after all, send it with a new idempotency key",
                field="idempotency_key",
            )

    async def _keep(
        self, adapter: ErpAdapter, command: PlaceOrder, exc: FlowError
    ) -> ErpUnavailable:
        """Keep the command in the quarantine, which takes its key over: pending automatic
        retries when the ERP failed for now and a schedule is set, else for review."""
        reason, erp_error = failure_details(exc)
        now = dt.datetime.now(dt.UTC)
        retry_at = None
        if self._retries is not None and retry_later(exc):
            asked = exc.retry_after if isinstance(exc, ErpUnavailable) else None
            retry_at = self._retries.next_retry(1, now, asked)
        record = await self._quarantine.add(
            NewQuarantined(
                kind=PLACE_ORDER,
                connection=adapter.source.connection,
                idempotency_key=command.idempotency_key,
                payload=command.model_dump(mode="json"),
                reason=reason,
                erp_error=erp_error,
                retry_at=retry_at,
            )
        )
        await self._keys.hand_over(_scope(adapter), command.idempotency_key)
        return accepted(record.id, exc) if retry_at is None else pending(record, exc)

    async def _find_or_create(
        self, adapter: ErpAdapter, customer_native: str, command: PlaceOrder
    ) -> tuple[SalesOrder, bool]:
        """The order an earlier attempt created before it failed or died, else a new one (True)."""
        found = await self._find_by_reference(adapter, command.external_reference(adapter.limits))
        if found is not None:
            return found, False
        return await self._create(adapter, customer_native, command), True

    async def _create(
        self, adapter: ErpAdapter, customer_native: str, command: PlaceOrder
    ) -> SalesOrder:
        draft = await self._checked_draft(adapter, customer_native, command)
        try:
            with translated():
                return await adapter.create_sales_order(draft)
        except OutcomeUnknown:
            # The ERP may have created the order before the answer was lost: look first.
            # A failed look-up leaves it unknown: that, not the look-up, is what to report.
            found = await self._look_again(adapter, command.external_reference(adapter.limits))
            if found is None:
                raise
            return found

    async def _look_again(self, adapter: ErpAdapter, reference: str) -> SalesOrder | None:
        """The order by its reference; None when not found or the ERP is still unavailable."""
        try:
            return await self._find_by_reference(adapter, reference)
        except ErpUnavailable:
            return None

    async def _checked_draft(
        self, adapter: ErpAdapter, customer_native: str, command: PlaceOrder
    ) -> SalesOrderDraft:
        with translated():
            customers = await adapter.list_customers(
                CustomerFilter(native_ids=[customer_native]), PageRequest(limit=1)
            )
        if not customers.items:
            raise RecordNotFound("customer", command.customer_id, field="customer_id")
        if customers.items[0].blocked:
            raise InvalidState(f"customer {command.customer_id} is blocked", field="customer_id")
        skus = [line.sku for line in command.lines]
        with translated():
            products = await adapter.list_products(
                ProductFilter(skus=skus), PageRequest(limit=len(skus))
            )
            stock = await adapter.list_inventory(
                InventoryFilter(skus=skus), PageRequest(limit=1000)
            )
        known = {p.sku: p for p in products.items}
        drafts = []
        for index, line in enumerate(command.lines):
            field = f"lines.{index}"
            product = known.get(line.sku)
            if product is None or product.deleted:
                raise RecordNotFound("product", line.sku, field=f"{field}.sku")
            check_unit_precision(line.quantity, product, f"{field}.quantity")
            location = _pick_location(stock.items, line.sku, line.quantity, line.location, field)
            drafts.append(
                OrderLineDraft(
                    sku=line.sku, quantity=line.quantity, unit=product.base_unit, location=location
                )
            )
        return SalesOrderDraft(
            customer_native_id=customer_native,
            external_reference=command.external_reference(adapter.limits),
            lines=tuple(drafts),
        )

    async def _find_by_reference(self, adapter: ErpAdapter, reference: str) -> SalesOrder | None:
        with translated():
            page = await adapter.list_sales_orders(
                SalesOrderFilter(external_reference=reference), PageRequest(limit=1)
            )
        return page.items[0] if page.items else None


def _scope(adapter: ErpAdapter) -> str:
    return f"{PLACE_ORDER}:{adapter.source.connection}"


def _pick_location(
    levels: tuple[InventoryLevel, ...],
    sku: str,
    quantity: Decimal,
    wanted: str | None,
    field: str,
) -> str:
    """The location that ships the line: the one asked for, else the one with most stock."""
    at = {lvl.location: lvl.quantity.value for lvl in levels if lvl.sku == sku}
    if wanted is not None:
        if wanted not in at:
            raise InvalidInput(f"{sku!r} is not stocked at location {wanted!r}", field=field)
        candidates = {wanted: at[wanted]}
    else:
        candidates = at
    best = max(candidates.items(), key=lambda item: item[1], default=None)
    available = best[1] if best else Decimal(0)
    if best is None or available < quantity:
        raise OutOfStock(sku, quantity, available, field=f"{field}.quantity")
    return best[0]
