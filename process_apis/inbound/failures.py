"""Which failures of an inbound event are worth retrying, and what the quarantine keeps."""

from __future__ import annotations

from dataclasses import dataclass

from process_apis.errors import ConcurrentChange, ErpUnavailable, FlowError, IdempotencyConflict
from process_apis.quarantine.errors import scrubbed
from process_apis.quarantine.port import ErpErrorInfo
from system_apis.contracts import errors as erp

# Outages, throttling, lost answers, concurrent changes and refused credentials pass or
# get fixed without the event changing; everything else the ERP says is about the event.
_TRANSIENT_ERP = (erp.Unavailable, erp.Conflict, erp.AuthenticationFailed)
_PERMANENT_ERP = (erp.NotFound, erp.ValidationRejected, erp.NotSupported)


@dataclass(frozen=True)
class Failure:
    """A readable reason, whether a later attempt may succeed, and the ERP's error."""

    reason: str
    transient: bool
    erp_error: ErpErrorInfo | None = None
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure | None:
    """The failure ``exc`` stands for; None for an unexpected error (a bug)."""
    if isinstance(exc, erp.ErpError):
        if not isinstance(exc, _TRANSIENT_ERP + _PERMANENT_ERP):
            return None
        transient = isinstance(exc, _TRANSIENT_ERP)
        info = ErpErrorInfo(
            code=(exc.code or type(exc).__name__)[:64], message=scrubbed(exc.message)
        )
        verb = "could not be reached or failed" if transient else "refused the event"
        return Failure(
            reason=f"the ERP {verb}: {scrubbed(exc.message)}",
            transient=transient,
            erp_error=info,
            retry_after=exc.retry_after if isinstance(exc, erp.Unavailable) else None,
        )
    if isinstance(exc, FlowError):
        transient = isinstance(exc, ErpUnavailable | IdempotencyConflict | ConcurrentChange)
        retry_after = exc.retry_after if isinstance(exc, ErpUnavailable) else None
        return Failure(reason=exc.message, transient=transient, retry_after=retry_after)
    return None
