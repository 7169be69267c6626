"""The error a client gets for a quarantined request, and what the quarantine records of a
failure: a readable reason and the ERP's own error, with nothing secret in either."""

from __future__ import annotations

import datetime as dt
import re

from process_apis.errors import ErpDetails, ErpUnavailable, FlowError, OutcomeUnknown
from process_apis.quarantine.port import ErpErrorInfo, QuarantinedRecord

MAX_MESSAGE = 1000

# ERP messages may quote a URL; its user info and query string can carry credentials.
_URL = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^/\s@]*@)?(?P<rest>[^\s?#]*)\S*")
_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|secret|token|apikey|api_key)=\S+")


class OrderQuarantined(ErpUnavailable):
    """The ERP could not take the request, but the gateway kept it: nothing is lost.

    ``quarantine_id`` names the record an operator replays; retrying the request with the
    same idempotency key is safe and answers with the same id until then.
    """

    def __init__(
        self,
        message: str,
        *,
        quarantine_id: str,
        retry_after: float | None = None,
        erp: ErpDetails | None = None,
    ):
        super().__init__(message, retry_after=retry_after, erp=erp)
        self.quarantine_id = quarantine_id


class OrderPending(OrderQuarantined):
    """The ERP cannot take the request *for now*; the gateway kept it and retries it by itself.

    ``quarantine_id`` names the pending record, ``retry_at`` when it is next tried. Retrying
    with the same idempotency key is safe: it answers with the request's current state (the
    order once placed). Completion is announced like any placed order (events, webhooks).
    """

    code = "PENDING"

    def __init__(
        self,
        message: str,
        *,
        quarantine_id: str,
        retry_at: dt.datetime | None,
        erp: ErpDetails | None = None,
    ):
        now = dt.datetime.now(dt.UTC)
        wait = None if retry_at is None else max(0.0, (retry_at - now).total_seconds())
        super().__init__(message, quarantine_id=quarantine_id, retry_after=wait, erp=erp)
        self.retry_at = retry_at


def pending(record: QuarantinedRecord, failure: FlowError | None = None) -> OrderPending:
    """The answer to a request (or its retry) whose record is pending automatic retries."""
    return OrderPending(
        "the ERP cannot take the order right now; it was accepted and is kept as pending "
        f"request {record.id}, retried automatically until placed; sending it again with "
        "the same idempotency key returns its state",
        quarantine_id=record.id,
        retry_at=record.retry_at,
        erp=None if failure is None else failure.erp,
    )


def accepted(quarantine_id: str, failure: FlowError) -> OrderQuarantined:
    """The answer to the request whose ``failure`` put the order into quarantine."""
    return OrderQuarantined(
        "the ERP is unavailable; the order was accepted into quarantine "
        f"{quarantine_id} for review and will be placed when it is replayed",
        quarantine_id=quarantine_id,
        retry_after=failure.retry_after if isinstance(failure, ErpUnavailable) else None,
        erp=failure.erp,
    )


def still_quarantined(quarantine_id: str) -> OrderQuarantined:
    """The answer to a retry of a request that is in quarantine."""
    return OrderQuarantined(
        f"this order is in quarantine {quarantine_id} awaiting review; it will be placed "
        "once, when it is replayed",
        quarantine_id=quarantine_id,
    )


def scrubbed(text: str) -> str:
    """``text`` without URL credentials, query strings or ``secret=...`` pairs, shortened."""
    text = _URL.sub(lambda m: m.group("scheme") + m.group("rest"), text)
    text = _SECRET.sub(lambda m: m.group(1) + "=***", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def failure_details(exc: FlowError) -> tuple[str, ErpErrorInfo | None]:
    """The reason and the ERP error of a failure, safe to keep and show to operators.

    The code is the ERP's own message code when it gave one, else the kind of failure
    (``UnknownOutcome``, ``Unavailable``...), so an operator can always tell them apart.
    """
    said = exc.erp
    if said is None:
        return exc.message, None
    if isinstance(exc, OutcomeUnknown):
        reason = (
            "the ERP did not answer after the order was sent, and the order could not be "
            "found by its reference; replaying looks for it again before creating it"
        )
    elif isinstance(exc, ErpUnavailable):
        reason = f"the ERP could not be reached or failed: {exc.message}"
    else:
        reason = exc.message
    code = (said.code or said.kind)[:64]
    return reason, ErpErrorInfo(code=code, message=scrubbed(said.message))
