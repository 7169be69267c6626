"""The emulators that serve embedded connections (those that name no system to reach).

Part of the composition root: only :mod:`experience_api.bootstrap` (and ``serve --profile
all``, which adds a connection per emulator) uses it. Each emulator is imported when a
connection needs it, so a production deployment never loads the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from experience_api.connection_settings import ConnectionSettings
from experience_api.safety import embedded_sandbox_dir
from experience_api.settings import Settings
from system_apis.contracts.connector import Endpoint


def embedded_endpoint(
    conn: ConnectionSettings, settings: Settings, sandboxes: dict[str, Any]
) -> Endpoint:
    """A connection that names no system to reach is served by an emulator of its kind."""
    emulator = EMULATORS.get(conn.kind)
    if emulator is None:
        raise ValueError(f"connection {conn.name}: no {conn.kind} system to reach and no emulator")
    sandbox = sandboxes[conn.name] = emulator(conn, settings)
    return Endpoint(
        base_url=f"http://{conn.kind}-sandbox.embedded",
        transport=httpx.ASGITransport(app=sandbox),
        username=settings.sandbox_username,
        password=settings.sandbox_password.get_secret_value(),
    )


def _sap_sandbox(conn: ConnectionSettings, settings: Settings) -> Any:
    # Imported here so that a production deployment never loads the sandbox.
    from erp_sandbox.sap.app import create_app
    from erp_sandbox.sap.settings import SandboxSettings

    return create_app(
        SandboxSettings(
            data_dir=embedded_sandbox_dir(settings.data_dir, conn.name),
            username=settings.sandbox_username,
            password=settings.sandbox_password.get_secret_value(),
            sf_password=settings.sandbox_password.get_secret_value(),
        )
    )


def _business_central_sandbox(conn: ConnectionSettings, settings: Settings) -> Any:
    from erp_sandbox.business_central.app import create_app
    from erp_sandbox.business_central.settings import SandboxSettings

    # The emulator's default tenant is the one the connector's embedded connections name.
    return create_app(
        SandboxSettings(
            client_id=settings.sandbox_username,
            client_secret=settings.sandbox_password.get_secret_value(),
        )
    )


def _netsuite_sandbox(conn: ConnectionSettings, settings: Settings) -> Any:
    # The embedded connection's integration and token are the sandbox user and password, its
    # account the sandbox's default one (see system_apis.netsuite.connector.EMBEDDED_ACCOUNT).
    from erp_sandbox.netsuite.app import create_app
    from erp_sandbox.netsuite.settings import SandboxSettings

    secret = settings.sandbox_password.get_secret_value()
    return create_app(
        SandboxSettings(
            consumer_key=settings.sandbox_username,
            consumer_secret=secret,
            token_id=settings.sandbox_username,
            token_secret=secret,
            data_dir=embedded_sandbox_dir(settings.data_dir, conn.name),
        )
    )


EMULATORS: dict[str, Callable[[ConnectionSettings, Settings], Any]] = {
    "sap": _sap_sandbox,
    # The S/4HANA emulator serves SuccessFactors' OData v2 API beside its own.
    "successfactors": _sap_sandbox,
    "business_central": _business_central_sandbox,
    "netsuite": _netsuite_sandbox,
}
"""Emulators by connection kind (ASGI apps), for connections that name no system to reach."""
