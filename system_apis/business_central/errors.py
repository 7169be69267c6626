"""Business Central error answers translated into the project's errors.

BC answers failures with ``{"error": {"code": "...", "message": "...  CorrelationId: ..."}}``:

==========================  =====================================================
status                      project error
==========================  =====================================================
400                         ValidationRejected; InsufficientStock for "insufficient
                            quantity of Item ... on inventory"
401, 403                    AuthenticationFailed
404                         NotFound
409, 412                    Conflict (412: the ETag sent with If-Match is stale)
429                         Throttled with ``Retry-After`` seconds
502, 504 on a write         UnknownOutcome (a proxy lost the answer, BC may have posted)
other 5xx                   Unavailable, ``retry_after`` from ``Retry-After``
other 4xx                   ValidationRejected
==========================  =====================================================
"""

from __future__ import annotations

import json

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

_STOCK_WORDS = ("insufficient quantity", "on inventory")
_CORRELATION = "  CorrelationId:"


def error_body(response: httpx.Response) -> tuple[str | None, str]:
    """BC's error code and message (without the correlation id) of an error answer."""
    try:
        error = json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        return None, f"Business Central answered HTTP {response.status_code}"
    message = str(error.get("message") or f"HTTP {response.status_code}")
    code = error.get("code")
    return (str(code) if code else None), message.split(_CORRELATION)[0].strip()


def error_from_response(response: httpx.Response, *, connection: str, write: bool) -> ErpError:
    """The project error a non-success answer means."""
    status = response.status_code
    code, message = error_body(response)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 429:
        return Throttled(message, code=code, connection=connection, retry_after=retry_after)
    if status >= 500:
        if write and status in (502, 504):
            return UnknownOutcome(message, code=code, connection=connection)
        return Unavailable(message, code=code, connection=connection, retry_after=retry_after)
    if status in (401, 403):
        return AuthenticationFailed(message, code=code, connection=connection)
    if status == 404:
        return NotFound(message, code=code, connection=connection)
    if status in (409, 412):
        return Conflict(message, code=code, connection=connection)
    if all(word in message.lower() for word in _STOCK_WORDS):
        return InsufficientStock(message, code=code, connection=connection)
    return ValidationRejected(message, code=code, connection=connection)
