"""The quarantine review in the console: list, show, edit, replay, discard.

The same :class:`~process_apis.quarantine.review.QuarantineReview` as the CLI and the
GraphQL admin mutations: an edit is validated like the original request (bad input leaves
the record as it was), a replay runs the idempotent path under the record's lease. Every
action is audited; its outcome is shown on the record's page.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from experience_api.console.audit import audited
from experience_api.console.guard import CONSOLE_PATH, Refused, admin, posted_form
from experience_api.console.pages import render
from experience_api.gateway import Gateway
from experience_api.security.principal import Principal
from process_apis.audit.model import Outcome
from process_apis.errors import (
    FlowError,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    RecordNotFound,
)
from process_apis.quarantine.port import QuarantinedRecord, QuarantineFilter, QuarantineStatus

PAGE_SIZE = 50
DONE = {
    "edited": "The payload was saved; replay the record to place it.",
    "replayed": "Replayed: the request reached its ERP.",
    "discarded": "Discarded: the record is closed without being placed.",
}


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def listing(request: Request) -> Response:
    principal = admin(request)
    review = _gateway(request).services.quarantine
    status_name = request.query_params.get("status", "open")
    if status_name not in {"", *(s.value for s in QuarantineStatus)}:
        raise Refused(400, f"Unknown status {status_name!r}.")
    status = QuarantineStatus(status_name) if status_name else None
    connection = request.query_params.get("connection") or None
    if connection is not None and not principal.may_see(connection):
        raise Refused(403, f"This caller may not use connection {connection!r}.")
    if connection is not None:
        names: list[str | None] = [connection]
    elif principal.connections is None:
        names = [None]  # every connection in one listing
    else:
        names = list(_visible(request, principal))
    records: list[QuarantinedRecord] = []
    total = 0
    for name in names:
        page = await review.list(QuarantineFilter(status=status, connection=name), limit=PAGE_SIZE)
        records.extend(page.items)
        total += page.total
    return render(
        request,
        "quarantine.html",
        records=records,
        total=total,
        status=status_name,
        statuses=[s.value for s in QuarantineStatus],
        connection=connection or "",
        connections=_visible(request, principal),
    )


async def record_page(request: Request) -> Response:
    principal = admin(request)
    record = await _record(request, principal)
    done = DONE.get(request.query_params.get("done", ""))
    return render(request, "record.html", record=record, notice=done, payload_text=None)


async def edit(request: Request) -> Response:
    principal = admin(request)
    fields = await posted_form(request)
    record = await _record(request, principal)
    text = fields.get("payload", "")
    try:
        payload: Any = json.loads(text)
    except ValueError as exc:
        error = f"The payload is not JSON: {exc}. Nothing was changed."
        refused = {"id": record.id}
        await _audit(request, principal, "editQuarantinedRecord", record, refused, "INVALID_JSON")
        return render(request, "record.html", 400, record=record, error=error, payload_text=text)
    arguments = {"id": record.id, "payload": payload}
    try:
        await _gateway(request).services.quarantine.edit(record.id, payload)
    except FlowError as exc:
        await _audit(request, principal, "editQuarantinedRecord", record, arguments, exc.code)
        error = f"{_where(exc)}{exc.message}. Nothing was changed."
        current = await _record(request, principal)
        return render(
            request, "record.html", _status(exc), record=current, error=error, payload_text=text
        )
    await _audit(request, principal, "editQuarantinedRecord", record, arguments)
    return _done(record, "edited")


async def replay(request: Request) -> Response:
    principal = admin(request)
    await posted_form(request)
    record = await _record(request, principal)
    arguments = {"id": record.id}
    review = _gateway(request).services.quarantine
    try:
        outcome = await review.replay(record.id, by=_reviewer(principal))
    except FlowError as exc:
        await _audit(request, principal, "replayQuarantinedRecord", record, arguments, exc.code)
        current = await _record(request, principal)
        return render(request, "record.html", _status(exc), record=current, error=exc.message)
    if outcome.error is not None:
        await _audit(
            request,
            principal,
            "replayQuarantinedRecord",
            record,
            arguments,
            outcome.error.code,
            outcome=Outcome.FAILED,
        )
        error = f"The replay failed; the record stays open: {outcome.error.message}"
        return render(request, "record.html", 502, record=outcome.record, error=error)
    await _audit(request, principal, "replayQuarantinedRecord", record, arguments)
    return _done(record, "replayed")


async def discard(request: Request) -> Response:
    principal = admin(request)
    fields = await posted_form(request)
    record = await _record(request, principal)
    note = fields.get("note", "")
    release = fields.get("release_key") == "on"
    arguments = {"id": record.id, "note": note, "releaseKey": release}
    review = _gateway(request).services.quarantine
    try:
        await review.discard(record.id, note, by=_reviewer(principal), release_key=release)
    except FlowError as exc:
        await _audit(request, principal, "discardQuarantinedRecord", record, arguments, exc.code)
        current = await _record(request, principal)
        return render(request, "record.html", _status(exc), record=current, error=exc.message)
    await _audit(request, principal, "discardQuarantinedRecord", record, arguments)
    return _done(record, "discarded")


async def _record(request: Request, principal: Principal) -> QuarantinedRecord:
    record_id = request.path_params["record_id"]
    try:
        record = await _gateway(request).services.quarantine.get(record_id)
    except RecordNotFound as exc:
        raise Refused(404, f"No quarantined record {record_id!r}.") from exc
    if not principal.may_see(record.connection):
        # As if it did not exist: the caller may not know of other companies' records.
        raise Refused(404, f"No quarantined record {record_id!r}.")
    return record


async def _audit(
    request: Request,
    principal: Principal,
    action: str,
    record: QuarantinedRecord,
    arguments: dict[str, Any],
    error: str | None = None,
    *,
    outcome: Outcome = Outcome.REJECTED,
) -> None:
    """The entry of an action on ``record``: ok without ``error`` (a code), else
    ``outcome``."""
    await audited(
        _gateway(request).services.audit,
        principal,
        action,
        record=record.id,
        arguments=arguments,
        outcome=Outcome.OK if error is None else outcome,
        error=error,
    )


def _visible(request: Request, principal: Principal) -> list[str]:
    return principal.visible(_gateway(request).services.connections.names)


def _reviewer(principal: Principal) -> str:
    """Who resolved a record, as kept with it."""
    return f"console:{principal.subject}"


def _where(exc: FlowError) -> str:
    return "" if exc.field is None or exc.message.startswith(exc.field) else f"{exc.field}: "


def _status(exc: FlowError) -> int:
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, RecordNotFound):
        return 404
    if isinstance(exc, InvalidState | IdempotencyConflict):
        return 409
    return 502


def _done(record: QuarantinedRecord, what: str) -> Response:
    return RedirectResponse(f"{CONSOLE_PATH}/quarantine/{record.id}?done={what}", 303)
