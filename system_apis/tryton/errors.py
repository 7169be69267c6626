"""Tryton's failures translated into the project's errors.

trytond answers a JSON-RPC call that failed inside the model layer with HTTP 200 and
``{"id": ..., "error": [<kind>, <arguments>]}`` (``trytond.protocols.jsonrpc``), and everything
it refuses before dispatching with a bare HTTP status (``trytond.wsgi``,
``trytond.protocols.dispatcher``):

===============================================  ==============================================
Tryton answer                                    project error
===============================================  ==============================================
``UserError`` "... that don't exist."            NotFound (a read or write of a missing record)
``UserError`` of a field validation (digits,     ValidationRejected naming the field: ``field``
required, size, selection, domain...)            is its label, the message is reworded
                                                 (:mod:`system_apis.tryton.messages`)
other ``UserError`` (access rules, domains,      ValidationRejected with Tryton's message; the
required fields, workflow buttons)               description, when given, is appended
``UserWarning``                                  ValidationRejected; ``code`` is the warning name
``ConcurrencyException``                         Conflict
``LoginException``                               AuthenticationFailed
any other exception (``[text, traceback]``)      Unavailable: the server failed on the call and
                                                 rolled its transaction back
HTTP 401                                         the session expired or was removed; the client
                                                 logs in again and retries once, then
                                                 AuthenticationFailed
HTTP 403                                         NotSupported: the method is not exposed over RPC
HTTP 400, 413, 422                               ValidationRejected (malformed call)
HTTP 404                                         Unavailable: no such database at this URL
HTTP 429                                         Throttled, ``Retry-After`` when given
HTTP 502, 504 on a write                         UnknownOutcome (a proxy in front of trytond may
                                                 have lost the answer of a committed call)
other 5xx, anything else                         Unavailable
===============================================  ==============================================

The stock shortage rule (InsufficientStock) is not an error message of Tryton, which lets stock
go negative unless moves are assigned first: see :mod:`system_apis.tryton.fulfilment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    ErpError,
    NotFound,
    NotSupported,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.retry_after import parse_retry_after
from system_apis.tryton.messages import reword

MISSING_RECORD_MARK = "that don't exist"
"""How trytond's ``ir.msg_read_error``/``ir.msg_write_error`` end (in English)."""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def error_from_rpc(error: Any, *, connection: str | None) -> ErpError:
    """The project error for the ``error`` member of a JSON-RPC answer (see the module doc)."""
    kind = error[0] if isinstance(error, list | tuple) and error else None
    arguments = error[1] if isinstance(error, list | tuple) and len(error) > 1 else None
    parts: Sequence[Any] = arguments if isinstance(arguments, list | tuple) else ()

    if kind == "UserError" and parts:
        message, description = _text(parts[0]), _text(parts[1] if len(parts) > 1 else "")
        text = f"{message} {description}".strip() if description else message
        text = text or "Tryton refused the request"
        if MISSING_RECORD_MARK in message:
            return NotFound(text, code="UserError", connection=connection)
        if (refused := reword(message)) is not None:
            return ValidationRejected(
                refused.message, code="UserError", connection=connection, field=refused.field
            )
        return ValidationRejected(text, code="UserError", connection=connection)
    if kind == "UserWarning" and parts:
        name = _text(parts[0]) or None
        message = _text(parts[1] if len(parts) > 1 else "") or "Tryton raised a warning"
        description = _text(parts[2] if len(parts) > 2 else "")
        text = f"{message} {description}".strip() if description else message
        return ValidationRejected(text, code=name, connection=connection)
    if kind == "ConcurrencyException":
        text = _text(arguments) or "the record was modified meanwhile"
        return Conflict(text, code=kind, connection=connection)
    if kind == "LoginException":
        message = _text(parts[1] if len(parts) > 1 else "") or "Tryton asked for more credentials"
        return AuthenticationFailed(message, code=kind, connection=connection)
    text = _text(kind) or repr(error)
    return Unavailable(f"Tryton failed on the call: {text}", connection=connection)


def guard(connection: str | None) -> MappingGuard:
    """The boundary around the mapping of what one Tryton connection answered."""
    return MappingGuard("Tryton", connection)


def error_from_status(response: httpx.Response, *, write: bool, connection: str | None) -> ErpError:
    """The project error for a non-200 answer other than an expired session."""
    status = response.status_code
    reason = f"Tryton answered {status} {response.reason_phrase}".rstrip()
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 401:
        return AuthenticationFailed(
            f"{reason}: the credentials or the session were refused", connection=connection
        )
    if status == 403:
        return NotSupported(f"{reason}: the method is not callable over RPC", connection=connection)
    if status == 404:
        return Unavailable(f"{reason}: no such database at this URL", connection=connection)
    if status == 429:
        return Throttled(reason, connection=connection, retry_after=retry_after)
    if status in (400, 413, 422):
        return ValidationRejected(reason, connection=connection)
    if write and status in (502, 504):
        return UnknownOutcome(
            f"{reason}; the write may have happened", connection=connection, retry_after=retry_after
        )
    return Unavailable(reason, connection=connection, retry_after=retry_after)
