"""The values of a new ``sale.sale`` built from a SalesOrderDraft and Tryton's on_change answers.

Tryton's clients fill a sale the way a user would: setting the party runs
``sale.sale.on_change`` for ``party`` (addresses, payment term, invoice and shipment methods,
currency, warehouse), setting a product runs ``sale.line.on_change`` for ``product`` (unit,
unit price from the price list, customer taxes). The adapter asks trytond for the same answers
and creates the sale with them, so prices and taxes are Tryton's own.

An on_change answer names Many2One ids plain (``"party": 2``), adds display values under
``"party."``, gives x2Many changes as ``{"add": [[index, {"id": ...}]]}`` and includes computed
fields (``amount``); :func:`values_of` keeps the stored fields a sale or line is created with,
in the form ``create`` accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from system_apis.tryton.mapping.readers import Row

SALE_FIELDS = (
    "company",
    "party",
    "invoice_party",
    "invoice_address",
    "shipment_party",
    "shipment_address",
    "warehouse",
    "currency",
    "payment_term",
    "invoice_method",
    "shipment_method",
)
"""Stored ``sale.sale`` fields taken from the party's on_change answer."""

LINE_FIELDS = ("unit", "unit_price", "taxes", "description")
"""Stored ``sale.line`` fields taken from the product's on_change answer."""


def values_of(changes: Row, fields: Sequence[str]) -> dict[str, Any]:
    """The ``fields`` of an on_change answer as values for ``create`` (x2Many as adds)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in fields:
            continue
        if isinstance(value, Mapping):
            added = [
                entry[1]["id"]
                for entry in value.get("add", [])
                if isinstance(entry, list | tuple)
                and len(entry) == 2
                and isinstance(entry[1], Mapping)
                and isinstance(entry[1].get("id"), int)
            ]
            values[name] = [["add", added]] if added else []
            continue
        values[name] = value
    return values


def sale_request(party_id: int, company_id: int | None, warehouse_id: int | None) -> dict[str, Any]:
    """The values of a blank sale whose ``party`` was just set."""
    request: dict[str, Any] = {"party": party_id, "company": company_id}
    if warehouse_id is not None:
        request["warehouse"] = warehouse_id
    return request


def line_request(
    sale: Mapping[str, Any], product_id: int, quantity: Decimal, unit_id: int | None
) -> dict[str, Any]:
    """The values of a blank sale line whose ``product`` was just set, inside ``sale``.

    Quantities are Float fields in Tryton; the unit, when given, is kept if it fits the
    product's unit category.
    """
    request: dict[str, Any] = {
        "type": "line",
        "product": product_id,
        "quantity": float(quantity),
        "unit": unit_id,
    }
    for name in ("party", "invoice_party", "company", "currency"):
        request[f"_parent_sale.{name}"] = sale.get(name)
    return request


def line_values(request: Mapping[str, Any], changes: Row) -> dict[str, Any]:
    """A line's values for ``create``: the request completed by its on_change answer."""
    values = {k: v for k, v in request.items() if not k.startswith("_parent_")}
    values.update(values_of(changes, LINE_FIELDS))
    values["type"] = "line"
    values["product"] = request["product"]
    values["quantity"] = request["quantity"]
    return values


def sale_values(
    header: Mapping[str, Any], lines: list[dict[str, Any]], reference: str | None
) -> dict[str, Any]:
    """The values of the new sale: the party's on_change values, the reference and the lines."""
    values = dict(header)
    if reference:
        values["reference"] = reference
    values["lines"] = [["create", lines]]
    return values
