"""A NetSuite adapter over the NetSuite sandbox, signed with the sandbox's integration and
token (tests share it: contract suite, integration tests)."""

from __future__ import annotations

import httpx

from erp_sandbox.netsuite import SandboxSettings
from system_apis.netsuite.adapter import NetSuiteAdapter
from system_apis.netsuite.auth import TokenAuth
from system_apis.netsuite.client import NetSuiteClient

BASE_URL = "https://tstdrv1234567.suitetalk.api.netsuite.com"


def token_auth(settings: SandboxSettings | None = None) -> TokenAuth:
    ns = settings or SandboxSettings()
    return TokenAuth(
        ns.account_id, ns.consumer_key, ns.consumer_secret, ns.token_id, ns.token_secret
    )


def netsuite_adapter(
    transport: httpx.AsyncBaseTransport | None,
    base_url: str = BASE_URL,
    connection: str = "NS01",
    settings: SandboxSettings | None = None,
) -> NetSuiteAdapter:
    client = NetSuiteClient(base_url, token_auth(settings), transport=transport, timeout=5)
    return NetSuiteAdapter(connection, client, adjustment_account="1")
