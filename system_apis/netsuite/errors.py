"""NetSuite error answers read and translated into the project's errors.

NetSuite answers failures with ``{"type", "title", "status", "o:errorDetails": [{"detail",
"o:errorCode", "o:errorPath"?, ...}]}``. :func:`error_from_response` maps them, the most
specific match first:

==============================================  ==========================================
answer                                          project error
==============================================  ==========================================
429, or code ``CONCURRENCY_LIMIT_EXCEEDED``      Throttled (``Retry-After`` when given)
401, 403                                        AuthenticationFailed
404, code ``NONEXISTENT_ID``                    NotFound
code ``DUP_RCRD`` / ``DUP_ENTITY``              Conflict
400 whose detail says "insufficient inventory"  InsufficientStock
other 4xx                                       ValidationRejected (``field``: errorPath)
5xx on a write                                  UnknownOutcome (NetSuite may have saved)
other 5xx                                       Unavailable
==============================================  ==========================================
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

THROTTLE_CODES = frozenset({"CONCURRENCY_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED"})
DUPLICATE_CODES = frozenset({"DUP_RCRD", "DUP_ENTITY"})
_STOCK_WORDS = ("insufficient inventory", "insufficient stock", "not enough inventory")


@dataclass(frozen=True)
class NsDetail:
    """The first entry of ``o:errorDetails``: NetSuite's code, text and refused field."""

    code: str | None
    detail: str
    path: str | None


def read_detail(body: Any, fallback: str) -> NsDetail:
    """The first error detail of a NetSuite error body (``fallback`` text without one)."""
    if isinstance(body, dict):
        details = body.get("o:errorDetails")
        if isinstance(details, list) and details and isinstance(details[0], dict):
            first = details[0]
            return NsDetail(
                code=first.get("o:errorCode"),
                detail=str(first.get("detail") or body.get("title") or fallback),
                path=first.get("o:errorPath"),
            )
        if isinstance(body.get("title"), str):
            return NsDetail(None, body["title"], None)
    return NsDetail(None, fallback, None)


def error_from_response(
    response: httpx.Response, *, write: bool, connection: str | None
) -> ErpError:
    """The project error of a NetSuite answer with a 4xx or 5xx status."""
    status = response.status_code
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    detail = read_detail(body, f"NetSuite answered HTTP {status}")
    message, code = detail.detail, detail.code
    if status == 429 or code in THROTTLE_CODES:
        retry = parse_retry_after(response.headers.get("Retry-After"))
        return Throttled(message, code=code, connection=connection, retry_after=retry)
    if status in (401, 403):
        return AuthenticationFailed(message, code=code, connection=connection)
    if status == 404 or code == "NONEXISTENT_ID":
        return NotFound(message, code=code, connection=connection)
    if code in DUPLICATE_CODES:
        return Conflict(message, code=code, connection=connection)
    if 400 <= status < 500:
        if any(word in message.lower() for word in _STOCK_WORDS):
            return InsufficientStock(message, code=code, connection=connection, field=detail.path)
        return ValidationRejected(message, code=code, connection=connection, field=detail.path)
    retry = parse_retry_after(response.headers.get("Retry-After"))
    if write:
        return UnknownOutcome(message, code=code, connection=connection, retry_after=retry)
    return Unavailable(message, code=code, connection=connection, retry_after=retry)
