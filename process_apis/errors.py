"""Errors the flows raise: each says, in words safe to show a client, what went wrong.

FlowError
├── InvalidInput          the request itself is wrong (field, value); nothing was written
├── RecordNotFound        a referenced customer, product or order does not exist
├── OutOfStock            stock does not cover a requested quantity
├── InvalidState          the record is not in a state that allows the step
├── IdempotencyConflict   the key is in use: by a different request, or still running
└── ErpUnavailable        the ERP could not be reached or failed; safe to retry later
"""

from __future__ import annotations

from decimal import Decimal


class FlowError(Exception):
    """Base of the flows' errors; ``code`` is stable for clients, ``message`` readable."""

    code = "FLOW_ERROR"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(FlowError):
    code = "INVALID_INPUT"


class RecordNotFound(FlowError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, record_id: str, *, field: str | None = None):
        super().__init__(f"{kind} {record_id!r} does not exist", field=field)
        self.kind = kind
        self.record_id = record_id


class OutOfStock(FlowError):
    code = "OUT_OF_STOCK"

    def __init__(
        self, sku: str, requested: Decimal, available: Decimal, *, field: str | None = None
    ):
        super().__init__(
            f"not enough stock of {sku!r}: requested {requested}, available {available}",
            field=field,
        )
        self.sku = sku
        self.requested = requested
        self.available = available


class InvalidState(FlowError):
    code = "INVALID_STATE"


class IdempotencyConflict(FlowError):
    code = "IDEMPOTENCY_CONFLICT"


class ErpUnavailable(FlowError):
    code = "ERP_UNAVAILABLE"

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
