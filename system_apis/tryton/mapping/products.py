"""Products: ``product.product`` (a variant, with its template's fields) → Product.

The native id of a product is its code (the SKU, unique among active variants in Tryton), which
is what the port's product operations take. The list price is the variant's, else its
template's (``list_price_used``), in the company currency; the unit is the default unit's
symbol, with its ``digits`` as the decimal places a quantity may have, and the group the first
product category. An archived variant is ``deleted``.
"""

from __future__ import annotations

from system_apis.contracts.models import Money, Product, Source, canonical_id
from system_apis.tryton.mapping.readers import (
    Row,
    flag,
    nested,
    nested_list,
    nested_text,
    optional_decimal,
    optional_text,
    required_text,
)

PRODUCT_FIELDS = (
    "code",
    "name",
    "type",
    "active",
    "list_price_used",
    "default_uom.symbol",
    "default_uom.digits",
    "categories.name",
)


def product_from_tryton(row: Row, source: Source, currency: str) -> Product:
    """A ``product.product`` row read with :data:`PRODUCT_FIELDS` → Product."""
    sku = required_text(row, "code")
    unit = nested_text(row, "default_uom.symbol")
    if unit is None:
        raise ValueError(f"product {sku} has no default unit")
    price = optional_decimal(row, "list_price_used")
    uom = nested(row, "default_uom")
    digits = uom.get("digits") if uom is not None else None
    groups = sorted(
        name for name in (optional_text(c, "name") for c in nested_list(row, "categories")) if name
    )
    return Product(
        id=canonical_id(source.connection, sku),
        native_id=sku,
        source=source,
        sku=sku,
        name=required_text(row, "name"),
        base_unit=unit,
        unit_decimals=digits if isinstance(digits, int) and not isinstance(digits, bool) else None,
        product_type=optional_text(row, "type"),
        product_group=groups[0] if groups else None,
        list_price=Money(amount=price, currency=currency) if price is not None else None,
        deleted=not flag(row, "active", default=True),
    )
