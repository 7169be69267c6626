"""Helpers of the Tryton integration tests: an adapter on a running trytond."""

from __future__ import annotations

from typing import Any

from system_apis.tryton import TrytonAdapter, TrytonClient
from tests.support.transports import RecordingTransport

CONNECTION = "TRY"


def make_adapter(running: Any, transport: RecordingTransport | None = None) -> TrytonAdapter:
    """An adapter logged in as admin on a ``RunningTryton`` (url, database, admin_password)."""
    client = TrytonClient(
        running.url,
        running.database,
        "admin",
        running.admin_password,
        transport=transport,
    )
    return TrytonAdapter(CONNECTION, client)
