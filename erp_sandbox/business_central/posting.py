"""``Microsoft.NAV.shipAndInvoice``: posting a sales order (codeunit "Sales-Post").

Posts each line's ``shipQuantity`` to a posted sales shipment (item ledger entries of type
Sale take the stock from the line's location) and each line's ``invoiceQuantity`` to a posted
sales invoice. Nothing is written when any check fails: "There is nothing to post." when no
line has a quantity to ship or invoice, and "You have insufficient quantity of Item ... on
inventory." when a shipment would take a location's stock below zero.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from erp_sandbox.business_central.errors import dialog
from erp_sandbox.business_central.records import Row
from erp_sandbox.business_central.store import Store, _money

NOTHING_TO_POST = "There is nothing to post."


def ship_and_invoice(store: Store, order: Row, when: dt.datetime | None = None) -> None:
    now = when or store.clock()
    lines = store.lines("salesOrderLines", order["id"])
    to_ship = [ln for ln in lines if ln["shipQuantity"] > 0]
    to_invoice = [ln for ln in lines if ln["invoiceQuantity"] > 0]
    if not to_ship and not to_invoice:
        raise dialog(NOTHING_TO_POST)
    wanted: dict[tuple[str, str], Decimal] = {}
    for line in to_ship:
        key = (line["lineObjectNumber"], store.location_code(line["locationId"]))
        wanted[key] = wanted.get(key, Decimal(0)) + line["shipQuantity"]
    for (item, location), quantity in wanted.items():
        if store.stock(item, location) < quantity:
            raise dialog(f"You have insufficient quantity of Item {item} on inventory.")
    if to_ship:
        _shipment(store, order, to_ship, now)
    if to_invoice:
        _invoice(store, order, to_invoice, now)
    for line in lines:
        # What BC's InitOutstanding/InitQtyToShip/InitQtyToInvoice leave after a posting.
        line["shipQuantity"] = line["quantity"] - line["shippedQuantity"]
        line["invoiceQuantity"] = line["shippedQuantity"] - line["invoicedQuantity"]
        store.touch(line, now)
    store.totals(order)
    store.touch(order, now)
    if all(ln["invoicedQuantity"] == ln["quantity"] for ln in lines):
        # Shipped and invoiced in full: Sales-Post deletes the order (its posted documents
        # remain, naming it by number).
        store.tables["salesOrders"].remove(order)
        for line in lines:
            store.tables["salesOrderLines"].remove(line)


def _shipment(store: Store, order: Row, lines: list[Row], now: dt.datetime) -> None:
    number = store.next_number("shipment")
    shipment = store.insert(
        "salesShipments",
        {
            "number": number,
            "externalDocumentNumber": order["externalDocumentNumber"],
            "invoiceDate": None,
            "postingDate": now.date(),
            "dueDate": now.date(),
            "customerPurchaseOrderReference": "",
            "customerNumber": order["customerNumber"],
            "customerName": order["customerName"],
            "billToName": order["billToName"],
            "billToCustomerNumber": order["billToCustomerNumber"],
            "shipToName": order["shipToName"],
            "shipToContact": "",
            "currencyCode": order["currencyCode"],
            "orderNumber": order["number"],
            "paymentTermsCode": "",
            "shipmentMethodCode": "",
            "salesperson": order["salesperson"],
            "pricesIncludeTax": False,
            "lastModifiedDateTime": now,
            "phoneNumber": order["phoneNumber"],
            "email": order["email"],
        },
    )
    for line in lines:
        quantity = line["shipQuantity"]
        store.tables["salesShipmentLines"].append(
            {
                "id": str(uuid.uuid4()),
                "documentId": shipment["id"],
                "documentNo": number,
                "sequence": line["sequence"],
                "lineType": "Item",
                "lineObjectNumber": line["lineObjectNumber"],
                "description": line["description"],
                "description2": "",
                "unitOfMeasureCode": line["unitOfMeasureCode"],
                "unitPrice": line["unitPrice"],
                "quantity": quantity,
                "discountPercent": Decimal(0),
                "taxPercent": line["taxPercent"],
                "shipmentDate": now.date(),
                "_version": 1,
            }
        )
        item = store.get("items", line["itemId"], "Item")
        store.post_ledger(
            item,
            store.location_code(line["locationId"]),
            -quantity,
            "Sale",
            ("Sales_x0020_Shipment", number),
            order["customerNumber"],
            now,
        )
        line["shippedQuantity"] += quantity


def _invoice(store: Store, order: Row, lines: list[Row], now: dt.datetime) -> None:
    number = store.next_number("invoice")
    invoice_id = str(uuid.uuid4())
    rows: list[Row] = []
    for line in lines:
        quantity = line["invoiceQuantity"]
        net = _money(line["unitPrice"] * quantity)
        tax = _money(net * line["taxPercent"] / 100)
        rows.append(
            {
                **{
                    k: line[k]
                    for k in (
                        "itemId",
                        "accountId",
                        "lineType",
                        "lineObjectNumber",
                        "description",
                        "description2",
                        "unitOfMeasureId",
                        "unitOfMeasureCode",
                        "unitPrice",
                        "taxCode",
                        "taxPercent",
                        "itemVariantId",
                        "locationId",
                        "sequence",
                    )
                },
                "id": str(uuid.uuid4()),
                "documentId": invoice_id,
                "quantity": quantity,
                "discountAmount": Decimal(0),
                "discountPercent": Decimal(0),
                "discountAppliedBeforeTax": False,
                "amountExcludingTax": net,
                "totalTaxAmount": tax,
                "amountIncludingTax": net + tax,
                "invoiceDiscountAllocation": Decimal(0),
                "netAmount": net,
                "netTaxAmount": tax,
                "netAmountIncludingTax": net + tax,
                "shipmentDate": line["shipmentDate"],
                "_version": 1,
            }
        )
        line["invoicedQuantity"] += quantity
    net_total = sum((r["netAmount"] for r in rows), Decimal(0))
    tax_total = sum((r["netTaxAmount"] for r in rows), Decimal(0))
    store.insert(
        "salesInvoices",
        {
            "id": invoice_id,
            "number": number,
            "externalDocumentNumber": order["externalDocumentNumber"],
            "invoiceDate": now.date(),
            "postingDate": now.date(),
            "dueDate": now.date() + dt.timedelta(days=30),
            "customerPurchaseOrderReference": "",
            "customerId": order["customerId"],
            "customerNumber": order["customerNumber"],
            "customerName": order["customerName"],
            "billToName": order["billToName"],
            "billToCustomerId": order["billToCustomerId"],
            "billToCustomerNumber": order["billToCustomerNumber"],
            "currencyId": order["currencyId"],
            "currencyCode": order["currencyCode"],
            "orderId": order["id"],
            "orderNumber": order["number"],
            "paymentTermsId": order["paymentTermsId"],
            "shipmentMethodId": order["shipmentMethodId"],
            "salesperson": order["salesperson"],
            "pricesIncludeTax": False,
            "remainingAmount": net_total + tax_total,
            "discountAmount": Decimal(0),
            "discountAppliedBeforeTax": False,
            "totalAmountExcludingTax": net_total,
            "totalTaxAmount": tax_total,
            "totalAmountIncludingTax": net_total + tax_total,
            "status": "Open",
            "lastModifiedDateTime": now,
            "phoneNumber": order["phoneNumber"],
            "email": order["email"],
        },
    )
    store.tables["salesInvoiceLines"].extend(rows)
