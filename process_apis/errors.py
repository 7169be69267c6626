"""Errors the flows raise: each says, in words safe to show a client, what went wrong.

FlowError
├── InvalidInput          the request itself is wrong (field, value); nothing was written
│   └── StockShortfall    the ERP refused a goods movement: its stock is short
├── RecordNotFound        a referenced customer, product or order does not exist
├── OutOfStock            stock does not cover a requested quantity (checked before writing)
├── InvalidState          the record is not in a state that allows the step
├── IdempotencyConflict   the key is in use: by a different request, or still running
├── ConcurrentChange      the ERP refused a write: a concurrent change won, or a duplicate
└── ErpUnavailable        the ERP could not be reached or failed; safe to retry later
    ├── ErpThrottled      the ERP asked to slow down
    └── OutcomeUnknown    a write was sent and no answer came: it may have happened

An error translated from the ERP's (see :mod:`process_apis.erp_errors`) carries what the
ERP said in ``erp`` (:class:`ErpDetails`), so callers and the quarantine read it there
rather than from the exception chain; the chain stays for tracebacks only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ErpDetails:
    """What the ERP said about a failure: for operators and logs, not for clients.

    ``kind`` names the port's error (``UnknownOutcome``, ``Throttled``...), ``code`` is the
    ERP's own message code when it gave one, ``message`` the ERP's words (they may quote
    URLs: scrub before keeping them), ``connection`` the connection that failed.
    """

    kind: str
    message: str
    code: str | None = None
    connection: str | None = None


class FlowError(Exception):
    """Base of the flows' errors; ``code`` is stable for clients, ``message`` readable."""

    code = "FLOW_ERROR"

    def __init__(self, message: str, *, field: str | None = None, erp: ErpDetails | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.erp = erp


class InvalidInput(FlowError):
    code = "INVALID_INPUT"


class StockShortfall(InvalidInput):
    """The ERP refused a goods movement because its stock is short; ``reason`` is its word."""

    def __init__(self, reason: str, *, field: str | None = None, erp: ErpDetails | None = None):
        super().__init__(f"the ERP rejected the request: {reason}", field=field, erp=erp)
        self.reason = reason


class RecordNotFound(FlowError):
    code = "NOT_FOUND"

    def __init__(
        self,
        kind: str,
        record_id: str,
        *,
        field: str | None = None,
        erp: ErpDetails | None = None,
    ):
        super().__init__(f"{kind} {record_id!r} does not exist", field=field, erp=erp)
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


class NotCancellable(InvalidState):
    """The order went too far to be cancelled; ``reason`` says how far (``shipped``,
    ``in_delivery``, ``invoiced``)."""

    code = "NOT_CANCELLABLE"

    def __init__(
        self, message: str, reason: str, *, field: str | None = None, erp: ErpDetails | None = None
    ):
        super().__init__(message, field=field, erp=erp)
        self.reason = reason


class IdempotencyConflict(FlowError):
    code = "IDEMPOTENCY_CONFLICT"


class ConcurrentChange(FlowError):
    """The ERP refused a write because another change won (stale ETag) or it exists already.

    Not an idempotency conflict: the client's key is fine; reading the record again and
    deciding anew is what helps.
    """

    code = "CONCURRENT_CHANGE"


class ErpUnavailable(FlowError):
    code = "ERP_UNAVAILABLE"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        field: str | None = None,
        erp: ErpDetails | None = None,
    ):
        super().__init__(message, field=field, erp=erp)
        self.retry_after = retry_after


class ErpThrottled(ErpUnavailable):
    """The ERP asked the gateway to slow down; ``retry_after`` is in seconds when it said."""


class OutcomeUnknown(ErpUnavailable):
    """A write was sent and no answer came: the ERP may or may not have applied it.

    Look the record up (by its reference) before writing it again.
    """
