"""The SuiteQL of the adapter's lists: one query per record kind and filter, ordered as the
port asks (by native id, orders newest first, change time first for change capture).

A transaction list is two queries: the page of headers (``transaction``), then the lines of
that page's transactions at once (``transactionline``, joined to the item, the location and,
for fulfillments and invoices, ``previoustransactionlinelink`` back to the order line).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.netsuite import suiteql as q
from system_apis.netsuite.mapping import ORDER_STATUS

SALES_ORDER, FULFILLMENT, INVOICE, ADJUSTMENT = "SalesOrd", "ItemShip", "CustInvc", "InvAdjst"
LINK = {FULFILLMENT: "ShipRcpt", INVOICE: "OrdBill"}


def customers(filter: CustomerFilter, native_ids: list[str] | None, after: str = "") -> str:
    columns = [
        "c.id", "c.entityid", "c.companyname", "c.firstname", "c.lastname", "c.isperson",
        "c.isinactive", "a.addr1", "a.zip", "a.city", "a.state", "a.country",
        f"{q.stamp('c.datecreated')} AS created", f"{q.stamp('c.lastmodifieddate')} AS changed",
    ]  # fmt: skip
    joins = ["LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress"]
    if CustomerDetail.CREDIT_LIMIT in filter.details:
        columns += ["c.creditlimit", "c.creditholdoverride", "cu.symbol AS creditcurrency"]
        joins.append("LEFT JOIN currency cu ON cu.id = c.currency")
    name = "COALESCE(c.companyname, c.firstname || ' ' || c.lastname)"
    clauses = [
        f"c.id IN {q.ids(native_ids)}" if native_ids is not None else "",
        q.contains(name, filter.name_contains) if filter.name_contains else "",
        f"a.country = {q.text(filter.country)}" if filter.country else "",
        after,
    ]
    return (
        f"SELECT {', '.join(columns)} FROM customer c {' '.join(joins)}"
        f"{q.where(clauses)} ORDER BY c.id"
    )


def products(filter: ProductFilter, after: str = "") -> str:
    clauses = [
        "i.itemtype = 'InvtPart'",
        f"i.itemid IN {q.texts(filter.skus)}" if filter.skus else "",
        q.contains("i.displayname", filter.name_contains) if filter.name_contains else "",
        f"cl.name = {q.text(filter.product_group)}" if filter.product_group else "",
        after,
    ]
    return (
        "SELECT i.id, i.itemid, i.displayname, i.itemtype, i.isinactive, i.weight, i.weightunit,"
        " i.stockunit, cl.name AS classname, p.unitprice, cu.symbol AS currency FROM item i"
        " LEFT JOIN classification cl ON cl.id = i.class"
        " LEFT JOIN pricing p ON p.item = i.id AND p.pricelevel = 1"
        " LEFT JOIN currency cu ON cu.id = p.currency"
        f"{q.where(clauses)} ORDER BY i.itemid"
    )


def item_ids(skus: list[str]) -> str:
    return f"SELECT id, itemid, stockunit FROM item WHERE itemid IN {q.texts(skus)}"


def location_ids(names: list[str]) -> str:
    return f"SELECT id, name FROM location WHERE name IN {q.texts(names)}"


def inventory(filter: InventoryFilter, zone: ZoneInfo, after: str = "") -> str:
    """Quantity on hand per item and location; with ``changed_since`` the levels that
    adjustments or shipped fulfillments changed since then, oldest change first."""
    clauses = [
        f"i.itemid IN {q.texts(filter.skus)}" if filter.skus else "",
        f"l.name = {q.text(filter.location)}" if filter.location else "",
    ]
    if filter.changed_since is None:
        return (
            "SELECT i.itemid, i.stockunit, l.name AS location, s.quantityonhand"
            " FROM inventoryitemlocations s JOIN item i ON i.id = s.item"
            " JOIN location l ON l.id = s.location"
            f"{q.where(['s.quantityonhand <> 0', *clauses, after])} ORDER BY i.itemid, l.name"
        )
    moved = [
        f"t.type IN ('{ADJUSTMENT}', '{FULFILLMENT}')",
        f"(t.type = '{ADJUSTMENT}' OR t.status = 'C')",
        "tl.mainline = 'F'",
        q.since("t.lastmodifieddate", filter.changed_since, zone),
        *clauses,
    ]
    return (
        "SELECT i.itemid, i.stockunit, l.name AS location, s.quantityonhand,"
        f" {q.stamp('MAX(t.lastmodifieddate)')} AS changed"
        " FROM transactionline tl JOIN transaction t ON t.id = tl.transaction"
        " JOIN item i ON i.id = tl.item JOIN location l ON l.id = tl.location"
        " JOIN inventoryitemlocations s ON s.item = tl.item AND s.location = tl.location"
        f"{q.where(moved)}"
        " GROUP BY i.itemid, i.stockunit, l.name, s.quantityonhand"
        " ORDER BY changed, i.itemid, l.name"
    )


def _header(kind: str, extra: str = "") -> str:
    return (
        "SELECT t.id, t.tranid, t.entity, t.status, t.externalid, t.foreigntotal, t.taxtotal,"
        f" cu.symbol AS currency, {q.day('t.trandate')} AS trandate,"
        f" {q.stamp('t.createddate')} AS created, {q.stamp('t.lastmodifieddate')} AS changed"
        f"{extra} FROM transaction t LEFT JOIN currency cu ON cu.id = t.currency"
    )


def _statuses(filter: SalesOrderFilter) -> str:
    letters = [
        letter
        for letter, (status, delivery, _) in ORDER_STATUS.items()
        if (filter.status is None or status == filter.status)
        and (filter.delivery_status is None or delivery == filter.delivery_status)
    ]
    return f"t.status IN {q.texts(letters)}" if letters else "1 = 0"


def sales_orders(
    filter: SalesOrderFilter, native_ids: list[str] | None, zone: ZoneInfo, after: str = ""
) -> str:
    clauses = [
        f"t.type = '{SALES_ORDER}'",
        f"t.id IN {q.ids(native_ids)}" if native_ids is not None else "",
        f"t.entity = {q.text(filter.customer_native_id)}" if filter.customer_native_id else "",
        f"t.externalid = {q.text(filter.external_reference)}"
        if filter.external_reference is not None
        else "",
        _statuses(filter) if filter.status or filter.delivery_status else "",
        q.on_or_after("t.trandate", filter.date_from) if filter.date_from else "",
        q.on_or_before("t.trandate", filter.date_to) if filter.date_to else "",
        q.since("t.lastmodifieddate", filter.changed_since, zone) if filter.changed_since else "",
        after,
    ]
    order = "t.lastmodifieddate, t.id" if filter.changed_since else "t.trandate DESC, t.id DESC"
    return f"{_header(SALES_ORDER)}{q.where(clauses)} ORDER BY {order}"


def _of_orders(kind: str, orders: list[str]) -> str:
    return (
        f"t.id IN (SELECT k.nextdoc FROM previoustransactionlinelink k WHERE"
        f" k.linktype = '{LINK[kind]}' AND k.previousdoc IN {q.ids(orders)})"
    )


def deliveries(
    filter: DeliveryFilter, orders: list[str] | None, native_ids: list[str] | None, after: str = ""
) -> str:
    clauses = [
        f"t.type = '{FULFILLMENT}'",
        _of_orders(FULFILLMENT, orders) if orders is not None else "",
        f"t.id IN {q.ids(native_ids)}" if native_ids is not None else "",
        after,
    ]
    return f"{_header(FULFILLMENT)}{q.where(clauses)} ORDER BY t.id"


def invoices(
    filter: InvoiceFilter,
    orders: list[str] | None,
    native_ids: list[str] | None,
    zone: ZoneInfo,
    after: str = "",
) -> str:
    clauses = [
        f"t.type = '{INVOICE}'",
        _of_orders(INVOICE, orders) if orders is not None else "",
        f"t.id IN {q.ids(native_ids)}" if native_ids is not None else "",
        f"t.entity = {q.text(filter.customer_native_id)}" if filter.customer_native_id else "",
        q.on_or_after("t.trandate", filter.date_from) if filter.date_from else "",
        q.on_or_before("t.trandate", filter.date_to) if filter.date_to else "",
        q.since("t.lastmodifieddate", filter.changed_since, zone) if filter.changed_since else "",
        after,
    ]
    order = "t.lastmodifieddate, t.id" if filter.changed_since else "t.id"
    return f"{_header(INVOICE)}{q.where(clauses)} ORDER BY {order}"


def lines(kind: str, transactions: list[str]) -> str:
    """The item lines of ``transactions``; for fulfillments and invoices with the order line
    each came from (``orderid``, ``orderline``)."""
    columns = (
        "tl.transaction, tl.linesequencenumber, tl.quantity, tl.netamount, i.itemid,"
        " i.displayname, i.stockunit, l.name AS location"
    )
    joins = "JOIN item i ON i.id = tl.item LEFT JOIN location l ON l.id = tl.location"
    if kind in LINK:
        columns += ", k.previousdoc AS orderid, k.previousline AS orderline"
        joins += (
            " LEFT JOIN previoustransactionlinelink k ON k.nextdoc = tl.transaction"
            f" AND k.nextline = tl.id AND k.linktype = '{LINK[kind]}'"
        )
    return (
        f"SELECT {columns} FROM transactionline tl {joins}"
        f" WHERE tl.transaction IN {q.ids(transactions)} AND tl.mainline = 'F'"
        " ORDER BY tl.transaction, tl.linesequencenumber"
    )


def adjustment_by_reference(reference: str) -> str:
    return (
        f"SELECT t.id FROM transaction t WHERE t.type = '{ADJUSTMENT}'"
        f" AND t.externalid = {q.text(reference)}"
    )
