"""Changes after the fact: sales order lines closed (how the gateway cancels an order) and
invoices paid in full."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from erp_sandbox.netsuite.errors import NsError, not_found, user_error
from erp_sandbox.netsuite.store import stamp
from erp_sandbox.netsuite.transactions import _touch_stock


def close_lines(db: sqlite3.Connection, order: int, body: dict[str, Any], when: datetime) -> None:
    """Applies ``item.items[].isClosed`` of a sales order update: a closed line is neither
    fulfilled nor billed any more and releases what it had committed; with every line closed
    the order is Closed (``H``)."""
    row = db.execute(
        "SELECT status FROM \"transaction\" WHERE id = ? AND type = 'SalesOrd'", (order,)
    ).fetchone()
    if row is None:
        raise not_found()
    for index, line in enumerate((body.get("item") or {}).get("items") or []):
        number, closed = line.get("line"), line.get("isClosed")
        if not isinstance(number, int) or not isinstance(closed, bool):
            raise NsError(
                400, "INVALID_FLD_VALUE", f"Invalid line or isClosed on line {index + 1}.",
                errorPath=f"item.items[{index}]",
            )  # fmt: skip
        found = db.execute(
            "SELECT item, location, -quantity - quantityshiprecv AS open, isclosed"
            ' FROM transactionline WHERE "transaction" = ? AND linesequencenumber = ?'
            " AND mainline = 'F'",
            (order, number),
        ).fetchone()
        if found is None:
            raise NsError(400, "INVALID_FLD_VALUE", f"Line {number} does not exist.")
        if not closed or found["isclosed"] == "T":
            continue
        db.execute(
            "UPDATE transactionline SET isclosed = 'T'"
            ' WHERE "transaction" = ? AND linesequencenumber = ?',
            (order, number),
        )
        if found["open"] > 0:
            db.execute(
                "UPDATE inventoryitemlocations SET quantitycommitted ="
                " MAX(quantitycommitted - ?, 0) WHERE item = ? AND location = ?",
                (found["open"], found["item"], found["location"]),
            )
            _touch_stock(db, found["item"], found["location"], when)
    still_open = db.execute(
        "SELECT COUNT(*) FROM transactionline WHERE \"transaction\" = ? AND mainline = 'F'"
        " AND isclosed = 'F'",
        (order,),
    ).fetchone()[0]
    status = "H" if still_open == 0 else row["status"]
    db.execute(
        'UPDATE "transaction" SET status = ?, lastmodifieddate = ? WHERE id = ?',
        (status, stamp(when), order),
    )


def pay_invoice(db: sqlite3.Connection, invoice: int, when: datetime) -> None:
    """Marks an open invoice Paid In Full."""
    row = db.execute(
        "SELECT status FROM \"transaction\" WHERE id = ? AND type = 'CustInvc'", (invoice,)
    ).fetchone()
    if row is None:
        raise not_found()
    if row["status"] != "A":
        raise user_error("Only an open invoice can be paid.")
    db.execute(
        "UPDATE \"transaction\" SET status = 'B', lastmodifieddate = ? WHERE id = ?",
        (stamp(when), invoice),
    )
