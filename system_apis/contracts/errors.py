"""The errors every ERP adapter raises; nothing else crosses the system boundary.

    ErpError
    ├── NotFound               the record does not exist in the ERP
    ├── ValidationRejected     the ERP refused the input (bad field, business rule)
    │   ├── InsufficientStock  not enough stock to post a goods movement
    │   └── NotCancellable     the order went too far to be cancelled (shipped, billed...)
    ├── Conflict               concurrent change (stale ETag) or duplicate
    ├── NotSupported           the ERP (or this adapter) lacks the capability
    ├── AuthenticationFailed   the gateway's credentials were refused
    └── Unavailable            the ERP could not be reached or answered 5xx; safe to retry
        ├── Throttled          the ERP asked to slow down (429, Retry-After)
        └── UnknownOutcome     a write was sent and no answer came: it may have happened

Adapters raise these with ``raise ... from exc`` so the native cause stays in the traceback
for operators while callers only ever see the project's types.
"""

from __future__ import annotations

from enum import StrEnum


class ErpError(Exception):
    """Base of all errors an adapter raises.

    ``code`` is the ERP's own message code when it gave one (for operators and logs);
    ``message`` is human readable and safe to show to a client; ``field`` names the input field
    the ERP refused, when it said which (its label in the ERP, e.g. ``Quantity``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        connection: str | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.connection = connection
        self.field = field


class NotFound(ErpError):
    """The requested record does not exist in the ERP."""


class ValidationRejected(ErpError):
    """The ERP refused the input: a field or a business rule."""


class InsufficientStock(ValidationRejected):
    """A goods movement would take stock below zero."""


class CancelRefusal(StrEnum):
    """Why an order can no longer be cancelled."""

    SHIPPED = "shipped"
    """Goods left the warehouse for the order."""
    IN_DELIVERY = "in_delivery"
    """A delivery that the ERP does not drop with the order holds its lines (SAP: the
    outbound delivery must be deleted first)."""
    INVOICED = "invoiced"
    """The order is billed: cancelling it needs a credit memo, not a cancellation."""


class NotCancellable(ValidationRejected):
    """The order went too far to be cancelled; ``refusal`` says how far."""

    def __init__(
        self,
        message: str,
        *,
        refusal: CancelRefusal,
        code: str | None = None,
        connection: str | None = None,
    ):
        super().__init__(message, code=code, connection=connection)
        self.refusal = refusal


class Conflict(ErpError):
    """A concurrent change won (stale ETag) or the record already exists."""


class NotSupported(ErpError):
    """The ERP or this adapter lacks the requested capability."""


class AuthenticationFailed(ErpError):
    """The ERP refused the gateway's credentials."""


class Unavailable(ErpError):
    """The ERP could not be reached or failed on its side; the call may be retried."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        connection: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, connection=connection)
        self.retry_after = retry_after


class Throttled(Unavailable):
    """The ERP asked the gateway to slow down; ``retry_after`` is in seconds when known."""


class UnknownOutcome(Unavailable):
    """A write was sent but no answer arrived: the ERP may or may not have applied it."""
