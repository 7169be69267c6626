"""What a client sends to place an order, and its normal form.

Normalization is deliberately small: surrounding whitespace goes, quantities lose exponent
notation and trailing zeros (``"3.0"`` is ``3``); nothing changes case, since ERPs tell ``tg11``
and ``TG11`` apart. The fingerprint that ties an idempotency key to its request also ignores the
order of the lines: the same lines in another order are the same order.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from process_apis.errors import InvalidInput
from system_apis.contracts.limits import FieldLimits

MAX_LINES = 200
ORDER_REFERENCE_PREFIX = "GW"
ORDER_REFERENCE_DIGITS = 32


def _printable(value: str) -> str:
    # A line break or NUL in a key or SKU is a client bug, and some ERPs cut text there.
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("must not contain control characters such as line breaks or tabs")
    return value


def _fixed_point(value: Decimal) -> Decimal:
    # "1E+3" is a valid decimal but not a quantity every ERP parses: send "1000"; and "3.0"
    # is the quantity 3, so a retry that spells it differently is the same request.
    return Decimal(format(value.normalize(), "f"))


Text = Annotated[str, AfterValidator(_printable)]
Quantity = Annotated[
    Decimal, Field(gt=0, max_digits=13, decimal_places=3), AfterValidator(_fixed_point)
]


class OrderLineInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    sku: Text = Field(min_length=1, max_length=40)
    quantity: Quantity
    location: (
        Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_printable)] | None
    ) = None


class PlaceOrder(BaseModel):
    """An order to place; ``idempotency_key`` makes retrying it safe."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    idempotency_key: Text = Field(min_length=1, max_length=255)
    customer_id: Text = Field(min_length=3, max_length=100)
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
            raise InvalidInput(f"{where}: {_explain(first)}", field=where or None) from None

    def fingerprint(self) -> str:
        """Hash of everything but the key: the same key must come with the same request."""
        body = self.model_dump(mode="json", exclude={"idempotency_key"})
        body["lines"].sort(key=lambda line: (line["sku"], line["location"] or ""))
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def external_reference(self, limits: FieldLimits) -> str:
        """Reference stored in the ERP order so it can be found again: a prefix and 32 hex
        digits of the key's hash, fewer where the ERP's order reference field is shorter."""
        room = limits.order_reference or len(ORDER_REFERENCE_PREFIX) + ORDER_REFERENCE_DIGITS
        digits = min(ORDER_REFERENCE_DIGITS, room - len(ORDER_REFERENCE_PREFIX))
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()
        return ORDER_REFERENCE_PREFIX + digest[:digits]


def _explain(error: ErrorDetails) -> str:
    """A validation error in the words of this API rather than pydantic's."""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    kind = error["type"]
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    template = _MESSAGES.get(kind)
    return error["msg"] if template is None else template.format(**ctx)


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this command",
    "string_type": "must be a string",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "tuple_type": "must be a list",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} items",
    "model_type": "must be an object",
    "decimal_parsing": "must be a decimal number such as 3 or 2.5",
    "decimal_type": "must be a decimal number such as 3 or 2.5",
    "finite_number": "must be a finite number",
    "greater_than": "must be greater than {gt}",
    "decimal_max_places": "allows at most {decimal_places} decimal places",
    "decimal_whole_digits": "allows at most {whole_digits} digits before the decimal point",
    "decimal_max_digits": "allows at most {max_digits} digits in total",
}
