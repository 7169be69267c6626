"""What a client sends to place an order, and its normal form."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from process_apis.errors import InvalidInput

MAX_LINES = 200


class OrderLineInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=40)
    quantity: Decimal = Field(gt=0, max_digits=13, decimal_places=3)
    location: str | None = Field(default=None, min_length=1, max_length=20)


class PlaceOrder(BaseModel):
    """An order to place; ``idempotency_key`` makes retrying it safe."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    idempotency_key: str = Field(min_length=1, max_length=255)
    customer_id: str = Field(min_length=3, max_length=100)
    lines: tuple[OrderLineInput, ...] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("lines")
    @classmethod
    def _distinct_skus(cls, lines: tuple[OrderLineInput, ...]) -> tuple[OrderLineInput, ...]:
        seen: set[tuple[str, str | None]] = set()
        for line in lines:
            if (line.sku, line.location) in seen:
                raise ValueError(f"sku {line.sku!r} appears twice; put its quantity on one line")
            seen.add((line.sku, line.location))
        return lines

    @classmethod
    def parse(cls, **data: object) -> PlaceOrder:
        """Validate raw input; InvalidInput names the first offending field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise InvalidInput(f"{where}: {first['msg']}", field=where or None) from None

    def fingerprint(self) -> str:
        """Hash of everything but the key: the same key must come with the same request."""
        body = self.model_dump(mode="json", exclude={"idempotency_key"})
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def external_reference(self) -> str:
        """Reference stored in the ERP order so it can be found again (35 chars max in SAP)."""
        return "GW" + hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
