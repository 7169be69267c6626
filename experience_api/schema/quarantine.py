"""Admin operations on the quarantine: what could not reach its ERP, and its review.

Every field here is an admin operation; they all go through :func:`_admin`, which asks for
the ``admin`` scope. A caller limited to some connections sees and resolves only their
records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON

from experience_api.schema.authorization import Forbidden, require_connection, requires
from experience_api.schema.common import After, Connection, First
from experience_api.schema.context import Info
from experience_api.schema.errors import ClientError, client_errors, none_if_not_found
from experience_api.schema.offset_cursors import OffsetCursors
from experience_api.schema.orders import SalesOrder
from experience_api.schema.user_errors import UserError, ValidationError, user_error
from experience_api.security.permissions import Scope
from process_apis.errors import FlowError, InvalidInput
from process_apis.quarantine import port

ADMIN = "Admin operation (quarantine review). "
_ADMIN_PERMISSIONS: list[type[BasePermission]] = [requires(Scope.ADMIN)]
"""The guard of every admin field."""


def _reviewer(info: Info) -> str:
    """Who resolved a record, as kept with it."""
    return f"graphql:{info.context.principal.subject}"


async def _require_record_connection(info: Info, id: str) -> None:
    """Forbidden when the record belongs to a connection the caller may not use; a missing
    record is left to the operation to report."""
    if info.context.principal.connections is None:
        return
    try:
        record = await info.context.services.quarantine.get(id)
    except FlowError:
        return
    require_connection(info, record.connection)


def _listed_connection(info: Info, requested: str | None) -> str | None:
    """The connection a listing is narrowed to: a caller limited to some connections must
    name one unless it may see just one."""
    if requested is not None:
        require_connection(info, requested)
        return requested
    names = info.context.services.connections.names
    visible = info.context.principal.visible(names)
    if len(visible) == len(names):
        return None
    if len(visible) == 1:
        return visible[0]
    raise Forbidden("this caller may see only some connections: set filter.connection")


def _admin(resolver: Callable[..., Any], description: str, *, mutation: bool = False) -> Any:
    make = strawberry.mutation if mutation else strawberry.field
    return make(
        resolver=resolver, description=ADMIN + description, permission_classes=_ADMIN_PERMISSIONS
    )


@strawberry.enum(description="Where a quarantined record stands in review.")
class QuarantineStatus(Enum):
    PENDING = strawberry.enum_value(
        "pending", description="The ERP could not take it for now; retried automatically."
    )
    OPEN = strawberry.enum_value("open", description="In review: a person must judge it.")
    REPLAYED = "replayed"
    DISCARDED = "discarded"


@strawberry.type(description="What the ERP answered, without credentials.")
class QuarantineErpError:
    code: str = strawberry.field(description="The ERP's message code, else the failure kind.")
    message: str


@strawberry.type(description="How a record left the quarantine.")
class QuarantineResolution:
    status: QuarantineStatus
    resolved_at: dt.datetime
    resolved_by: str | None
    note: str | None
    result: str | None = strawberry.field(description="What the replay created: the order id.")


@strawberry.type(description="A request the gateway accepted but its ERP could not take.")
class QuarantinedRecord:
    id: strawberry.ID
    kind: str = strawberry.field(description="What the request does, e.g. `place_order`.")
    connection: str
    idempotency_key: str | None
    payload: JSON = strawberry.field(description="The request as JSON, as it will be replayed.")
    reason: str = strawberry.field(description="Why it is here, in words; the latest failure.")
    erp_error: QuarantineErpError | None
    attempts: int = strawberry.field(description="Tries so far, the first one included.")
    status: QuarantineStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    resolution: QuarantineResolution | None

    @classmethod
    def from_model(cls, record: port.QuarantinedRecord) -> QuarantinedRecord:
        status = QuarantineStatus(record.status.value)
        return cls(
            id=strawberry.ID(record.id),
            kind=record.kind,
            connection=record.connection,
            idempotency_key=record.idempotency_key,
            payload=cast(JSON, dict(record.payload)),
            reason=record.reason,
            erp_error=None
            if record.erp_error is None
            else QuarantineErpError(code=record.erp_error.code, message=record.erp_error.message),
            attempts=record.attempts,
            status=status,
            created_at=record.created_at,
            updated_at=record.updated_at,
            resolution=None
            if record.resolved_at is None
            else QuarantineResolution(
                status=status,
                resolved_at=record.resolved_at,
                resolved_by=record.resolved_by,
                note=record.resolution_note,
                result=record.resolution_result,
            ),
        )


@strawberry.input
class QuarantineFilter:
    status: QuarantineStatus | None = None
    kind: str | None = None
    connection: str | None = None


_CURSORS = OffsetCursors("quarantine")


async def resolve_quarantine(
    info: Info, filter: QuarantineFilter | None = None, first: First = None, after: After = None
) -> Connection[QuarantinedRecord]:
    limits = info.context.services.paging
    size = limits.default_page_size if first is None else first
    if not 1 <= size <= limits.max_page_size:
        raise ClientError(
            f"`first` must be between 1 and {limits.max_page_size} "
            f"(the maximum page size), got {size}",
            field="first",
        )
    start = _CURSORS.offset_after(after)
    wanted = filter or QuarantineFilter()
    connection = _listed_connection(info, wanted.connection)
    with client_errors():
        page = await info.context.services.quarantine.list(
            port.QuarantineFilter(
                status=port.QuarantineStatus(wanted.status.value) if wanted.status else None,
                kind=wanted.kind,
                connection=connection,
            ),
            limit=size,
            offset=start,
        )
    return _CURSORS.connection(
        [QuarantinedRecord.from_model(item) for item in page.items], start, page.total
    )


async def resolve_quarantined_record(info: Info, id: strawberry.ID) -> QuarantinedRecord | None:
    record = None
    with none_if_not_found():
        record = await info.context.services.quarantine.get(id)
    if record is None or not info.context.principal.may_see(record.connection):
        return None
    return QuarantinedRecord.from_model(record)


@strawberry.type
class QuarantineQueries:
    quarantine: Connection[QuarantinedRecord] = _admin(
        resolve_quarantine,
        "Requests kept in quarantine, oldest first; all statuses unless filtered.",
    )
    quarantined_record: QuarantinedRecord | None = _admin(
        resolve_quarantined_record, "One quarantined record; null when it does not exist."
    )


@strawberry.type
class QuarantinedRecordPayload:
    record: QuarantinedRecord | None
    errors: list[UserError]


@strawberry.type
class ReplayQuarantinedRecordPayload:
    record: QuarantinedRecord | None = strawberry.field(
        description="The record after the replay: replayed, or still open with the new error."
    )
    order: SalesOrder | None = strawberry.field(description="The order the replay placed.")
    errors: list[UserError]


@strawberry.type
class ReplayQuarantinePayload:
    replayed: int
    failed: int = strawberry.field(description="Tried and still open, with the new error.")
    skipped: int = strawberry.field(
        description="Not tried: busy, already closed, or their ERP had just failed in this run."
    )
    errors: list[UserError]


def _error(exc: FlowError) -> UserError:
    # Paths into the JSON payload keep its own (snake_case) names.
    if isinstance(exc, InvalidInput) and exc.field and exc.field.startswith("payload"):
        return ValidationError(message=exc.message, code=exc.code, field=exc.field)
    return user_error(exc)


async def resolve_edit(info: Info, id: strawberry.ID, payload: JSON) -> QuarantinedRecordPayload:
    try:
        await _require_record_connection(info, id)
        record = await info.context.services.quarantine.edit(id, payload)
    except FlowError as exc:
        return QuarantinedRecordPayload(record=None, errors=[_error(exc)])
    return QuarantinedRecordPayload(record=QuarantinedRecord.from_model(record), errors=[])


async def resolve_replay(info: Info, id: strawberry.ID) -> ReplayQuarantinedRecordPayload:
    try:
        await _require_record_connection(info, id)
        outcome = await info.context.services.quarantine.replay(id, by=_reviewer(info))
    except FlowError as exc:
        return ReplayQuarantinedRecordPayload(record=None, order=None, errors=[_error(exc)])
    return ReplayQuarantinedRecordPayload(
        record=QuarantinedRecord.from_model(outcome.record),
        order=None if outcome.order is None else SalesOrder.from_model(outcome.order),
        errors=[] if outcome.error is None else [_error(outcome.error)],
    )


async def resolve_discard(
    info: Info,
    id: strawberry.ID,
    note: str,
    release_key: bool = False,
) -> QuarantinedRecordPayload:
    try:
        await _require_record_connection(info, id)
        record = await info.context.services.quarantine.discard(
            id, note, by=_reviewer(info), release_key=release_key
        )
    except FlowError as exc:
        return QuarantinedRecordPayload(record=None, errors=[_error(exc)])
    return QuarantinedRecordPayload(record=QuarantinedRecord.from_model(record), errors=[])


async def resolve_replay_all(info: Info, kind: str | None = None) -> ReplayQuarantinePayload:
    try:
        if _listed_connection(info, None) is not None:
            raise Forbidden("replaying everything needs access to every connection")
        summary = await info.context.services.quarantine.replay_all(kind, by=_reviewer(info))
    except FlowError as exc:
        return ReplayQuarantinePayload(replayed=0, failed=0, skipped=0, errors=[_error(exc)])
    return ReplayQuarantinePayload(
        replayed=summary.replayed, failed=summary.failed, skipped=summary.skipped, errors=[]
    )


@strawberry.type
class QuarantineMutations:
    edit_quarantined_record: QuarantinedRecordPayload = _admin(
        resolve_edit,
        "Replace the payload of an open record; it is validated like the original request "
        "and must keep its idempotency key and connection.",
        mutation=True,
    )
    replay_quarantined_record: ReplayQuarantinedRecordPayload = _admin(
        resolve_replay,
        "Run an open record again: the order is looked up in the ERP by its reference and "
        "created only if missing. A failure keeps the record open with the new error.",
        mutation=True,
    )
    discard_quarantined_record: QuarantinedRecordPayload = _admin(
        resolve_discard,
        "Close an open record without placing it. Its idempotency key stays blocked (client "
        "retries are refused) unless `releaseKey` frees it for a deliberate resend.",
        mutation=True,
    )
    replay_quarantine: ReplayQuarantinePayload = _admin(
        resolve_replay_all,
        "Replay every open record (of `kind`), oldest first.",
        mutation=True,
    )
