"""Billing on SAP: what of an order is billed, and billing what was delivered.

Sales order items of standard orders are billed with reference to their outbound deliveries
(delivery-related billing). Such billing never sets the order's
``OverallOrdReltdBillgStatus``, which tracks order-related billing only, so the billing state
of an order is read from the billing documents that reference it (its document flow):
``A_BillingDocumentItem`` rows whose ``SalesDocument`` is the order, excluding items of
cancelled documents and of cancellation documents (``SDDocumentCategory`` ``N``/``S``).
:func:`billing_states` reads them for a page of orders in one request and
:func:`billing_state` compares billed with ordered quantities.

Billing documents are created by the OData v4 billing document API's
``CreateFromSDDocument`` action (the v2 ``API_BILLING_DOCUMENT_SRV`` has no create), with the
deliveries of the order that are goods-issued and not completely billed as references:
:func:`due_deliveries` finds them (three reads), :func:`create_billing_document` posts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from system_apis.contracts.errors import UnknownOutcome
from system_apis.contracts.models import DocumentStatus
from system_apis.sap.answers import JsonObject
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.readers import expanded
from system_apis.sap.odata import eq, one_of
from system_apis.sap.queries import key_chunks

BILLING_V4 = "api_billingdocument/srvd_a2x/sap/billingdocument/0001"
"""The OData v4 billing document API (under the client's ``odata4_path``)."""
CREATE_FROM_SD_DOCUMENT = "BillingDocument/SAP__self.CreateFromSDDocument"
BILLING_V2 = "API_BILLING_DOCUMENT_SRV"
DELIVERY_V2 = "API_OUTBOUND_DELIVERY_SRV;v=0002"
CANCELLATION_CATEGORIES = frozenset({"N", "S"})
"""SD document categories of cancellation documents (of an invoice, of a credit memo)."""

_BILLED_SELECT = (
    "BillingDocument",
    "SalesDocument",
    "SalesDocumentItem",
    "ReferenceSDDocument",
    "ReferenceSDDocumentItem",
    "BillingQuantity",
    "to_BillingDocument/BillingDocumentIsCancelled",
    "to_BillingDocument/SDDocumentCategory",
)

BilledQuantities = dict[tuple[str, str], Decimal]
"""Billed quantity per (sales order, sales order item)."""


def _in_force(row: JsonObject) -> bool:
    header = row.get("to_BillingDocument")
    if not isinstance(header, dict):
        return True
    category = str(header.get("SDDocumentCategory") or "")
    return not header.get("BillingDocumentIsCancelled") and category not in CANCELLATION_CATEGORIES


async def _billing_items(
    client: SapODataClient, field: str, documents: Sequence[str]
) -> list[JsonObject]:
    """Billing items in force whose ``field`` is one of ``documents``."""
    if not documents:
        return []
    rows = await client.get_all(
        BILLING_V2,
        "A_BillingDocumentItem",
        filter=one_of(field, documents),
        select=_BILLED_SELECT,
        expand=("to_BillingDocument",),
    )
    return [row for row in rows if _in_force(row)]


async def billed_quantities(client: SapODataClient, orders: Sequence[str]) -> BilledQuantities:
    """What billing documents in force bill of each item of ``orders``.

    One read per :data:`~system_apis.sap.queries.KEY_CHUNK` orders (the URL stays short), all
    in one ``$batch``.
    """
    chunks = key_chunks(list(dict.fromkeys(orders)))
    answers = await client.get_all_of(
        BILLING_V2,
        "A_BillingDocumentItem",
        [one_of("SalesDocument", chunk) for chunk in chunks],
        select=_BILLED_SELECT,
        expand=("to_BillingDocument",),
    )
    rows = [row for chunk in answers for row in chunk if _in_force(row)]
    billed: BilledQuantities = {}
    for row in rows:
        key = (str(row.get("SalesDocument") or ""), str(row.get("SalesDocumentItem") or ""))
        billed[key] = billed.get(key, Decimal(0)) + Decimal(str(row.get("BillingQuantity") or 0))
    return billed


async def billed_of(client: SapODataClient, orders: Sequence[JsonObject]) -> BilledQuantities:
    """:func:`billed_quantities` of the ``orders`` whose billing only the documents tell."""
    if not any(billing_state(order, {}) is not None for order in orders):
        return {}
    return await billed_quantities(client, [str(order["SalesOrder"]) for order in orders])


def billing_state(order: JsonObject, billed: BilledQuantities) -> DocumentStatus | None:
    """The billing state of an ``A_SalesOrder`` (items expanded) from its billing documents.

    None when the order's own ``OverallOrdReltdBillgStatus`` is set (order-related billing
    says it) or its items are not expanded.
    """
    if str(order.get("OverallOrdReltdBillgStatus") or "").strip():
        return None
    items = expanded(order, "to_Item")
    if not items:
        return None
    number = str(order.get("SalesOrder") or "")
    states = []
    for item in items:
        done = billed.get((number, str(item.get("SalesOrderItem") or "")), Decimal(0))
        ordered = Decimal(str(item.get("RequestedQuantity") or 0))
        states.append("none" if done <= 0 else ("full" if done >= ordered else "part"))
    if all(state == "full" for state in states):
        return DocumentStatus.COMPLETE
    if all(state == "none" for state in states):
        return DocumentStatus.OPEN
    return DocumentStatus.PARTIAL


async def due_deliveries(client: SapODataClient, order: str) -> list[str]:
    """The goods-issued deliveries of ``order`` with an item no billing document in force bills."""
    delivered = await client.get_all(
        DELIVERY_V2,
        "A_OutbDeliveryItem",
        filter=eq("ReferenceSDDocument", order),
        select=("DeliveryDocument", "DeliveryDocumentItem"),
    )
    deliveries = list(dict.fromkeys(str(row["DeliveryDocument"]) for row in delivered))
    if not deliveries:
        return []
    headers = [
        row
        for chunk in key_chunks(deliveries)
        for row in await client.get_all(
            DELIVERY_V2,
            "A_OutbDeliveryHeader",
            filter=one_of("DeliveryDocument", chunk),
            select=("DeliveryDocument", "OverallGoodsMovementStatus"),
        )
    ]
    issued = {
        str(row["DeliveryDocument"])
        for row in headers
        if str(row.get("OverallGoodsMovementStatus") or "") == "C"
    }
    if not issued:
        return []
    billed = {
        (str(row.get("ReferenceSDDocument")), str(row.get("ReferenceSDDocumentItem")))
        for chunk in key_chunks(sorted(issued))
        for row in await _billing_items(client, "ReferenceSDDocument", chunk)
    }
    return _unbilled(
        deliveries,
        (
            (str(row["DeliveryDocument"]), str(row["DeliveryDocumentItem"]))
            for row in delivered
            if str(row["DeliveryDocument"]) in issued
        ),
        billed,
    )


def _unbilled(
    deliveries: list[str], items: Iterable[tuple[str, str]], billed: set[tuple[str, str]]
) -> list[str]:
    open_deliveries = {delivery for delivery, item in items if (delivery, item) not in billed}
    return [delivery for delivery in deliveries if delivery in open_deliveries]


async def create_billing_document(client: SapODataClient, deliveries: Sequence[str]) -> str:
    """Bills ``deliveries`` with ``CreateFromSDDocument``; the (first) new document's number."""
    created = await client.invoke_action(
        BILLING_V4,
        CREATE_FROM_SD_DOCUMENT,
        {"_Control": {}, "_Reference": [{"SDDocument": number} for number in deliveries]},
    )
    numbers = [str(row["BillingDocument"]) for row in created if row.get("BillingDocument")]
    if not numbers:
        raise UnknownOutcome(
            "SAP answered CreateFromSDDocument without a billing document number; "
            "billing may have happened",
            connection=client.connection,
        )
    return numbers[0]
