"""Inputs of the writes an adapter performs, already validated by the process layer."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class OrderLineDraft(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1)
    quantity: Decimal = Field(gt=0)
    unit: str | None = None
    location: str | None = None


class SalesOrderDraft(BaseModel):
    """A sales order to create; ``external_reference`` lets the ERP record be found again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_native_id: str = Field(min_length=1)
    external_reference: str | None = Field(default=None, max_length=35)
    lines: tuple[OrderLineDraft, ...] = Field(min_length=1)


class StockAdjustment(BaseModel):
    """A stock movement to post at one location: a positive quantity receives goods, a
    negative one issues them.

    ``reference`` identifies the movement (an inbound event id, say): the ERP posts an
    adjustment with a given reference at most once, so a repeated call changes nothing.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, max_length=40)
    location: str = Field(min_length=1, max_length=64)
    quantity: Decimal
    unit: str | None = None
    reference: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=255)

    @field_validator("quantity")
    @classmethod
    def _not_zero(cls, value: Decimal) -> Decimal:
        if value == 0 or not value.is_finite():
            raise ValueError("quantity must be a finite, non-zero number")
        return value
