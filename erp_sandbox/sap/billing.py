"""Billing: ``CreateFromSDDocument`` turns delivered, not yet billed items into an F2 invoice.

The sandbox's order items are billed with reference to their deliveries (delivery-related
billing), so the referenced documents are outbound deliveries; a sales order is refused, as SAP
finds nothing of it due for billing. Only delivery items whose goods issue is posted and which
no billing document still in force references are billed. Billing of deliveries leaves the
order's ``OverallOrdReltdBillgStatus`` alone (it tracks order-related billing only); the billing
state of such an order is its billing documents. Each billing item takes the order item's net
price for the delivered quantity and the output tax of the order item's tax classifications
(:mod:`erp_sandbox.sap.taxes`) on it, rounded to cents; the header sums them. Billing documents
are numbered from 90000000.

A new billing document is posted to accounting (``AccountingPostingStatus`` ``C``) and not yet
cleared (``InvoiceClearingStatus`` ``A``). The customer's payment clears the receivable in
accounting, which SAP reflects in the clearing status; the sandbox has no accounting, so
:func:`clear_billing_document` (an admin operation) stands in for the incoming payment and sets
the status to ``C``. Both stamp ``LastChangeDateTime``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.sap import org, taxes
from erp_sandbox.sap.orders import refresh_order
from erp_sandbox.sap.records import (
    blank,
    business_error,
    day,
    item_number,
    load,
    money,
    require,
    save,
    stamp,
)
from erp_sandbox.sap.shipping import DELIVERIES, DELIVERY_ITEMS, touch_delivery
from erp_sandbox.sap.store import Transaction

BILLING_DOCUMENTS = "A_BillingDocument"
BILLING_ITEMS = "A_BillingDocumentItem"

BY_DELIVERY = RowIndex.stored(["DeliveryDocument"])
BY_BILLING_DOCUMENT = RowIndex.stored(["BillingDocument"])


def _candidates(tx: Transaction, document: str) -> list[Row]:
    if load(tx, DELIVERIES, document) is not None:
        return tx.find(DELIVERY_ITEMS, BY_DELIVERY, [(document,)])
    if load(tx, "A_SalesOrder", document) is not None:
        raise business_error(
            "VF/016",
            f"Sales order {document} is billed with reference to its deliveries",
            target="SDDocument",
        )
    raise business_error(
        "VF/011", f"Document {document} is not a billable SD document", target="SDDocument"
    )


def billed_items(tx: Transaction) -> set[tuple[str, str]]:
    """The delivery items a billing document still in force references."""
    cancelled = {
        row["BillingDocument"]
        for row in tx.rows(BILLING_DOCUMENTS)
        if row["BillingDocumentIsCancelled"]
    }
    return {
        (row["ReferenceSDDocument"], row["ReferenceSDDocumentItem"])
        for row in tx.rows(BILLING_ITEMS)
        if row["BillingDocument"] not in cancelled
    }


def create_from_sd_document(tx: Transaction, documents: str | list[str], now: datetime) -> Row:
    """Bill what is due of the referenced deliveries; the new billing document header."""
    references = [documents] if isinstance(documents, str) else documents
    billed = billed_items(tx)
    posted = {
        row["DeliveryDocument"]
        for row in tx.rows(DELIVERIES)
        if row["OverallGoodsMovementStatus"] == "C"
    }
    candidates = [row for document in references for row in _candidates(tx, document)]
    due = [
        row
        for row in candidates
        if row["DeliveryDocument"] in posted
        and (row["DeliveryDocument"], row["DeliveryDocumentItem"]) not in billed
    ]
    if not due:
        raise business_error(
            "VF/016", f"Document {', '.join(references)} has no delivered items due for billing"
        )
    due.sort(key=lambda row: (int(row["DeliveryDocument"]), int(row["DeliveryDocumentItem"])))
    number = str(tx.next_number("BillingDocument", org.FIRST_BILLING_DOCUMENT))
    items: list[Row] = []
    first_order: Row | None = None
    for position, delivered in enumerate(due, 1):
        order_item = require(
            tx,
            "A_SalesOrderItem",
            delivered["ReferenceSDDocument"],
            delivered["ReferenceSDDocumentItem"],
        )
        order = require(tx, "A_SalesOrder", delivered["ReferenceSDDocument"])
        first_order = first_order or order
        share = delivered["ActualDeliveryQuantity"] / order_item["RequestedQuantity"]
        net = money(order_item["NetAmount"] * share)
        item = blank(BILLING_ITEMS)
        item.update(
            BillingDocument=number,
            BillingDocumentItem=item_number(position),
            Material=delivered["Material"],
            BillingQuantity=delivered["ActualDeliveryQuantity"],
            BillingQuantityUnit=delivered["DeliveryQuantityUnit"],
            NetAmount=net,
            TaxAmount=taxes.tax_amount(net, order, order_item),
            TransactionCurrency=order["TransactionCurrency"],
            ReferenceSDDocument=delivered["DeliveryDocument"],
            ReferenceSDDocumentItem=delivered["DeliveryDocumentItem"],
            SalesDocument=order["SalesOrder"],
            SalesDocumentItem=order_item["SalesOrderItem"],
        )
        items.append(item)
    assert first_order is not None
    net_total = sum((item["NetAmount"] for item in items), Decimal(0))
    tax_total = sum((item["TaxAmount"] for item in items), Decimal(0))
    today = day(now)
    header = blank(BILLING_DOCUMENTS)
    header.update(
        BillingDocument=number,
        BillingDocumentType="F2",
        SDDocumentCategory="M",
        BillingDocumentDate=today,
        CreationDate=today,
        SoldToParty=first_order["SoldToParty"],
        TotalNetAmount=money(net_total),
        TaxAmount=money(tax_total),
        TotalGrossAmount=money(net_total + tax_total),
        TransactionCurrency=first_order["TransactionCurrency"],
        LastChangeDateTime=now,
        OverallBillingStatus="C",
        AccountingPostingStatus="C",
        InvoiceClearingStatus="A",
        BillingDocumentIsCancelled=False,
        CompanyCode=org.SALES_ORGANIZATIONS.get(first_order["SalesOrganization"], "1010"),
        PurchaseOrderByCustomer=first_order["PurchaseOrderByCustomer"],
    )
    save(tx, BILLING_DOCUMENTS, header)
    for item in items:
        save(tx, BILLING_ITEMS, item)
    _complete_deliveries(tx, {row["DeliveryDocument"] for row in due}, now)
    for order_number in sorted({item["SalesDocument"] for item in items}, key=int):
        refresh_order(tx, order_number, now)
    return header


def _complete_deliveries(tx: Transaction, deliveries: set[str], now: datetime) -> None:
    """Deliveries whose items are all billed are completely processed."""
    billed = billed_items(tx)
    for delivery in deliveries:
        header = require(tx, DELIVERIES, delivery)
        items = tx.find(DELIVERY_ITEMS, BY_DELIVERY, [(delivery,)])
        if all((delivery, row["DeliveryDocumentItem"]) in billed for row in items):
            header["OverallSDProcessStatus"] = "C"
            touch_delivery(header, now)
            save(tx, DELIVERIES, header)


def clear_billing_document(tx: Transaction, document: str, now: datetime) -> Row:
    """Mark ``document`` paid: clearing status ``C``; a document already cleared is unchanged.

    A cancelled document cannot be paid (400); an unknown one is a 404.
    """
    header = require(tx, BILLING_DOCUMENTS, document)
    if header["BillingDocumentIsCancelled"]:
        raise business_error("VF/024", f"Billing document {document} is cancelled")
    if header["InvoiceClearingStatus"] != "C":
        header["InvoiceClearingStatus"] = "C"
        header["LastChangeDateTime"] = stamp(header["LastChangeDateTime"], now)
        save(tx, BILLING_DOCUMENTS, header)
    return header


def cancel_billing_document(tx: Transaction, document: str, now: datetime) -> Row:
    """``Cancel``: the document no longer bills its items, which are due for billing again.

    A document already cancelled or cleared by a payment is refused (400); an unknown one is
    a 404. The sandbox marks the document cancelled instead of posting an S1 document.
    """
    header = require(tx, BILLING_DOCUMENTS, document)
    if header["BillingDocumentIsCancelled"]:
        raise business_error("VF/024", f"Billing document {document} is already cancelled")
    if header["InvoiceClearingStatus"] == "C":
        raise business_error("VF/031", f"Billing document {document} is cleared; cancel refused")
    header["BillingDocumentIsCancelled"] = True
    header["LastChangeDateTime"] = stamp(header["LastChangeDateTime"], now)
    save(tx, BILLING_DOCUMENTS, header)
    items = tx.find(BILLING_ITEMS, BY_BILLING_DOCUMENT, [(document,)])
    for delivery in {row["ReferenceSDDocument"] for row in items}:
        delivery_header = require(tx, DELIVERIES, delivery)
        if delivery_header["OverallSDProcessStatus"] == "C":
            delivery_header["OverallSDProcessStatus"] = "B"
            touch_delivery(delivery_header, now)
            save(tx, DELIVERIES, delivery_header)
    for order_number in sorted({row["SalesDocument"] for row in items}, key=int):
        refresh_order(tx, order_number, now)
    return header
