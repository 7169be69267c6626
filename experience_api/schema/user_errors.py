"""Typed user errors that mutation payloads return instead of raising.

Every flow error maps to one implementation of the ``UserError`` interface, so a client
selects the details it can act on (``... on OutOfStockError { available }``) and shows
``message`` for the rest. ``field`` is the path of the offending input in camelCase,
relative to the mutation's arguments (``customerId``, ``lines.0.quantity``, ``orderId``).
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from experience_api.schema.errors import graphql_field
from process_apis import errors as flow
from process_apis.quarantine.errors import OrderQuarantined


@strawberry.interface(description="Why a mutation did not do what was asked.")
class UserError:
    message: str
    code: str = strawberry.field(description="Stable machine-readable code.")
    field: str | None = strawberry.field(description="Path of the offending input, if any.")


@strawberry.type(description="The input is invalid; nothing was written.")
class ValidationError(UserError):
    pass


@strawberry.type(description="A referenced customer, product or order does not exist.")
class NotFoundError(UserError):
    pass


@strawberry.type(description="Stock does not cover the requested quantity.")
class OutOfStockError(UserError):
    sku: str
    requested: Decimal
    available: Decimal


@strawberry.type(description="The ERP could not be reached or failed; retrying later is safe.")
class ErpUnavailableError(UserError):
    retry_after: float | None = strawberry.field(description="Seconds, when the ERP said.")
    quarantine_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Set when the request was accepted into quarantine: it is kept and "
        "will be placed once, when an operator replays it. Retrying with the same "
        "idempotency key is safe and answers with the same id until then.",
    )


@strawberry.type(
    description="The idempotency key was used for another request, is still in use, "
    "or a concurrent change won."
)
class ConflictError(UserError):
    pass


@strawberry.type(description="The record is not in a state that allows this step.")
class InvalidStateError(UserError):
    pass


@strawberry.type(description="The order went too far to be cancelled; nothing was changed.")
class NotCancellableError(UserError):
    reason: str = strawberry.field(
        description="How far: `shipped` (goods left), `in_delivery` (a delivery the ERP "
        "keeps holds it), `invoiced` (billed: credit it instead)."
    )


USER_ERROR_TYPES: tuple[type[UserError], ...] = (
    ValidationError,
    NotFoundError,
    OutOfStockError,
    ErpUnavailableError,
    ConflictError,
    InvalidStateError,
    NotCancellableError,
)
"""Every implementation; the schema registers them so clients can select on each."""


def user_error(exc: flow.FlowError) -> UserError:
    """The user error a flow error shows to the client."""
    message, code, field = exc.message, exc.code, graphql_field(exc.field)
    match exc:
        case flow.OutOfStock():
            return OutOfStockError(
                message=message,
                code=code,
                field=field,
                sku=exc.sku,
                requested=exc.requested,
                available=exc.available,
            )
        case flow.ErpUnavailable():
            return ErpUnavailableError(
                message=message,
                code=code,
                field=field,
                retry_after=exc.retry_after,
                quarantine_id=strawberry.ID(exc.quarantine_id)
                if isinstance(exc, OrderQuarantined)
                else None,
            )
        case flow.RecordNotFound():
            return NotFoundError(message=message, code=code, field=field)
        case flow.IdempotencyConflict() | flow.ConcurrentChange():
            return ConflictError(message=message, code=code, field=field)
        case flow.NotCancellable():
            return NotCancellableError(message=message, code=code, field=field, reason=exc.reason)
        case flow.InvalidState():
            return InvalidStateError(message=message, code=code, field=field)
        case _:
            # InvalidInput, and any flow error added later: its message is client-safe
            # by contract and its code says what it is.
            return ValidationError(message=message, code=code, field=field)
