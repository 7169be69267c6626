"""The data of the warehouse events ``wms.goods_received`` and ``wms.goods_issued``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

GOODS_RECEIVED = "wms.goods_received"
GOODS_ISSUED = "wms.goods_issued"


def _no_bool(value: object) -> object:
    # JSON true would otherwise pass as the number 1.
    if isinstance(value, bool):
        raise ValueError("must be a positive decimal number or a string holding one")
    return value


class GoodsMovement(BaseModel):
    """Goods that arrived at or left a location: ``quantity`` is positive in both cases,
    the event type says the direction. ``unit`` defaults to the product's base unit."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=40)
    location: str = Field(min_length=1, max_length=64)
    quantity: Annotated[Decimal, BeforeValidator(_no_bool)] = Field(
        gt=0, max_digits=18, decimal_places=6, allow_inf_nan=False
    )
    unit: str | None = Field(default=None, min_length=1, max_length=8)
    occurred_at: AwareDatetime | None = None

    @field_validator("quantity")
    @classmethod
    def _normalised(cls, value: Decimal) -> Decimal:
        # Trailing zeros dropped, without the exponent form Decimal.normalize gives 10.
        return (
            value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        )
