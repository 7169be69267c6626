"""The sandbox's data (in memory) and the writes Business Central performs on it.

One company's tables by entity set name. Writes follow BC's rules: a deep insert of a sales
order with its lines is all or nothing; ``Microsoft.NAV.shipAndInvoice`` posts each line's
``shipQuantity`` (a shipment, stock leaves its location) and ``invoiceQuantity`` (a posted
invoice), refuses to take stock below zero (inventory setup "Prevent Negative Inventory"),
then sets the quantities to ship and invoice anew as BC does (outstanding, and shipped but
not invoiced), and deletes an order shipped and invoiced in full (see :mod:`.posting`).
Every change bumps the row's version (its ETag) and ``lastModifiedDateTime``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from erp_sandbox.business_central import vat
from erp_sandbox.business_central.errors import BcError, bad_request, dialog, not_found
from erp_sandbox.business_central.records import FIELDS, Row

EXTERNAL_DOCUMENT_LENGTH = 35
"""Sales Header."External Document No." is Code[35]."""

Clock = Callable[[], dt.datetime]


def related(field: str, table: str, value: str, target: str) -> BcError:
    """BC's answer to a value its table relation does not find (nothing is written)."""
    return BcError(
        400,
        "BadRequest",
        f"The field {field} of table {table} contains a value ({value}) that cannot "
        f"be found in the related table ({target}).",
    )


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


class Store:
    """The tables of one company, and the postings that change them."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.company: Row = {}
        self.tables: dict[str, list[Row]] = {name: [] for name in FIELDS}
        self.ledger: list[Row] = []  # item ledger entries, with their location
        self.series: dict[str, int] = {"order": 101000, "shipment": 102000, "invoice": 103000}

    # -- reading -------------------------------------------------------------------------

    def rows(self, entity_set: str) -> list[Row]:
        return self.tables[entity_set]

    def find(self, entity_set: str, key: str, value: Any) -> Row | None:
        return next((r for r in self.tables[entity_set] if r.get(key) == value), None)

    def get(self, entity_set: str, row_id: str, entity: str) -> Row:
        row = self.find(entity_set, "id", row_id)
        if row is None:
            raise not_found(entity, f"Id='{row_id}'")
        return row

    def lines(self, line_set: str, document_id: str) -> list[Row]:
        return [r for r in self.tables[line_set] if r["documentId"] == document_id]

    def stock(self, item_number: str, location_code: str) -> Decimal:
        return sum(
            (
                e["quantity"]
                for e in self.ledger
                if e["itemNo"] == item_number and e["locationCode"] == location_code
            ),
            Decimal(0),
        )

    # -- bookkeeping ---------------------------------------------------------------------

    def insert(self, entity_set: str, row: Row) -> Row:
        row.setdefault("id", str(uuid.uuid4()))
        row["_version"] = 1
        if "lastModifiedDateTime" in FIELDS[entity_set]:
            row.setdefault("lastModifiedDateTime", self.clock())
        self.tables[entity_set].append(row)
        return row

    def touch(self, row: Row, now: dt.datetime | None = None) -> None:
        row["_version"] = row.get("_version", 1) + 1
        if "lastModifiedDateTime" in row:
            row["lastModifiedDateTime"] = now or self.clock()

    def next_number(self, series: str) -> str:
        self.series[series] += 1
        return str(self.series[series])

    def post_ledger(
        self,
        item: Row,
        location: str,
        quantity: Decimal,
        entry_type: str,
        document: tuple[str, str],
        source: str,
        when: dt.datetime,
    ) -> None:
        number = len(self.ledger) + 1
        self.ledger.append(
            {
                "id": str(uuid.uuid4()),
                "entryNumber": number,
                "entryNo": number,
                "itemNumber": item["number"],
                "itemNo": item["number"],
                "locationCode": location,
                "postingDate": when.date(),
                "entryType": entry_type,
                "sourceNumber": source,
                "sourceNo": source,
                "sourceType": "Customer" if source else "_x0020_",
                "documentNumber": document[1],
                "documentNo": document[1],
                "documentType": document[0],
                "description": "",
                "quantity": quantity,
                "remainingQuantity": quantity if quantity > 0 else Decimal(0),
                "invoicedQuantity": Decimal(0),
                "open": quantity > 0,
                "positive": quantity > 0,
                "unitOfMeasureCode": item["baseUnitOfMeasureCode"],
                "salesAmountActual": Decimal(0),
                "costAmountActual": _money(item["unitCost"] * quantity),
                "lastModifiedDateTime": when,
                "_version": 1,
            }
        )
        item["inventory"] = item["inventory"] + quantity
        self.touch(item, when)

    # -- sales orders --------------------------------------------------------------------

    def _customer(self, body: Row) -> Row:
        if body.get("customerId"):
            customer = self.find("customers", "id", body["customerId"])
            key = f"Id='{body['customerId']}'"
        elif body.get("customerNumber"):
            customer = self.find("customers", "number", body["customerNumber"])
            key = f"No.='{body['customerNumber']}'"
        else:
            raise bad_request("You must specify a customer id or a customer number.")
        if customer is None:
            raise related("Sell-to Customer No.", "Sales Header", key, "Customer")
        if customer["blocked"] == "All":
            raise dialog(
                f"You cannot create this type of document when Customer "
                f"{customer['number']} is blocked with type All"
            )
        return customer

    def _line(self, body: Row, order: Row, sequence: int, when: dt.datetime) -> Row:
        if body.get("lineType", "Item") != "Item":
            raise bad_request("Only lines of type Item are supported by this sandbox.")
        if body.get("itemId"):
            item = self.find("items", "id", body["itemId"])
            key = f"Id='{body['itemId']}'"
        else:
            item = self.find("items", "number", body.get("lineObjectNumber"))
            key = f"No.='{body.get('lineObjectNumber')}'"
        if item is None:
            raise related("No.", "Sales Line", key, "Item")
        if item["blocked"]:
            raise dialog(
                f"Blocked must be equal to 'No'  in Item: No.={item['number']}. "
                "Current value is 'Yes'."
            )
        quantity = Decimal(str(body.get("quantity", 0)))
        if quantity <= 0:
            raise dialog("Quantity must be positive.")
        if body.get("unitOfMeasureCode") not in (None, item["baseUnitOfMeasureCode"]):
            raise dialog(
                f"The Unit of Measure {body['unitOfMeasureCode']} does not exist "
                f"for Item {item['number']}."
            )
        location_id = body.get("locationId") or ""
        if location_id and self.find("locations", "id", location_id) is None:
            raise related("Location Code", "Sales Line", location_id, "Location")
        ship = Decimal(str(body.get("shipQuantity", quantity)))
        invoice = Decimal(str(body.get("invoiceQuantity", ship)))
        if not (0 <= ship <= quantity and 0 <= invoice <= ship):
            raise dialog("You cannot ship or invoice more than the quantity of the line.")
        price = item["unitPrice"]
        net = _money(price * quantity)
        customer = self.find("customers", "id", order["customerId"])
        assert customer is not None
        tax_code, tax_percent = vat.setup(customer, item)
        tax = _money(net * tax_percent / 100)
        return {
            "id": str(uuid.uuid4()),
            "documentId": order["id"],
            "sequence": sequence,
            "itemId": item["id"],
            "accountId": "00000000-0000-0000-0000-000000000000",
            "lineType": "Item",
            "lineObjectNumber": item["number"],
            "description": item["displayName"],
            "description2": "",
            "unitOfMeasureId": item["baseUnitOfMeasureId"],
            "unitOfMeasureCode": item["baseUnitOfMeasureCode"],
            "quantity": quantity,
            "unitPrice": price,
            "discountAmount": Decimal(0),
            "discountPercent": Decimal(0),
            "discountAppliedBeforeTax": False,
            "amountExcludingTax": net,
            "taxCode": tax_code,
            "taxPercent": tax_percent,
            "totalTaxAmount": tax,
            "amountIncludingTax": net + tax,
            "invoiceDiscountAllocation": Decimal(0),
            "netAmount": net,
            "netTaxAmount": tax,
            "netAmountIncludingTax": net + tax,
            "shipmentDate": when.date(),
            "shippedQuantity": Decimal(0),
            "invoicedQuantity": Decimal(0),
            "shipQuantity": ship,
            "invoiceQuantity": invoice,
            "itemVariantId": "00000000-0000-0000-0000-000000000000",
            "locationId": location_id or "00000000-0000-0000-0000-000000000000",
            "_version": 1,
        }

    def create_order(self, body: Row, when: dt.datetime | None = None) -> Row:
        """A deep insert: the order and its ``salesOrderLines``, all or nothing."""
        now = when or self.clock()
        unknown = set(body) - set(FIELDS["salesOrders"]) - {"salesOrderLines"}
        if unknown:
            raise bad_request(
                f"The property '{sorted(unknown)[0]}' does not exist on type "
                "'Microsoft.NAV.salesOrder'."
            )
        external = body.get("externalDocumentNumber") or ""
        if len(external) > EXTERNAL_DOCUMENT_LENGTH:
            raise BcError(
                400,
                "Application_StringExceededLength",
                f"The length of the string is {len(external)}, but it must be less "
                f"than or equal to {EXTERNAL_DOCUMENT_LENGTH} characters. Value: "
                f"{external}",
            )
        customer = self._customer(body)
        order: Row = {
            "id": str(uuid.uuid4()),
            "externalDocumentNumber": external,
            "orderDate": now.date(),
            "postingDate": now.date(),
            "customerId": customer["id"],
            "customerNumber": customer["number"],
            "customerName": customer["displayName"],
            "billToName": customer["displayName"],
            "billToCustomerId": customer["id"],
            "billToCustomerNumber": customer["number"],
            "shipToName": customer["displayName"],
            "shipToContact": "",
            "sellToAddressLine1": customer["addressLine1"],
            "sellToAddressLine2": "",
            "sellToCity": customer["city"],
            "sellToCountry": customer["country"],
            "sellToState": customer["state"],
            "sellToPostCode": customer["postalCode"],
            "currencyId": "00000000-0000-0000-0000-000000000000",
            "currencyCode": customer["currencyCode"],
            "pricesIncludeTax": False,
            "paymentTermsId": "00000000-0000-0000-0000-000000000000",
            "shipmentMethodId": "00000000-0000-0000-0000-000000000000",
            "salesperson": customer["salespersonCode"],
            "partialShipping": True,
            "requestedDeliveryDate": None,
            "discountAmount": Decimal(0),
            "discountAppliedBeforeTax": False,
            "fullyShipped": False,
            "status": "Open",
            "phoneNumber": customer["phoneNumber"],
            "email": customer["email"],
        }
        lines = [
            self._line(line, order, 10000 * (index + 1), now)
            for index, line in enumerate(body.get("salesOrderLines") or [])
        ]
        if "orderDate" in body:
            order["orderDate"] = dt.date.fromisoformat(body["orderDate"])
        order["number"] = self.next_number("order")
        order["lastModifiedDateTime"] = now
        self.insert("salesOrders", order)
        for line in lines:
            self.tables["salesOrderLines"].append(line)
        self.totals(order)
        return order

    def totals(self, order: Row) -> None:
        lines = self.lines("salesOrderLines", order["id"])
        order["totalAmountExcludingTax"] = sum((ln["netAmount"] for ln in lines), Decimal(0))
        order["totalTaxAmount"] = sum((ln["netTaxAmount"] for ln in lines), Decimal(0))
        order["totalAmountIncludingTax"] = (
            order["totalAmountExcludingTax"] + order["totalTaxAmount"]
        )
        order["fullyShipped"] = bool(lines) and all(
            ln["shippedQuantity"] == ln["quantity"] for ln in lines
        )

    def update_line(self, line: Row, body: Row) -> Row:
        """PATCH of a sales order line: the quantities to ship and to invoice."""
        allowed = {"shipQuantity", "invoiceQuantity"}
        refused = set(body) - allowed
        if refused:
            raise bad_request(f"The sandbox changes only {sorted(allowed)}; got {sorted(refused)}")
        ship = Decimal(str(body.get("shipQuantity", line["shipQuantity"])))
        # Validating Qty. to Ship sets Qty. to Invoice anew (InitQtyToInvoice): shipped but
        # not invoiced, plus what is to ship now.
        default_invoice = (
            line["shippedQuantity"] - line["invoicedQuantity"] + ship
            if "shipQuantity" in body
            else line["invoiceQuantity"]
        )
        invoice = Decimal(str(body.get("invoiceQuantity", default_invoice)))
        outstanding = line["quantity"] - line["shippedQuantity"]
        if not 0 <= ship <= outstanding:
            raise dialog(f"You cannot ship more than {outstanding} units.")
        if not 0 <= invoice <= line["shippedQuantity"] - line["invoicedQuantity"] + ship:
            raise dialog(
                f"You cannot invoice more than "
                f"{line['shippedQuantity'] - line['invoicedQuantity'] + ship} units."
            )
        line["shipQuantity"], line["invoiceQuantity"] = ship, invoice
        self.touch(line)
        order = self.get("salesOrders", line["documentId"], "Sales Header")
        self.touch(order)
        return line

    def location_code(self, location_id: str) -> str:
        location = self.find("locations", "id", location_id)
        return "" if location is None else str(location["code"])
