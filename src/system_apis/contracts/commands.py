"""Inputs of the writes an adapter performs, already validated by the process layer."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


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
