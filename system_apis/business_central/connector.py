"""The Business Central connector: builds a :class:`BusinessCentralAdapter` from
:class:`BusinessCentralSettings`."""

from __future__ import annotations

from system_apis.business_central.adapter import ERP_KIND, BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.settings import BusinessCentralSettings
from system_apis.contracts.connector import Connector, Endpoint

EMBEDDED_TENANT = "00000000-0000-0000-0000-0000000000bc"
"""The tenant an embedded connection's emulator answers for (the composition root runs it)."""


def business_central_adapter(
    connection: str, settings: BusinessCentralSettings, endpoint: Endpoint | None
) -> BusinessCentralAdapter:
    """The adapter of one connection: at ``api_url``/``login_url``, or at the emulator's
    endpoint (which serves both, and accepts the endpoint's credentials as the app's)."""
    if endpoint is not None:
        api_url = login_url = endpoint.base_url
        transport, tenant = endpoint.transport, EMBEDDED_TENANT
        client_id, secret = endpoint.username, endpoint.password
    else:
        assert settings.tenant is not None
        api_url, login_url, transport, tenant = (
            settings.api_url,
            settings.login_url,
            None,
            settings.tenant,
        )
        client_id, secret = settings.client_id or "", settings.secret() or ""
    client = BcClient(
        api_url=api_url,
        login_url=login_url,
        tenant=tenant,
        environment=settings.environment,
        company=settings.company,
        client_id=client_id,
        client_secret=secret,
        timeout=settings.timeout_seconds,
        transport=transport,
        connection=connection,
        page_size=settings.page_size,
    )
    return BusinessCentralAdapter(
        connection, client, currency=settings.currency, company=settings.company
    )


CONNECTOR = Connector(
    kind=ERP_KIND, settings=BusinessCentralSettings, factory=business_central_adapter
)
