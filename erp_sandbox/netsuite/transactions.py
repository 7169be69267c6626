"""Writes on transactions, as NetSuite performs them: sales orders, their item fulfillments
(``!transform/itemFulfillment``) and invoices (``!transform/invoice``); inventory adjustments
are in :mod:`.adjustments`, closed lines and payments in :mod:`.closing`.

Stock: an order commits its quantities at its line locations (``quantitycommitted``); a
fulfillment leaves the warehouse when its ship status becomes ``C`` (Shipped), which takes
the quantity off hand and off the commitment and is refused when the location holds less.
An invoice bills what shipped fulfillments moved and nothing billed yet. Order statuses are
NetSuite's: ``B`` Pending Fulfillment, ``D`` Partially Fulfilled, ``E`` Pending Billing/
Partially Fulfilled, ``F`` Pending Billing, ``G`` Billed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from erp_sandbox.netsuite.errors import NsError, bad_reference, not_found, user_error
from erp_sandbox.netsuite.store import stamp
from erp_sandbox.netsuite.tax import CENT, sales_tax

PREFIX = {"SalesOrd": "SO", "ItemShip": "IF", "CustInvc": "INV", "InvAdjst": "ADJ"}


def _ref(value: Any, field: str) -> int:
    if not isinstance(value, dict) or not str(value.get("id", "")).isdigit():
        raise NsError(
            400, "INVALID_FLD_VALUE", f"Invalid value for field {field}.", errorPath=field
        )
    return int(value["id"])


def _lines(body: dict[str, Any], sublist: str) -> list[dict[str, Any]]:
    lines = (body.get(sublist) or {}).get("items")
    if not isinstance(lines, list) or not lines:
        raise user_error("You must enter at least one line item for this transaction.")
    return lines


def _new_transaction(
    db: sqlite3.Connection, kind: str, entity: int | None, when: datetime, **fields: Any
) -> int:
    number = db.execute(
        'SELECT COUNT(*) + 1 FROM "transaction" WHERE type = ?', (kind,)
    ).fetchone()[0]
    cursor = db.execute(
        'INSERT INTO "transaction" (tranid, type, entity, trandate, currency, subsidiary,'
        " createddate, lastmodifieddate, status, otherrefnum, externalid, memo, foreigntotal,"
        " taxtotal) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            f"{PREFIX[kind]}{number:05d}",
            kind,
            entity,
            when.date().isoformat(),
            stamp(when),
            stamp(when),
            fields.get("status"),
            fields.get("otherrefnum"),
            fields.get("externalid"),
            fields.get("memo"),
            fields.get("foreigntotal"),
            fields.get("taxtotal"),
        ),
    )
    transaction = cursor.lastrowid
    assert transaction is not None
    db.execute(
        'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline)'
        " VALUES (0, ?, 0, 'T')",
        (transaction,),
    )
    return transaction


def _check_external_id(db: sqlite3.Connection, kind: str, external: object) -> str | None:
    if external is None:
        return None
    if not isinstance(external, str) or not external:
        raise NsError(400, "INVALID_FLD_VALUE", "Invalid value for field externalId.")
    found = db.execute(
        'SELECT 1 FROM "transaction" WHERE type = ? AND externalid = ?', (kind, external)
    ).fetchone()
    if found:
        raise NsError(400, "DUP_RCRD", "A record with the specified external ID already exists.")
    return external


def _touch_stock(db: sqlite3.Connection, item: int, location: int, when: datetime) -> None:
    db.execute(
        "UPDATE inventoryitemlocations SET lastmodifieddate = ?,"
        " quantityavailable = quantityonhand - quantitycommitted WHERE item = ? AND location = ?",
        (stamp(when), item, location),
    )


def _stock_row(db: sqlite3.Connection, item: int, location: int) -> None:
    db.execute(
        "INSERT OR IGNORE INTO inventoryitemlocations VALUES (?, ?, 0, 0, 0, NULL)",
        (item, location),
    )


def _location(db: sqlite3.Connection, value: Any, field: str) -> int:
    location = _ref(value, field)
    if not db.execute("SELECT 1 FROM location WHERE id = ?", (location,)).fetchone():
        raise bad_reference(field, location)
    return location


def create_sales_order(db: sqlite3.Connection, body: dict[str, Any], when: datetime) -> int:
    """Inserts a sales order (``salesOrder`` record body) and answers its internal id."""
    entity = _ref(body.get("entity"), "entity")
    customer = db.execute("SELECT isinactive FROM customer WHERE id = ?", (entity,)).fetchone()
    if customer is None:
        raise bad_reference("entity", entity)
    if customer[0] == "T":
        raise user_error(f"Customer {entity} is inactive.")
    external = _check_external_id(db, "SalesOrd", body.get("externalId"))
    default_location = body.get("location")
    priced = []
    taxable: list[bool] = []
    for index, line in enumerate(_lines(body, "item")):
        item = _ref(line.get("item"), "item")
        row = db.execute(
            "SELECT p.unitprice, i.istaxable FROM item i"
            " JOIN pricing p ON p.item = i.id AND p.pricelevel = 1"
            " WHERE i.id = ? AND i.isinactive = 'F'",
            (item,),
        ).fetchone()
        if row is None:
            raise bad_reference("item", item)
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int | float) or quantity <= 0:
            raise NsError(
                400, "INVALID_FLD_VALUE", f"Invalid quantity on line {index + 1}.",
                errorPath=f"item.items[{index}].quantity",
            )  # fmt: skip
        where = line.get("location") or default_location or {"id": "1"}
        location = _location(db, where, f"item.items[{index}].location")
        rate = Decimal(str(row[0]))
        amount = (rate * Decimal(str(quantity))).quantize(CENT, ROUND_HALF_UP)
        priced.append((item, Decimal(str(quantity)), rate, amount, location))
        taxable.append(row[1] != "F")
    total = sum((p[3] for p in priced), Decimal(0))
    tax = sales_tax(p[3] for p, taxed in zip(priced, taxable, strict=True) if taxed)
    order = _new_transaction(
        db, "SalesOrd", entity, when, status="B", externalid=external,
        otherrefnum=body.get("otherRefNum"), memo=body.get("memo"),
        foreigntotal=float(total + tax), taxtotal=float(tax),
    )  # fmt: skip
    for number, (item, quantity, rate, amount, location) in enumerate(priced, start=1):
        db.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, item,'
            " quantity, rate, netamount, location, quantityshiprecv, quantitybilled)"
            " VALUES (?, ?, ?, 'F', ?, ?, ?, ?, ?, 0, 0)",
            (number, order, number, item, -float(quantity), float(rate), -float(amount), location),
        )
        _stock_row(db, item, location)
        db.execute(
            "UPDATE inventoryitemlocations SET quantitycommitted = quantitycommitted + ?"
            " WHERE item = ? AND location = ?",
            (float(quantity), item, location),
        )
        _touch_stock(db, item, location, when)
    return order


def _order(db: sqlite3.Connection, order: int) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute(
        "SELECT id, entity, status FROM \"transaction\" WHERE id = ? AND type = 'SalesOrd'",
        (order,),
    ).fetchone()
    if row is None:
        raise NsError(
            400,
            "INVALID_INITIALIZE_REF",
            f"You can not initialize a record: invalid reference {order}.",
        )
    return row


def _open_lines(db: sqlite3.Connection, order: int, column: str, limit: str) -> list[Any]:
    return db.execute(
        f"SELECT id, item, location, rate, {limit} - {column} AS open FROM transactionline"
        f" WHERE \"transaction\" = ? AND mainline = 'F' AND isclosed = 'F'"
        f" AND {limit} - {column} > 0 ORDER BY id",
        (order,),
    ).fetchall()


def fulfil(db: sqlite3.Connection, order: int, body: dict[str, Any], when: datetime) -> int:
    """Transforms the order into an item fulfillment of every unfulfilled quantity."""
    header = _order(db, order)
    status = (body.get("shipStatus") or {"id": "C"}).get("id")
    if status not in ("A", "B", "C"):
        raise NsError(400, "INVALID_FLD_VALUE", "Invalid value for field shipStatus.")
    lines = _open_lines(db, order, "quantityshiprecv", "-quantity")
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.")
    fulfillment = _new_transaction(db, "ItemShip", header["entity"], when, status="A")
    for number, line in enumerate(lines, start=1):
        db.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, item,'
            " quantity, location) VALUES (?, ?, ?, 'F', ?, ?, ?)",
            (number, fulfillment, number, line["item"], -line["open"], line["location"]),
        )
        db.execute(
            "UPDATE transactionline SET quantityshiprecv = quantityshiprecv + ?"
            ' WHERE "transaction" = ? AND id = ?',
            (line["open"], order, line["id"]),
        )
        db.execute(
            "INSERT INTO previoustransactionlinelink VALUES (?, ?, ?, ?, 'ShipRcpt', ?)",
            (order, line["id"], fulfillment, number, line["open"]),
        )
    _order_status(db, order, when)
    if status != "A":
        set_ship_status(db, fulfillment, status, when)
    return fulfillment


def set_ship_status(db: sqlite3.Connection, fulfillment: int, status: str, when: datetime) -> None:
    """Moves a fulfillment to Picked/Packed/Shipped; shipping takes the stock off hand."""
    row = db.execute(
        "SELECT status FROM \"transaction\" WHERE id = ? AND type = 'ItemShip'", (fulfillment,)
    ).fetchone()
    if row is None:
        raise not_found()
    if status not in ("A", "B", "C"):
        raise NsError(400, "INVALID_FLD_VALUE", "Invalid value for field shipStatus.")
    if row["status"] == "C" or status == row["status"]:
        if status != row["status"]:
            raise user_error("A shipped item fulfillment cannot go back to picked or packed.")
        return
    if status == "C":
        lines = db.execute(
            "SELECT l.item, l.location, -l.quantity AS quantity, s.quantityonhand, i.itemid"
            " FROM transactionline l JOIN item i ON i.id = l.item"
            " LEFT JOIN inventoryitemlocations s ON s.item = l.item AND s.location = l.location"
            " WHERE l.\"transaction\" = ? AND l.mainline = 'F'",
            (fulfillment,),
        ).fetchall()
        for line in lines:
            if (line["quantityonhand"] or 0) < line["quantity"]:
                raise user_error(
                    f"Insufficient inventory: {line['itemid']} has "
                    f"{line['quantityonhand'] or 0} on hand at location {line['location']}, "
                    f"{line['quantity']} to fulfill."
                )
        for line in lines:
            db.execute(
                "UPDATE inventoryitemlocations SET quantityonhand = quantityonhand - ?,"
                " quantitycommitted = MAX(quantitycommitted - ?, 0)"
                " WHERE item = ? AND location = ?",
                (line["quantity"], line["quantity"], line["item"], line["location"]),
            )
            _touch_stock(db, line["item"], line["location"], when)
    db.execute(
        'UPDATE "transaction" SET status = ?, lastmodifieddate = ? WHERE id = ?',
        (status, stamp(when), fulfillment),
    )


def bill(db: sqlite3.Connection, order: int, when: datetime) -> int:
    """Transforms the order into an invoice of what shipped and is not billed yet."""
    header = _order(db, order)
    shipped = db.execute(
        "SELECT k.previousline AS line, SUM(k.quantity) AS quantity"
        ' FROM previoustransactionlinelink k JOIN "transaction" f ON f.id = k.nextdoc'
        " WHERE k.previousdoc = ? AND k.linktype = 'ShipRcpt' AND f.status = 'C'"
        " GROUP BY k.previousline",
        (order,),
    ).fetchall()
    shipped_by_line = {row["line"]: row["quantity"] for row in shipped}
    lines = []
    for line in db.execute(
        "SELECT id, item, location, rate, quantitybilled FROM transactionline"
        " WHERE \"transaction\" = ? AND mainline = 'F' ORDER BY id",
        (order,),
    ).fetchall():
        open_quantity = shipped_by_line.get(line["id"], 0) - line["quantitybilled"]
        if open_quantity > 0:
            lines.append((line, open_quantity))
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.")
    amounts = [
        (Decimal(str(line["rate"])) * Decimal(str(q))).quantize(CENT, ROUND_HALF_UP)
        for line, q in lines
    ]
    net = sum(amounts, Decimal(0))
    taxed = {row[0] for row in db.execute("SELECT id FROM item WHERE istaxable = 'T'").fetchall()}
    tax = sales_tax(a for (line, _), a in zip(lines, amounts, strict=True) if line["item"] in taxed)
    invoice = _new_transaction(
        db, "CustInvc", header["entity"], when, status="A",
        foreigntotal=float(net + tax), taxtotal=float(tax),
    )  # fmt: skip
    for number, ((line, quantity), amount) in enumerate(zip(lines, amounts, strict=True), 1):
        db.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, item,'
            " quantity, rate, netamount, location) VALUES (?, ?, ?, 'F', ?, ?, ?, ?, ?)",
            (number, invoice, number, line["item"], -quantity, line["rate"], -float(amount),
             line["location"]),
        )  # fmt: skip
        db.execute(
            "UPDATE transactionline SET quantitybilled = quantitybilled + ?"
            ' WHERE "transaction" = ? AND id = ?',
            (quantity, order, line["id"]),
        )
        db.execute(
            "INSERT INTO previoustransactionlinelink VALUES (?, ?, ?, ?, 'OrdBill', ?)",
            (order, line["id"], invoice, number, quantity),
        )
    _order_status(db, order, when)
    return invoice


def _order_status(db: sqlite3.Connection, order: int, when: datetime) -> None:
    ordered, fulfilled, billed = db.execute(
        "SELECT SUM(-quantity), SUM(quantityshiprecv), SUM(quantitybilled) FROM transactionline"
        " WHERE \"transaction\" = ? AND mainline = 'F'",
        (order,),
    ).fetchone()
    if billed >= ordered:
        status = "G"
    elif fulfilled >= ordered:
        status = "F"
    elif fulfilled > billed:
        status = "E"
    elif fulfilled > 0:
        status = "D"
    else:
        status = "B"
    db.execute(
        'UPDATE "transaction" SET status = ?, lastmodifieddate = ? WHERE id = ?',
        (status, stamp(when), order),
    )
