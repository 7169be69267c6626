"""Translation of the system layer's errors into the flows' errors, in one table.

:data:`FLOW_ERRORS` maps each port error class to the flow error it becomes. The most
specific entry wins: the error's class is looked up along its MRO, so a subclass the table
does not name (a connector's or the resilience wrapper's own ``Unavailable``) translates
as its nearest named ancestor, and ``ErpError`` catches the rest. Every flow error keeps
what the ERP said in its ``erp`` attribute; callers never need the exception chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from process_apis.errors import (
    ConcurrentChange,
    ErpDetails,
    ErpThrottled,
    ErpUnavailable,
    FlowError,
    InvalidInput,
    InvalidState,
    NotCancellable,
    OutcomeUnknown,
    RecordNotFound,
    StockShortfall,
)
from system_apis.contracts import errors as erp

UNAVAILABLE = "the ERP is unavailable, try again later"
FAILED = "the ERP could not process the request"


@dataclass(frozen=True)
class Subject:
    """The record a call was about, for a not-found message (``sales order 'X'``)."""

    kind: str = "record"
    record_id: str = ""


Translation = Callable[[erp.ErpError, ErpDetails, Subject], FlowError]


def _retry_after(exc: erp.ErpError) -> float | None:
    return exc.retry_after if isinstance(exc, erp.Unavailable) else None


def _refusal(exc: erp.ErpError) -> str:
    return str(exc.refusal) if isinstance(exc, erp.NotCancellable) else "unknown"


FLOW_ERRORS: Mapping[type[erp.ErpError], Translation] = {
    erp.NotFound: lambda exc, details, about: RecordNotFound(
        about.kind, about.record_id, erp=details
    ),
    erp.ValidationRejected: lambda exc, details, about: InvalidInput(
        f"the ERP rejected the request: {exc.message}", field=exc.field, erp=details
    ),
    erp.InsufficientStock: lambda exc, details, about: StockShortfall(
        exc.message, field=exc.field, erp=details
    ),
    erp.NotCancellable: lambda exc, details, about: NotCancellable(
        f"{about.kind} {about.record_id!r} cannot be cancelled any more: {exc.message}",
        _refusal(exc),
        field="order_id",
        erp=details,
    ),
    erp.Conflict: lambda exc, details, about: ConcurrentChange(
        f"concurrent change in the ERP: {exc.message}", erp=details
    ),
    erp.NotSupported: lambda exc, details, about: InvalidState(
        f"not supported by this ERP: {exc.message}", erp=details
    ),
    erp.Unavailable: lambda exc, details, about: ErpUnavailable(
        UNAVAILABLE, retry_after=_retry_after(exc), erp=details
    ),
    erp.Throttled: lambda exc, details, about: ErpThrottled(
        UNAVAILABLE, retry_after=_retry_after(exc), erp=details
    ),
    erp.UnknownOutcome: lambda exc, details, about: OutcomeUnknown(
        UNAVAILABLE, retry_after=_retry_after(exc), erp=details
    ),
    # Refused credentials and anything else: nothing a client can act on but waiting.
    erp.ErpError: lambda exc, details, about: ErpUnavailable(FAILED, erp=details),
}
"""Port error → flow error; looked up along the error's MRO, so the most specific wins."""


def erp_details(exc: erp.ErpError) -> ErpDetails:
    """What ``exc`` says, kept on the flow error for operators and the quarantine."""
    return ErpDetails(
        kind=type(exc).__name__, message=exc.message, code=exc.code, connection=exc.connection
    )


def flow_error(exc: erp.ErpError, kind: str = "record", record_id: str = "") -> FlowError:
    """The flow error ``exc`` becomes (see :data:`FLOW_ERRORS`); raise it ``from exc``."""
    for cls in type(exc).__mro__:
        translation = FLOW_ERRORS.get(cls)
        if translation is not None:
            return translation(exc, erp_details(exc), Subject(kind, record_id))
    raise AssertionError("FLOW_ERRORS maps ErpError, the base of every port error")


@contextmanager
def translated(kind: str = "record", record_id: str = "") -> Iterator[None]:
    """Turn ERP errors raised inside the block into FlowErrors a client can act on.

    The ERP's own wording of a rejection is kept (it names the field or rule); errors that
    reveal nothing useful to a client (authentication, outages) get a neutral message.
    """
    try:
        yield
    except erp.ErpError as exc:
        raise flow_error(exc, kind, record_id) from exc
