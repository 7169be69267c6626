"""Inventory adjustments (``inventoryAdjustment``): quantities added or taken at a location,
posted once per external id, refused when they would take more than is on hand."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from erp_sandbox.netsuite.errors import NsError, bad_reference, user_error
from erp_sandbox.netsuite.transactions import (
    _check_external_id,
    _lines,
    _location,
    _new_transaction,
    _ref,
    _stock_row,
    _touch_stock,
)


def adjust_inventory(db: sqlite3.Connection, body: dict[str, Any], when: datetime) -> int:
    """Inserts an inventory adjustment (``inventoryAdjustment`` record body)."""
    if not isinstance(body.get("account"), dict):
        raise user_error("Please enter value(s) for: Adjustment Account")
    _ref(body["account"], "account")
    external = _check_external_id(db, "InvAdjst", body.get("externalId"))
    adjustments = []
    for index, line in enumerate(_lines(body, "inventory")):
        item = _ref(line.get("item"), "item")
        if not db.execute("SELECT 1 FROM item WHERE id = ?", (item,)).fetchone():
            raise bad_reference("item", item)
        location = _location(db, line.get("location") or body.get("adjLocation"), "location")
        by = line.get("adjustQtyBy")
        if isinstance(by, bool) or not isinstance(by, int | float) or by == 0:
            raise NsError(
                400, "INVALID_FLD_VALUE", f"Invalid adjustQtyBy on line {index + 1}.",
                errorPath=f"inventory.items[{index}].adjustQtyBy",
            )  # fmt: skip
        _stock_row(db, item, location)
        on_hand = db.execute(
            "SELECT quantityonhand FROM inventoryitemlocations WHERE item = ? AND location = ?",
            (item, location),
        ).fetchone()[0]
        if on_hand + by < 0:
            raise user_error(f"Insufficient inventory: {on_hand} on hand, {-by} to adjust out.")
        adjustments.append((item, location, by))
    adjustment = _new_transaction(
        db, "InvAdjst", None, when, status=None, externalid=external, memo=body.get("memo")
    )
    for number, (item, location, by) in enumerate(adjustments, start=1):
        db.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, mainline, item,'
            " quantity, location) VALUES (?, ?, ?, 'F', ?, ?, ?)",
            (number, adjustment, number, item, by, location),
        )
        db.execute(
            "UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?"
            " WHERE item = ? AND location = ?",
            (by, item, location),
        )
        _touch_stock(db, item, location, when)
    return adjustment
