"""How long the texts are that an ERP keeps in the fields the gateway fills with references."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SHORTEST_ORDER_REFERENCE = 18
"""A two-letter prefix and 16 hex digits (64 bits): fewer would let distinct keys collide."""

SHORTEST_MOVEMENT_REFERENCE = 16
"""A three-letter prefix and 13 base-32 digits (65 bits), for the same reason."""


class FieldLimits(BaseModel):
    """The longest value an ERP stores as it is, per field the gateway writes references to.

    ``order_reference`` is a sales order's external reference (the order is found again by
    it, so it must survive unchanged); ``movement_reference`` a stock movement's reference.
    ``None``: the ERP sets no limit of its own (the canonical commands still cap the length).
    The process layer shortens the references it generates to fit; an ERP whose fields are
    too short for a reference that keeps requests apart cannot be connected.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_reference: int | None = Field(default=None, ge=SHORTEST_ORDER_REFERENCE)
    movement_reference: int | None = Field(default=None, ge=SHORTEST_MOVEMENT_REFERENCE)
