"""OAuth 2.0 machine to machine against the NetSuite sandbox: a client assertion signed with
the certificate's key buys an access token that serves until it expires; an unknown
certificate or a PKCS#1 v1.5 (RS256) signature is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from erp_sandbox.netsuite import Sandbox, SandboxSettings, create_app
from system_apis.contracts import errors
from system_apis.contracts.queries import CustomerFilter, PageRequest, ProductFilter
from system_apis.netsuite.adapter import NetSuiteAdapter
from system_apis.netsuite.client import NetSuiteClient
from system_apis.netsuite.oauth2 import ClientCredentialsAuth
from system_apis.netsuite.settings import NetSuiteSettings
from tests.support.netsuite import BASE_URL

pytestmark = pytest.mark.integration

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
PUBLIC = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
SETTINGS = SandboxSettings(m2m_certificates=(("cert-1", PUBLIC),))


@pytest.fixture
async def app() -> AsyncIterator[Any]:
    built = create_app(SETTINGS)
    async with built.router.lifespan_context(built):
        yield built


def adapter(app: Any, certificate: str = "cert-1", algorithm: str = "PS256") -> NetSuiteAdapter:
    auth = ClientCredentialsAuth(
        BASE_URL, SETTINGS.consumer_key, certificate, PRIVATE, algorithm=algorithm
    )
    client = NetSuiteClient(BASE_URL, auth, transport=httpx.ASGITransport(app=app))
    return NetSuiteAdapter("NS01", client)


async def test_one_token_serves_many_requests_until_it_expires(app: Any) -> None:
    sandbox: Sandbox = app.state.sandbox
    m2m = adapter(app)
    try:
        assert (await m2m.list_customers(CustomerFilter(), PageRequest(limit=2))).total == 28
        assert (await m2m.list_products(ProductFilter(), PageRequest(limit=2))).total == 50
        assert sandbox.oauth2.issued == 1
        sandbox.oauth2.expire_all()
        with pytest.raises(errors.AuthenticationFailed):
            await m2m.list_customers(CustomerFilter(), PageRequest(limit=1))
    finally:
        await m2m.aclose()


@pytest.mark.parametrize(("certificate", "algorithm"), [("cert-2", "PS256"), ("cert-1", "RS256")])
async def test_a_refused_assertion_is_authentication_failed(
    app: Any, certificate: str, algorithm: str
) -> None:
    sandbox: Sandbox = app.state.sandbox
    m2m = adapter(app, certificate, algorithm)
    try:
        with pytest.raises(errors.AuthenticationFailed, match="client assertion"):
            await m2m.list_customers(CustomerFilter(), PageRequest(limit=1))
    finally:
        await m2m.aclose()
    assert sandbox.oauth2.issued == 0


def test_oauth2_settings_name_the_certificate(tmp_path: Path) -> None:
    key = tmp_path / "ns01.pem"
    key.write_text(PRIVATE)
    settings = NetSuiteSettings(
        account_id="1234567",
        auth="oauth2",
        consumer_key="client-id",
        certificate_id="cert-1",
        private_key_file=key,
    )
    assert not settings.embedded
    with pytest.raises(ValueError, match="certificate_id, private_key_file"):
        NetSuiteSettings(account_id="1234567", auth="oauth2", consumer_key="client-id")
