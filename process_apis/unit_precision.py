"""Quantities checked against the decimals their unit allows, before anything is written.

An ERP either refuses a quantity finer than its unit (Tryton, with raw text) or takes it and
rounds or ships it as sent (SAP accepts 0.333 PC): both are caught here with a clear error.
"""

from __future__ import annotations

from decimal import Decimal

from process_apis.errors import InvalidInput
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.models import Product
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import PageRequest, ProductFilter


def decimals_of(quantity: Decimal) -> int:
    """How many decimal places ``quantity`` needs (``2.50`` needs 1, ``3`` none)."""
    exponent = quantity.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_unit_precision(quantity: Decimal, product: Product, field: str) -> None:
    """Raise InvalidInput naming ``field`` when ``quantity`` has more decimals than the
    product's unit allows; a product whose unit's decimals are unknown is not checked."""
    allowed = product.unit_decimals
    if allowed is None or decimals_of(quantity) <= allowed:
        return
    unit = product.base_unit
    rule = (
        "allows no decimals"
        if allowed == 0
        else f"allows at most {allowed} decimal place{'s' if allowed > 1 else ''}"
    )
    raise InvalidInput(f"{field}: {unit} {rule} (got {quantity} for {product.sku})", field=field)


async def check_adjustment_precision(
    erp: ErpAdapter, adjustment: StockAdjustment, field: str
) -> None:
    """Refuse a stock adjustment finer than its product's base unit allows. A whole quantity
    needs no look-up; one in another unit than the base unit is left to the ERP."""
    if decimals_of(adjustment.quantity) == 0:
        return
    # ERP errors pass untranslated, like those of the adjustment itself.
    page = await erp.list_products(ProductFilter(skus=[adjustment.sku]), PageRequest(limit=1))
    product = next((p for p in page.items if p.sku == adjustment.sku), None)
    if product is None or adjustment.unit not in (None, product.base_unit):
        return
    check_unit_precision(abs(adjustment.quantity), product, field)
