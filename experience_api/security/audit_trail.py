"""Recording what callers do: every mutation, and every read of a sensitive field.

Each request collects its audit events in an :class:`AuditTrail` (in the GraphQL context);
:func:`audit_mutations` records one event per root mutation field (wrapping only those
resolvers: no other field pays for it) and :class:`AuditExtension` writes the request's events
to the audit log before the response leaves. If they cannot be written, the
response is withheld: nobody reads payroll data without a record of it.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from enum import Enum
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, default_field_resolver
from strawberry.extensions import SchemaExtension

from experience_api.security.principal import Principal
from process_apis.audit.model import AuditEvent, Outcome
from process_apis.audit.port import AuditLog
from system_apis.contracts.models import split_id

logger = logging.getLogger(__name__)
ResolveInfo = GraphQLResolveInfo[Any]

# Argument names whose values never reach the log, whatever the operation.
_SECRET_WORDS = ("secret", "password", "token", "salary", "iban", "bank")


class AuditTrail:
    """The audit events of one request, written together at its end."""

    def __init__(self, principal: Principal, log: AuditLog | None):
        self.principal = principal
        self.log = log
        self.events: list[AuditEvent] = []

    def record(
        self,
        action: str,
        *,
        record: str | None = None,
        outcome: Outcome = Outcome.OK,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.events.append(
            AuditEvent(
                actor=self.principal.subject,
                client_id=self.principal.client_id,
                action=action,
                connection=_connection_of(record),
                record=record,
                outcome=outcome,
                details=dict(details or {}),
            )
        )

    def sensitive_read(self, type_name: str, field: str, record: str) -> None:
        """Note that the caller received ``type_name.field`` of ``record`` (a canonical id)."""
        self.record(f"read:{type_name}.{field}", record=record)

    async def flush(self) -> None:
        if self.events and self.log is not None:
            events, self.events = self.events, []
            await self.log.append(events)


class AuditExtension(SchemaExtension):
    """Writes each request's trail at its end (root mutation fields are recorded by the
    resolvers :func:`audit_mutations` wraps; no other field pays for auditing)."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        trail = _context_trail(self.execution_context.context)
        if trail is None:
            return
        try:
            await trail.flush()
        except Exception:
            logger.exception("the audit log could not be written; the response is withheld")
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The request could not be recorded in the audit log; its result "
                        "is withheld. Try again later.",
                        extensions={"code": "AUDIT_UNAVAILABLE"},
                    )
                ]


def audit_mutations(schema: GraphQLSchema) -> None:
    """Wraps the resolver of every root mutation field of ``schema`` so that each call is
    recorded in the request's trail: arguments (secrets left out), outcome, record."""
    mutation = schema.mutation_type
    if mutation is None:
        return
    for name, field in mutation.fields.items():
        if not getattr(field.resolve, "_audited", False):
            field.resolve = _audited(name, field.resolve or default_field_resolver)


def _audited(name: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    def audited(root: Any, info: ResolveInfo, **kwargs: Any) -> Any:
        trail = _trail(info)
        try:
            result = resolve(root, info, **kwargs)
        except Exception as exc:
            _note(trail, info, kwargs, None, exc)
            raise
        if inspect.isawaitable(result):
            return _awaited(result, trail, info, kwargs)
        _note(trail, info, kwargs, result, None)
        return result

    audited.__name__ = f"audited_{name}"
    audited._audited = True  # type: ignore[attr-defined]
    return audited


async def _awaited(result: Any, trail: AuditTrail | None, info: ResolveInfo, kwargs: Any) -> Any:
    try:
        value = await result
    except Exception as exc:
        _note(trail, info, kwargs, None, exc)
        raise
    _note(trail, info, kwargs, value, None)
    return value


def _context_trail(context: Any) -> AuditTrail | None:
    trail = getattr(context, "audit", None)
    return trail if isinstance(trail, AuditTrail) else None


def _trail(info: ResolveInfo) -> AuditTrail | None:
    return _context_trail(info.context)


def _note(
    trail: AuditTrail | None,
    info: ResolveInfo,
    kwargs: Mapping[str, Any],
    payload: Any,
    error: BaseException | None,
) -> None:
    if trail is None:
        return
    arguments = _plain(kwargs)
    details: dict[str, Any] = {"arguments": arguments}
    if error is not None:
        outcome = Outcome.REJECTED if _is_refusal(error) else Outcome.FAILED
        details["error"] = type(error).__name__
    else:
        user_errors = list(getattr(payload, "errors", None) or [])
        outcome = Outcome.REJECTED if user_errors else Outcome.OK
        if user_errors:
            details["errors"] = [getattr(e, "code", type(e).__name__) for e in user_errors]
    record = _record_of(payload) or _record_in(arguments)
    trail.record(f"mutation:{info.field_name}", record=record, outcome=outcome, details=details)


def _is_refusal(error: BaseException) -> bool:
    code = (getattr(error, "extensions", None) or {}).get("code")
    return code in {"FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT", "NOT_FOUND"}


def _record_of(payload: Any) -> str | None:
    """The canonical id of the record a payload names (the order placed, the invoice...)."""
    for name in ("order", "invoice", "delivery", "record", "subscription", "employee"):
        value = getattr(payload, name, None)
        record_id = getattr(value, "id", None)
        if isinstance(record_id, str):
            return record_id
    order_id = getattr(payload, "order_id", None)
    return order_id if isinstance(order_id, str) else None


def _record_in(arguments: Any) -> str | None:
    if not isinstance(arguments, dict):
        return None
    for key in ("orderId", "invoiceId", "deliveryId", "customerId", "employeeId", "id"):
        if isinstance(arguments.get(key), str):
            return str(arguments[key])
    for value in arguments.values():
        found = _record_in(value)
        if found:
            return found
    return None


def _connection_of(record: str | None) -> str | None:
    if not record:
        return None
    try:
        return split_id(record)[0]
    except ValueError:
        return None


def redacted(value: Any) -> Any:
    """``value`` (arguments of a call) as JSON-ready values, secrets left out."""
    return _plain(value)


def _plain(value: Any, depth: int = 0) -> Any:
    """Arguments as JSON-ready values, secrets left out."""
    if depth > 6:
        return "..."
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {
            str(k): "[redacted]"
            if any(w in str(k).lower() for w in _SECRET_WORDS)
            else _plain(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value[:50]]
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
