"""Sensitive fields and their redaction, for every outlet besides GraphQL (events, webhooks,
logs, exports).

A field is sensitive by name, wherever it appears in a payload: pay data needs
``payroll:read``, bank data ``bank:read``, credit data ``credit:read`` (the same names as the
experience layer's scopes). :func:`redact` removes every sensitive field the holder of
``granted`` may not see; the key is absent afterwards, not null, so a consumer cannot even
tell which records carried one. Names match in snake_case and camelCase alike.

Events and webhooks carry no sensitive field at all: build their data with
``redact(data, ())`` (see :func:`redact_all`), whatever the subscriber is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PAYROLL = "payroll:read"
BANK = "bank:read"
CREDIT = "credit:read"

SENSITIVE_FIELDS: Mapping[str, str] = {
    "salary": PAYROLL,
    "salaries": PAYROLL,
    "compensation": PAYROLL,
    "pay": PAYROLL,
    "paycompvalue": PAYROLL,
    "payrate": PAYROLL,
    "bankaccount": BANK,
    "bankaccounts": BANK,
    "iban": BANK,
    "accountnumber": BANK,
    "bankcode": BANK,
    "routingnumber": BANK,
    "bic": BANK,
    "creditlimit": CREDIT,
    "creditexposure": CREDIT,
}
"""Normalised field name (lower case, no ``_``/``-``) → the scope that reveals it."""


def _normalised(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def required_scope(field: str) -> str | None:
    """The scope a field needs, or None when it is not sensitive."""
    return SENSITIVE_FIELDS.get(_normalised(field))


def redact(payload: Any, granted: Iterable[str]) -> Any:
    """A copy of ``payload`` (JSON-like: mappings, lists, tuples, scalars) without the
    sensitive fields ``granted`` does not reveal, at any depth. The input is not changed."""
    allowed = frozenset(granted)
    return _redact(payload, allowed)


def redact_all(payload: Any) -> Any:
    """``payload`` without any sensitive field: what events and webhooks may carry."""
    return _redact(payload, frozenset())


def redacted_paths(payload: Any, granted: Iterable[str], prefix: str = "") -> list[str]:
    """Where :func:`redact` would remove something (``a.b[2].c``), for logs and tests."""
    allowed = frozenset(granted)
    found: list[str] = []
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            scope = required_scope(str(key))
            if scope is not None and scope not in allowed:
                found.append(path)
            else:
                found.extend(redacted_paths(value, allowed, path))
    elif isinstance(payload, list | tuple):
        for index, item in enumerate(payload):
            found.extend(redacted_paths(item, allowed, f"{prefix}[{index}]"))
    return found


def _redact(payload: Any, allowed: frozenset[str]) -> Any:
    if isinstance(payload, Mapping):
        kept: dict[Any, Any] = {}
        for key, value in payload.items():
            scope = required_scope(str(key))
            if scope is not None and scope not in allowed:
                continue
            kept[key] = _redact(value, allowed)
        return kept
    if isinstance(payload, list | tuple):
        return [_redact(item, allowed) for item in payload]
    return payload
