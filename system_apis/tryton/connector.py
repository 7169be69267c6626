"""The Tryton connector: builds a :class:`TrytonAdapter` from :class:`TrytonSettings`."""

from __future__ import annotations

from system_apis.contracts.connector import Connector, Endpoint
from system_apis.tryton.adapter import ERP_KIND, TrytonAdapter
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.settings import TrytonSettings


def tryton_adapter(
    connection: str, settings: TrytonSettings, endpoint: Endpoint | None
) -> TrytonAdapter:
    """The adapter of one Tryton connection, at ``base_url`` or at the endpoint given."""
    client = TrytonClient(
        base_url=endpoint.base_url if endpoint else settings.base_url,
        database=settings.database,
        username=endpoint.username if endpoint else settings.username,
        password=endpoint.password if endpoint else settings.secret() or "",
        timeout=settings.timeout_seconds,
        transport=endpoint.transport if endpoint else None,
        connection=connection,
        language=settings.language,
    )
    return TrytonAdapter(
        connection=connection,
        client=client,
        warehouse=settings.warehouse,
        currency=settings.currency,
        location_ttl=settings.location_ttl_seconds,
        invoice_method=settings.invoice_method,
    )


CONNECTOR = Connector(kind=ERP_KIND, settings=TrytonSettings, factory=tryton_adapter)
