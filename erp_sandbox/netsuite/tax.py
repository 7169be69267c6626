"""Sales tax as the sandbox's NetSuite account charges it: one rate (7.25%) on the lines whose
item is taxable (``item.istaxable``), summed per transaction and rounded to the cent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

TAX_RATE = Decimal("0.0725")
CENT = Decimal("0.01")


def sales_tax(taxable_amounts: Iterable[Decimal]) -> Decimal:
    """The sales tax of a transaction: the rate on the sum of its taxable lines, to the cent."""
    return (sum(taxable_amounts, Decimal(0)) * TAX_RATE).quantize(CENT, ROUND_HALF_UP)
