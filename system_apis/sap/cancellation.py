"""Cancelling a sales order: every item gets the connection's reason for rejection.

SAP has no cancel operation for a sales order: an order is closed by rejecting its items, one
``PATCH A_SalesOrderItem(SalesOrder=…,SalesOrderItem=…)`` each, setting
``SalesDocumentRjcnReason`` to a code of the landscape's customizing (table TVAG, e.g. ``50``).
Once every item is rejected the header's ``OverallSDDocumentRejectionSts`` is ``C`` and the
order reads CANCELLED. ``A_SalesOrderItemType`` carries no ETag in SAP's metadata, so these
changes go without ``If-Match``. The PATCHes travel in one ``$batch`` changeset, which SAP
makes all or nothing: a refused item leaves every item as it was. A connection with
``batch = false`` sends them one by one, and a refusal there leaves the earlier items rejected.

SAP refuses to reject an item that a delivery references. The adapter checks first, so that a
refusal changes nothing: a billed order is refused as INVOICED, one whose goods left as
SHIPPED, one with a delivery still in the warehouse as IN_DELIVERY (the delivery must be
deleted in SAP first); a delivery created after that check makes SAP refuse the changeset,
answered the same way (IN_DELIVERY). When the changeset's answer is lost the order's header
is read: every item rejected means the changeset went through, else the outcome stays
unknown. Items already rejected are skipped: a cancellation cut short half way
(``batch = false``) is completed by the next call, and a cancelled order is answered
without a write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from system_apis.contracts.errors import (
    CancelRefusal,
    ErpError,
    NotCancellable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.models import Delivery, DocumentStatus, OrderStatus, SalesOrder
from system_apis.contracts.queries import DeliveryFilter, Page, PageRequest
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.readers import JsonObject, expanded
from system_apis.sap.mapping.sales import ALL_REJECTED
from system_apis.sap.queries import SALES_ORDER

DEFAULT_REJECTION_REASON = "50"
"""The reason for rejection a cancellation gives each item unless the connection names another
(one of SAP's standard reasons in table TVAG; landscapes often add their own for cancellations)."""

REASON = "SalesDocumentRjcnReason"
REJECTION_STATUS = "OverallSDDocumentRejectionSts"
SUBSEQUENT_DOCUMENTS = "V1/377"
"""SAP's message code refusing to reject an item that a subsequent document references."""
IN_DELIVERY = frozenset({"B", "C"})
"""Item ``DeliveryStatus`` values of an item that a delivery references (partly or fully)."""


def items_in_delivery(order: JsonObject) -> bool:
    """Whether a delivery references any item of the ``A_SalesOrder`` (items expanded)."""
    return any(
        str(item.get("DeliveryStatus") or "") in IN_DELIVERY
        for item in expanded(order, "to_Item") or []
    )


def refusal(
    order: SalesOrder, deliveries: Sequence[Delivery], connection: str
) -> NotCancellable | None:
    """Why ``order`` (with its ``deliveries``) can no longer be cancelled; None when it can."""
    number = order.native_id
    if order.billing_status in (DocumentStatus.PARTIAL, DocumentStatus.COMPLETE):
        return NotCancellable(
            f"sales order {number} is billed: cancel its billing documents first",
            refusal=CancelRefusal.INVOICED,
            connection=connection,
        )
    if any(delivery.goods_issued for delivery in deliveries):
        return NotCancellable(
            f"goods were issued for sales order {number}",
            refusal=CancelRefusal.SHIPPED,
            connection=connection,
        )
    if deliveries:
        numbers = ", ".join(delivery.native_id for delivery in deliveries)
        return NotCancellable(
            f"outbound delivery {numbers} references sales order {number}: "
            "delete the delivery in SAP first",
            refusal=CancelRefusal.IN_DELIVERY,
            connection=connection,
        )
    return None


async def cancel(
    client: SapODataClient,
    entity: JsonObject,
    order: SalesOrder,
    list_deliveries: Callable[[DeliveryFilter, PageRequest], Awaitable[Page[Delivery]]],
    reason: str,
) -> bool:
    """Rejects the items of ``order`` (``entity`` as read, items expanded) with ``reason``,
    or raises NotCancellable without a write; False when the order was cancelled already.

    The order's deliveries are read (``list_deliveries``) only when SAP says a delivery
    references an item.
    """
    if order.status is OrderStatus.CANCELLED:
        return False
    deliveries: Sequence[Delivery] = ()
    if items_in_delivery(entity):
        filter = DeliveryFilter(order_native_id=order.native_id)
        deliveries = (await list_deliveries(filter, PageRequest(limit=100))).items
    refused = refusal(order, deliveries, order.source.connection)
    if refused is not None:
        raise refused
    try:
        await reject_items(client, entity, reason)
    except UnknownOutcome:
        if not await all_rejected(client, order.native_id):
            raise
    return True


async def all_rejected(client: SapODataClient, number: str) -> bool:
    """Whether SAP holds every item of order ``number`` rejected; False when it cannot say.

    After a changeset's answer was lost this decides: all or nothing, so an order that reads
    rejected was cancelled; one that does not may still be (SAP may not be done), and the
    outcome stays unknown.
    """
    try:
        header = await client.get_entity(
            SALES_ORDER, "A_SalesOrder", number, select=[REJECTION_STATUS]
        )
    except ErpError:
        return False
    return header.data.get(REJECTION_STATUS) == ALL_REJECTED


async def reject_items(client: SapODataClient, order: JsonObject, reason: str) -> None:
    """Gives every item of the ``A_SalesOrder`` (items expanded) that has none ``reason``,
    all in one changeset (see the module doc); SAP's refusal of an item a delivery took
    meanwhile raises NotCancellable (IN_DELIVERY)."""
    number = str(order["SalesOrder"])
    changes = [
        (
            {"SalesOrder": number, "SalesOrderItem": str(item["SalesOrderItem"])},
            {REASON: reason},
            None,
        )
        for item in expanded(order, "to_Item") or []
        if not str(item.get(REASON) or "").strip()
    ]
    try:
        await client.update_together(SALES_ORDER, "A_SalesOrderItem", changes)
    except ValidationRejected as exc:
        if exc.code != SUBSEQUENT_DOCUMENTS:
            raise
        raise NotCancellable(
            exc.message, refusal=CancelRefusal.IN_DELIVERY, code=exc.code, connection=exc.connection
        ) from exc
