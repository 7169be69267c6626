"""SAP error answers read and translated into the project's errors.

SAP Gateway answers failures with ``{"error": {"code", "message": {"value"}, "innererror":
{"errordetails": [...]}}}`` (OData v4: ``{"error": {"code", "message", "details"}}``) and
sometimes repeats or adds messages in the ``sap-message`` header.
:func:`error_from_response` turns such an answer into a :mod:`system_apis.contracts.errors`
exception:

==========================  =====================================================
status                      project error
==========================  =====================================================
400                         ValidationRejected; InsufficientStock for a stock deficit
401, 403 (not CSRF)         AuthenticationFailed
404, 410                    NotFound
409, 412                    Conflict
428                         Conflict (the write carried no ETag: re-read and retry)
429                         Throttled with ``Retry-After`` seconds
408                         Unavailable
other 4xx                   ValidationRejected
502, 504 on a write         UnknownOutcome (a proxy lost the answer, SAP may have posted)
other 5xx                   Unavailable, ``retry_after`` from ``Retry-After``
anything else               Unavailable
==========================  =====================================================

A stock deficit is recognised when the main code, a detail code or a ``sap-message`` code is
one of :data:`STOCK_DEFICIT_CODES` (inventory management's "Deficit of ... unrestricted-use"
family), or when one of the texts says "deficit of", "insufficient stock" or
"not enough stock".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    ErpError,
    InsufficientStock,
    NotFound,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.retry_after import parse_retry_after

STOCK_DEFICIT_CODES = frozenset({"M7/021", "M7/022"})
"""Message codes SAP inventory management raises when a goods movement exceeds the stock."""

_STOCK_DEFICIT_WORDS = ("deficit of", "insufficient stock", "not enough stock")


@dataclass(frozen=True)
class SapMessage:
    """One message of an SAP answer: a code such as ``M7/021``, its text and severity."""

    code: str | None
    text: str
    severity: str | None = None


@dataclass(frozen=True)
class SapErrorBody:
    """What an SAP error answer says: the main message and the details."""

    main: SapMessage | None
    details: tuple[SapMessage, ...] = ()

    @property
    def messages(self) -> tuple[SapMessage, ...]:
        return ((self.main,) if self.main else ()) + self.details


def _message_from(raw: Any) -> SapMessage | None:
    if not isinstance(raw, dict):
        return None
    code = raw.get("code")
    text = raw.get("message")
    if isinstance(text, dict):
        text = text.get("value")
    severity = raw.get("severity")
    if not isinstance(text, str) or not text:
        text = ""
    if not text and not code:
        return None
    return SapMessage(
        code=str(code) if code else None,
        text=text,
        severity=str(severity) if severity else None,
    )


def parse_error_body(content: bytes) -> SapErrorBody | None:
    """The SAP error of a JSON body, or None when the body is not one."""
    try:
        document = json.loads(content)
    except ValueError:
        return None
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return None
    main = _message_from(error)
    details: list[SapMessage] = []
    inner = error.get("innererror")
    if isinstance(inner, dict) and isinstance(inner.get("errordetails"), list):
        details = [m for m in map(_message_from, inner["errordetails"]) if m is not None]
    elif isinstance(error.get("details"), list):  # OData v4
        details = [m for m in map(_message_from, error["details"]) if m is not None]
    return SapErrorBody(main=main, details=tuple(details))


def parse_sap_message_header(value: str | None) -> tuple[SapMessage, ...]:
    """The messages of an ``sap-message`` header: one JSON object with optional ``details``."""
    if not value:
        return ()
    try:
        document = json.loads(value)
    except ValueError:
        return (SapMessage(code=None, text=value),)
    first = _message_from(document)
    messages = [first] if first else []
    details = document.get("details") if isinstance(document, dict) else None
    if isinstance(details, list):
        messages.extend(m for m in map(_message_from, details) if m is not None)
    return tuple(messages)


def is_stock_deficit(messages: tuple[SapMessage, ...]) -> bool:
    """Whether SAP refused a goods movement because the stock is short (see module doc)."""
    for message in messages:
        if message.code and message.code.strip().upper() in STOCK_DEFICIT_CODES:
            return True
        lowered = message.text.lower()
        if any(word in lowered for word in _STOCK_DEFICIT_WORDS):
            return True
    return False


def error_from_response(
    response: httpx.Response, *, write: bool, connection: str | None
) -> ErpError:
    """The project error for a failed SAP answer (see the table in the module doc)."""
    status = response.status_code
    body = parse_error_body(response.content)
    header_messages = parse_sap_message_header(response.headers.get("sap-message"))
    messages = (body.messages if body else ()) + header_messages
    first = messages[0] if messages else None
    code = first.code if first else None
    text = next((m.text for m in messages if m.text), None)
    reason = text or f"SAP answered {status} {response.reason_phrase}".rstrip()
    retry_after = parse_retry_after(response.headers.get("Retry-After"))

    if status == 400:
        if is_stock_deficit(messages):
            return InsufficientStock(reason, code=code, connection=connection)
        return ValidationRejected(reason, code=code, connection=connection)
    if status in (401, 403):
        return AuthenticationFailed(reason, code=code, connection=connection)
    if status in (404, 410):
        return NotFound(reason, code=code, connection=connection)
    if status in (409, 412, 428):
        return Conflict(reason, code=code, connection=connection)
    if status == 429:
        return Throttled(reason, code=code, connection=connection, retry_after=retry_after)
    if status == 408:
        return Unavailable(reason, code=code, connection=connection, retry_after=retry_after)
    if 400 <= status < 500:
        return ValidationRejected(reason, code=code, connection=connection)
    if write and status in (502, 504):
        return UnknownOutcome(reason, code=code, connection=connection, retry_after=retry_after)
    return Unavailable(reason, code=code, connection=connection, retry_after=retry_after)
