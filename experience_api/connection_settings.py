"""``ConnectionSettings``: one configured ERP connection.

The keys every connection has (``name``, ``kind``, ``resilience``, ``change_capture``,
``cache``) are read here; every other key of the connection is its ERP kind's own setting,
validated by the settings model of that kind's connector (:mod:`system_apis.registry`) into
``erp``. So the
configuration stays flat (``[[connections]]`` with ``base_url``, ``sap_client``...) while
this module names no ERP. A connection that names no kind is an SAP one, as before kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, model_validator

from process_apis.change_capture.config import ChangeCapturePolicy
from system_apis.caching.policy import CachePolicy
from system_apis.contracts.connector import ConnectorSettings
from system_apis.registry import UnknownKind, installed_connectors
from system_apis.resilience.policy import ResiliencePolicy

DEFAULT_KIND = "sap"
EMBEDDED_CAPTURE = ChangeCapturePolicy(enabled=True, interval_seconds=1.0)


class ConnectionSettings(BaseModel):
    """One ERP connection: its name (which prefixes canonical ids), its kind, how calls to
    it are guarded (``resilience``), polled for changes (``change_capture``) and cached
    (``cache``), and in
    ``erp`` the settings its kind's connector reads (address, credentials, options)."""

    # The input may hold a password: an error message shows where, never the values.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    kind: str = DEFAULT_KIND
    resilience: ResiliencePolicy = Field(default_factory=ResiliencePolicy)
    cache: CachePolicy = Field(default_factory=CachePolicy)
    change_capture: ChangeCapturePolicy | None = Field(
        default=None, description="default: every second for an embedded emulator, else off"
    )
    erp: SerializeAsAny[ConnectorSettings]

    @model_validator(mode="before")
    @classmethod
    def _erp_settings(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        generic = {key: data[key] for key in data if key in cls.model_fields and key != "erp"}
        kind = generic.setdefault("kind", DEFAULT_KIND)
        own = data.get("erp", {key: data[key] for key in data if key not in cls.model_fields})
        where = f"connection {data.get('name')!r} ({kind})"
        try:
            connector = installed_connectors().get(str(kind))
        except UnknownKind as exc:
            raise ValueError(f"connection {data.get('name')!r}: {exc}") from None
        if isinstance(own, connector.settings):
            return {**generic, "erp": own}
        if not isinstance(own, Mapping):
            raise ValueError(f"{where}: erp must be the {kind} settings")
        try:
            return {**generic, "erp": connector.settings.model_validate(dict(own))}
        except ValidationError as exc:
            raise ValueError(f"{where}: {_explain(exc, str(kind))}") from None

    @property
    def capture_policy(self) -> ChangeCapturePolicy:
        """The change-capture polling of this connection: as configured, or (not
        configured) every second for an embedded emulator, so its changes show at once."""
        if self.change_capture is not None:
            return self.change_capture
        return EMBEDDED_CAPTURE if self.erp.embedded else ChangeCapturePolicy()


def _explain(exc: ValidationError, kind: str) -> str:
    """Each error as ``field: what is wrong``, without the values given."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        if error["type"] == "extra_forbidden":
            message = f"is not a setting of a {kind} connection"
        else:
            message = error["msg"]
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def check_pairings(connections: Sequence[ConnectionSettings]) -> None:
    """Every ``employees_from`` names a connection of a paired kind (successfactors), and
    every connection of such a kind is named by at least one; else a ValueError naming the
    connection and the field."""
    registry = installed_connectors()
    by_name = {c.name: c for c in connections}
    paired_kinds = sorted(c.kind for c in registry if c.paired)
    used: set[str] = set()
    for conn in connections:
        source = conn.erp.employees_from
        if source is None:
            continue
        target = by_name.get(source)
        if target is None or not registry.get(target.kind).paired:
            raise ValueError(
                f"connection {conn.name!r} ({conn.kind}): employees_from: {source!r} is not "
                f"a connection of kind {' or '.join(paired_kinds)}"
            )
        used.add(source)
    for conn in connections:
        if registry.get(conn.kind).paired and conn.name not in used:
            raise ValueError(
                f"connection {conn.name!r} ({conn.kind}) serves no connection: name it in "
                "the employees_from of one"
            )
