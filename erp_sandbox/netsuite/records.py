"""The record service's JSON: a record as ``GET /record/v1/{type}/{id}`` answers it, and a
collection page (``{links, count, hasMore, items: [{links, id}], offset, totalResults}``:
a collection lists ids only, the records are read one by one or through SuiteQL).

Values follow the REST record schema: camelCase names, references as ``{id, refName}``,
enumerations as ``{id, refName}``, quantities and amounts positive (unlike SuiteQL's
ledger signs), dates ``YYYY-MM-DD`` and timestamps ISO 8601 in UTC. Sublists (``item``,
``inventory``) come expanded with ``expandSubResources=true``, as links otherwise.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from erp_sandbox.netsuite.errors import not_found

ROOT = "/services/rest/record/v1"
TRANSACTION_TYPES = {
    "salesOrder": "SalesOrd",
    "itemFulfillment": "ItemShip",
    "invoice": "CustInvc",
    "inventoryAdjustment": "InvAdjst",
}
STATUS_NAMES = {
    "SalesOrd": {
        "A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled",
        "D": "Partially Fulfilled", "E": "Pending Billing/Partially Fulfilled",
        "F": "Pending Billing", "G": "Billed", "H": "Closed",
    },
    "ItemShip": {"A": "Picked", "B": "Packed", "C": "Shipped"},
    "CustInvc": {"A": "Open", "B": "Paid In Full", "V": "Voided"},
}  # fmt: skip
RECORD_TYPES = ("customer", "inventoryItem", "employee", *TRANSACTION_TYPES)
TABLE = {"customer": "customer", "inventoryItem": "item", "employee": "employee"}


def link(base: str, path: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": f"{base}{ROOT}/{path}"}]


def _iso(text: str | None) -> str | None:
    return None if text is None else text.replace(" ", "T") + "Z"


def _ref(base: str, kind: str, value: Any, name: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"links": link(base, f"{kind}/{value}"), "id": str(value), "refName": name}


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}


def page_links(href: str, limit: int, offset: int, total: int) -> list[dict[str, str]]:
    """The links of a page, as NetSuite's collection paging gives them: ``first`` and
    ``prev`` after the first page, ``next`` before the last, ``last`` and ``self``."""

    def at(rel: str, start: int) -> dict[str, str]:
        return {"rel": rel, "href": f"{href}?limit={limit}&offset={start}"}

    last = max(total - 1, 0) // limit * limit
    links = []
    if offset > 0:
        links += [at("first", 0), at("prev", max(offset - limit, 0))]
    if offset + limit < total:
        links.append(at("next", offset + limit))
    return [*links, at("last", last), at("self", offset)]


def collection(
    base: str, kind: str, ids: list[int], offset: int, limit: int, total: int
) -> dict[str, Any]:
    """One page of a record collection."""
    links = page_links(f"{base}{ROOT}/{kind}", limit, offset, total)
    return {
        "links": links,
        "count": len(ids),
        "hasMore": offset + len(ids) < total,
        "items": [{"links": link(base, f"{kind}/{i}"), "id": str(i)} for i in ids],
        "offset": offset,
        "totalResults": total,
    }


def find_id(db: sqlite3.Connection, kind: str, key: str) -> int:
    """The internal id of ``key`` (an internal id, or ``eid:<externalId>``)."""
    if kind in TRANSACTION_TYPES:
        table, extra = '"transaction"', f" AND type = '{TRANSACTION_TYPES[kind]}'"
    else:
        table, extra = TABLE[kind], ""
    if key.startswith("eid:"):
        row = db.execute(
            f"SELECT id FROM {table} WHERE externalid = ?{extra}", (key[4:],)
        ).fetchone()
    elif key.isdigit():
        row = db.execute(f"SELECT id FROM {table} WHERE id = ?{extra}", (int(key),)).fetchone()
    else:
        row = None
    if row is None:
        raise not_found()
    return int(row[0])


def record(db: sqlite3.Connection, base: str, kind: str, key: str, expand: bool) -> dict[str, Any]:
    """The record ``kind`` with id ``key`` as the record service answers it."""
    number = find_id(db, kind, key)
    if kind == "customer":
        return _customer(db, base, number)
    if kind == "inventoryItem":
        return _item(db, base, number)
    if kind == "employee":
        return _employee(db, base, number)
    return _transaction(db, base, kind, number, expand)


def _customer(db: sqlite3.Connection, base: str, number: int) -> dict[str, Any]:
    row = db.execute(
        "SELECT c.*, a.addr1, a.city, a.zip, a.state, a.country, cu.symbol FROM customer c"
        " LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress"
        " LEFT JOIN currency cu ON cu.id = c.currency WHERE c.id = ?",
        (number,),
    ).fetchone()
    return _compact(
        {
            "links": link(base, f"customer/{number}"),
            "id": str(number),
            "entityId": row["entityid"],
            "companyName": row["companyname"],
            "firstName": row["firstname"],
            "lastName": row["lastname"],
            "isPerson": row["isperson"] == "T",
            "isInactive": row["isinactive"] == "T",
            "email": row["email"],
            "creditLimit": row["creditlimit"],
            "creditHoldOverride": {"id": row["creditholdoverride"]},
            "currency": _ref(base, "currency", row["currency"], row["symbol"]),
            "externalId": row["externalid"],
            "defaultAddress": f"{row['addr1']}\n{row['city']} {row['state']} {row['zip']}",
            "dateCreated": _iso(row["datecreated"]),
            "lastModifiedDate": _iso(row["lastmodifieddate"]),
        }
    )


def _item(db: sqlite3.Connection, base: str, number: int) -> dict[str, Any]:
    row = db.execute(
        "SELECT i.*, c.name AS classname, p.unitprice FROM item i"
        " LEFT JOIN classification c ON c.id = i.class"
        " LEFT JOIN pricing p ON p.item = i.id AND p.pricelevel = 1 WHERE i.id = ?",
        (number,),
    ).fetchone()
    return _compact(
        {
            "links": link(base, f"inventoryItem/{number}"),
            "id": str(number),
            "itemId": row["itemid"],
            "displayName": row["displayname"],
            "isInactive": row["isinactive"] == "T",
            "class": _ref(base, "classification", row["class"], row["classname"]),
            "weight": row["weight"],
            "weightUnit": {"id": row["weightunit"]},
            "externalId": row["externalid"],
            "lastModifiedDate": _iso(row["lastmodifieddate"]),
        }
    )


def _employee(db: sqlite3.Connection, base: str, number: int) -> dict[str, Any]:
    row = db.execute(
        "SELECT e.*, d.name AS departmentname FROM employee e"
        " LEFT JOIN department d ON d.id = e.department WHERE e.id = ?",
        (number,),
    ).fetchone()
    return _compact(
        {
            "links": link(base, f"employee/{number}"),
            "id": str(number),
            "entityId": row["entityid"],
            "firstName": row["firstname"],
            "lastName": row["lastname"],
            "title": row["title"],
            "department": _ref(base, "department", row["department"], row["departmentname"]),
            "subsidiary": _ref(base, "subsidiary", row["subsidiary"], None),
            "hireDate": row["hiredate"],
            "releaseDate": row["releasedate"],
            "isInactive": row["isinactive"] == "T",
            "lastModifiedDate": _iso(row["lastmodifieddate"]),
        }
    )


def _transaction(
    db: sqlite3.Connection, base: str, kind: str, number: int, expand: bool
) -> dict[str, Any]:
    row = db.execute('SELECT * FROM "transaction" WHERE id = ?', (number,)).fetchone()
    status = STATUS_NAMES.get(row["type"], {}).get(row["status"])
    body: dict[str, Any] = {
        "links": link(base, f"{kind}/{number}"),
        "id": str(number),
        "tranId": row["tranid"],
        "tranDate": row["trandate"],
        "entity": _ref(base, "customer", row["entity"], None),
        "status": None if status is None else {"id": row["status"], "refName": status},
        "otherRefNum": row["otherrefnum"],
        "externalId": row["externalid"],
        "memo": row["memo"],
        "total": row["foreigntotal"],
        "taxTotal": row["taxtotal"],
        "createdDate": _iso(row["createddate"]),
        "lastModifiedDate": _iso(row["lastmodifieddate"]),
    }
    if kind == "itemFulfillment":
        body["shipStatus"] = {"id": row["status"], "refName": status}
        body["status"] = None
    sublist = "inventory" if kind == "inventoryAdjustment" else "item"
    if not expand:
        body[sublist] = {"links": link(base, f"{kind}/{number}/{sublist}")}
        return _compact(body)
    lines = db.execute(
        "SELECT l.*, i.itemid, n.name AS locationname FROM transactionline l"
        " JOIN item i ON i.id = l.item LEFT JOIN location n ON n.id = l.location"
        " WHERE l.\"transaction\" = ? AND l.mainline = 'F' ORDER BY l.linesequencenumber",
        (number,),
    ).fetchall()
    sign = 1 if kind == "inventoryAdjustment" else -1
    items = [
        _compact(
            {
                "links": [],
                "line": line["linesequencenumber"],
                "item": _ref(base, "inventoryItem", line["item"], line["itemid"]),
                "location": _ref(base, "location", line["location"], line["locationname"]),
                ("adjustQtyBy" if sign == 1 else "quantity"): sign * line["quantity"],
                "rate": line["rate"],
                "amount": None if line["netamount"] is None else -line["netamount"],
                "quantityFulfilled": line["quantityshiprecv"],
                "quantityBilled": line["quantitybilled"],
                "isClosed": None if line["isclosed"] is None else line["isclosed"] == "T",
            }
        )
        for line in lines
    ]
    body[sublist] = {
        "links": link(base, f"{kind}/{number}/{sublist}"),
        "count": len(items),
        "hasMore": False,
        "items": items,
        "offset": 0,
        "totalResults": len(items),
    }
    return _compact(body)


def collection_ids(
    db: sqlite3.Connection, kind: str, offset: int, limit: int
) -> tuple[list[int], int]:
    if kind in TRANSACTION_TYPES:
        table, where = '"transaction"', f"WHERE type = '{TRANSACTION_TYPES[kind]}'"
    else:
        table, where = TABLE[kind], ""
    total = db.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT id FROM {table} {where} ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        )
    ]
    return ids, total
