"""The NetSuite connector: builds a :class:`NetSuiteAdapter` from :class:`NetSuiteSettings`."""

from __future__ import annotations

import httpx

from system_apis.contracts.connector import Connector, Endpoint
from system_apis.netsuite.adapter import ERP_KIND, NetSuiteAdapter
from system_apis.netsuite.auth import TokenAuth
from system_apis.netsuite.client import NetSuiteClient
from system_apis.netsuite.oauth2 import ClientCredentialsAuth
from system_apis.netsuite.settings import NetSuiteSettings

EMBEDDED_ACCOUNT = "TSTDRV1234567"
"""The account id of the emulator an embedded connection is served by (the NetSuite
sandbox's default account)."""
EMBEDDED_ADJUSTMENT_ACCOUNT = "1"


def netsuite_adapter(
    connection: str, settings: NetSuiteSettings, endpoint: Endpoint | None
) -> NetSuiteAdapter:
    """The adapter of one NetSuite account, or of the emulator at ``endpoint``: its
    integration and token are both the endpoint's user (key and id) and password (secret)."""
    if endpoint is not None:
        auth: httpx.Auth = TokenAuth(
            EMBEDDED_ACCOUNT, endpoint.username, endpoint.password, endpoint.username,
            endpoint.password,
        )  # fmt: skip
        base_url, transport = endpoint.base_url, endpoint.transport
        account: str | None = settings.adjustment_account or EMBEDDED_ADJUSTMENT_ACCOUNT
    else:
        auth = _auth(connection, settings)
        base_url, transport = settings.url(), None
        account = settings.adjustment_account
    client = NetSuiteClient(
        base_url,
        auth,
        timeout=settings.timeout_seconds,
        transport=transport,
        connection=connection,
    )
    return NetSuiteAdapter(
        connection,
        client,
        time_zone=settings.time_zone,
        location=settings.location,
        adjustment_account=account,
    )


def _auth(connection: str, settings: NetSuiteSettings) -> httpx.Auth:
    if settings.account_id is None or not settings.consumer_key:
        raise ValueError(f"connection {connection}: account and consumer key needed")
    if settings.auth == "oauth2":
        if settings.certificate_id is None or settings.private_key_file is None:
            raise ValueError(f"connection {connection}: certificate id and private key needed")
        return ClientCredentialsAuth(
            settings.url(),
            settings.consumer_key,
            settings.certificate_id,
            settings.private_key_file.read_text(encoding="utf-8"),
        )
    if not settings.token_id:
        raise ValueError(f"connection {connection}: token id needed")
    return TokenAuth(
        settings.account_id, settings.consumer_key, settings.consumer(), settings.token_id,
        settings.token(),
    )  # fmt: skip


CONNECTOR = Connector(kind=ERP_KIND, settings=NetSuiteSettings, factory=netsuite_adapter)
