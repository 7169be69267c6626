"""What keeps the gateway and its operator commands from acting on the wrong ERP.

A production gateway never serves the demo sandbox: ``serve`` refuses to start when a
connection has no ERP to reach (:func:`check_production_connections`). An operator command
(``erp-gateway quarantine replay`` ...) acts on the ERPs the gateway's records came from,
or refuses (:func:`check_state_matches`): when the state database holds records of a
connection its settings do not name, or of a connection they would serve from an embedded
sandbox that was never created beside this state (so the records came from another ERP,
and a new, throwaway sandbox would take the work and report success).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncEngine

from experience_api.settings import Settings
from process_apis.persistence.change_capture_tables import change_capture_watermarks
from process_apis.persistence.inbound_tables import inbound_events
from process_apis.persistence.tables import outbox, quarantine

CONFIGURE_CONNECTIONS = (
    "configure each ERP connection with its base_url and credentials: [[connections]] "
    "in the TOML file given with --config (or ERP_GATEWAY_CONFIG_FILE), or "
    "ERP_GATEWAY_CONNECTIONS as JSON"
)


class UnsafeConfiguration(ValueError):
    """The settings would make the gateway or a command act on the wrong ERP."""


def embedded_sandbox_dir(data_dir: Path, connection: str) -> Path:
    """Where the embedded SAP sandbox of ``connection`` keeps its data."""
    return data_dir / f"sap-sandbox-{connection.lower()}"


def check_production_connections(settings: Settings) -> None:
    """Production serves real ERPs only: a SAP connection without a ``base_url`` (the
    embedded demo sandbox, also what runs when no connection is configured) is refused."""
    if settings.mode != "production":
        return
    embedded = [c.name for c in settings.connections if c.erp.embedded]
    if embedded:
        raise UnsafeConfiguration(
            f"production mode has no ERP to reach for connection(s) {', '.join(embedded)} "
            f"(without a base_url they would be the demo SAP sandbox); {CONFIGURE_CONNECTIONS}"
        )


async def check_state_matches(settings: Settings, engine: AsyncEngine) -> None:
    """Refuses (:class:`UnsafeConfiguration`) settings that do not reach the ERPs the
    records in the state database came from."""
    recorded = await _connections_in_state(engine)
    configured = {c.name: c for c in settings.connections}
    unknown = sorted(recorded - configured.keys())
    if unknown:
        raise UnsafeConfiguration(
            f"the state database holds records of connection(s) {', '.join(unknown)}, which "
            f"these settings do not configure (they name {', '.join(sorted(configured))}); "
            "run the command with the gateway's own configuration (--config, or "
            "ERP_GATEWAY_CONFIG_FILE)"
        )
    throwaway = sorted(
        name
        for name in recorded
        if configured[name].erp.embedded
        and not embedded_sandbox_dir(settings.data_dir, name).exists()
    )
    if throwaway:
        raise UnsafeConfiguration(
            f"the state database holds records of connection(s) {', '.join(throwaway)} from "
            "an ERP these settings do not reach: they would use a new embedded sandbox "
            "instead; run the command with the gateway's own configuration (--config, or "
            "ERP_GATEWAY_CONFIG_FILE)"
        )


async def _connections_in_state(engine: AsyncEngine) -> set[str]:
    query = union(
        *(
            select(table.c.connection).distinct()
            for table in (quarantine, outbox, change_capture_watermarks, inbound_events)
        )
    )
    async with engine.connect() as conn:
        return {row[0] for row in await conn.execute(query)}
