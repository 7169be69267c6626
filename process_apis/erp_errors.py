"""Translation of the system layer's errors into the flows' errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from process_apis.errors import (
    ErpUnavailable,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    RecordNotFound,
)
from system_apis.contracts import errors as erp


@contextmanager
def translated(kind: str = "record", record_id: str = "") -> Iterator[None]:
    """Turn ERP errors raised inside the block into FlowErrors a client can act on.

    The ERP's own wording of a rejection is kept (it names the field or rule); errors that
    reveal nothing useful to a client (authentication, outages) get a neutral message.
    """
    try:
        yield
    except erp.NotFound as exc:
        raise RecordNotFound(kind, record_id) from exc
    except erp.ValidationRejected as exc:
        raise InvalidInput(f"the ERP rejected the request: {exc.message}") from exc
    except erp.Conflict as exc:
        raise IdempotencyConflict(f"concurrent change in the ERP: {exc.message}") from exc
    except erp.NotSupported as exc:
        raise InvalidState(f"not supported by this ERP: {exc.message}") from exc
    except erp.Unavailable as exc:
        raise ErpUnavailable(
            "the ERP is unavailable, try again later", retry_after=exc.retry_after
        ) from exc
    except erp.ErpError as exc:
        raise ErpUnavailable("the ERP could not process the request") from exc
