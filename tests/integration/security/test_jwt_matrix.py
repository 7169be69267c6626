"""Negative JWT matrix over HTTP: every forged or broken token is refused with 401
``invalid_token`` before anything reaches an ERP; a good token works."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from experience_api.security.config import AuthSettings
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer, SigningKey
from tests.integration.security.support import CUSTOMERS, Gateway, challenge, running

PLACE = """
mutation { placeOrder(input: {idempotencyKey: "jwt-1", customerId: "EU01:17100001",
  lines: [{sku: "TG11", quantity: "1"}]}) { order { id } errors { message } } }"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(issuer: Issuer, header: dict[str, object]) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(issuer.claims()).encode())
    return f"{head}.{body}."


def _signed_raw(issuer: Issuer, **claims: object) -> str:
    # Properly signed, with claims PyJWT would refuse to encode itself.
    key = issuer.keys[0]
    payload = json.dumps(issuer.claims(**claims)).encode()
    return jwt.PyJWS().encode(payload, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _hs256_with_public_key(issuer: Issuer) -> str:
    # The classic confusion: HMAC keyed with the issuer's published RSA key.
    public_pem = (
        issuer.keys[0]
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = _b64(json.dumps(issuer.claims()).encode())
    signature = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def _tampered_signature(issuer: Issuer) -> str:
    head, body, signature = issuer.token().split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    return f"{head}.{body}.{flipped}"


def _tampered_claims(issuer: Issuer) -> str:
    head, _, signature = issuer.token().split(".")
    body = _b64(json.dumps(issuer.claims(roles=["admin"])).encode())
    return f"{head}.{body}.{signature}"


def now() -> int:
    """The current time in whole seconds, read when a token is made (not at import: a long
    run would date its tokens from its start)."""
    return int(time.time())


# case: (the token, what error_description must mention: refused for the intended reason)
FORGERIES: dict[str, tuple[Callable[[Issuer], str], str]] = {
    "expired": (lambda i: i.token(iat=now() - 7200, exp=now() - 3600), "expired"),
    "wrong issuer": (lambda i: i.token(iss="https://evil.example.test"), "issuer"),
    "issuer not a string": (lambda i: _signed_raw(i, iss=[i.issuer]), "issuer"),
    "payload not an object": (
        lambda i: _b64(b'{"alg":"RS256","kid":"rsa-1"}') + "." + _b64(b"[1]") + ".c2ln",
        "not a well-formed JWT",
    ),
    "wrong audience": (lambda i: i.token(aud="another-api"), "not meant for this API"),
    "no audience": (lambda i: i.token(aud=None), "'aud'"),
    "no expiry": (lambda i: i.token(exp=None), "'exp'"),
    "alg none": (lambda i: _unsigned(i, {"alg": "none", "kid": "rsa-1"}), "'none'"),
    "alg None capitalised": (lambda i: _unsigned(i, {"alg": "None", "kid": "rsa-1"}), "'None'"),
    "HS256 keyed with the public key": (_hs256_with_public_key, "'HS256' is not accepted"),
    "unknown kid": (lambda i: i.token(headers={"kid": "rsa-404"}), "does not publish"),
    "no kid": (lambda i: _unsigned(i, {"alg": "RS256"}) + "c2ln", "names no key"),
    "garbage": (lambda i: "not-a-jwt", "not a well-formed JWT"),
    "three garbage parts": (lambda i: "abc.def.ghi", "not a well-formed JWT"),
    "wrong signature": (_tampered_signature, "signature"),
    "claims changed after signing": (_tampered_claims, "signature"),
    "same kid, another key": (lambda i: i.token(key=SigningKey.rsa("rsa-1")), "signature"),
    "not valid yet": (lambda i: i.token(nbf=now() + 3600), "not valid yet"),
    "issued in the future": (lambda i: i.token(iat=now() + 3600), "not valid yet"),
    "EC key id with an RSA alg": (lambda i: i.token(headers={"kid": "ec-1"}), "ES256"),
    "roles not a list": (lambda i: i.token(roles="admin"), "'roles'"),
    # NumericDate claims are JSON numbers in range, never coerced from another type.
    "exp a numeric string": (lambda i: _signed_raw(i, exp=str(now() + 300)), "'exp' claim must be"),
    "exp 10^20": (lambda i: _signed_raw(i, exp=10**20), "'exp' claim is out of range"),
    "exp 1e20 as a float": (lambda i: _signed_raw(i, exp=1e20), "'exp' claim is out of range"),
    "exp a boolean": (lambda i: _signed_raw(i, exp=True), "'exp' claim must be"),
    "exp negative": (lambda i: _signed_raw(i, exp=-1), "'exp' claim is out of range"),
    "exp a list": (lambda i: _signed_raw(i, exp=[now() + 300]), "'exp' claim must be"),
    "nbf a string": (lambda i: _signed_raw(i, nbf=str(now() - 10)), "'nbf' claim must be"),
    "iat 10^20": (lambda i: _signed_raw(i, iat=10**20), "'iat' claim is out of range"),
    "exp NaN": (lambda i: _signed_raw(i, exp=float("nan")), "'exp' claim is out of range"),
    "exp Infinity": (lambda i: _signed_raw(i, exp=float("inf")), "'exp' claim is out of range"),
}


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer(keys=[SigningKey.rsa("rsa-1"), SigningKey.ec("ec-1")])


@pytest.fixture
async def gateway(issuer: Issuer, tmp_path: Path) -> AsyncIterator[Gateway]:
    settings = Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(
            issuer=issuer.issuer, jwks_file=issuer.write_jwks(tmp_path / "jwks.json")
        ),
    )
    async with running(settings) as gateway:
        yield gateway


@pytest.mark.parametrize("case", list(FORGERIES))
async def test_a_bad_token_is_refused_before_anything_runs(
    gateway: Gateway, issuer: Issuer, case: str
) -> None:
    forge, reason = FORGERIES[case]
    token = forge(issuer)
    before = gateway.erp_requests

    response = await gateway.gql(PLACE, token=token)

    assert response.status_code == 401, response.text
    params = challenge(response)
    assert params["realm"] == "erp-gateway"
    assert params["error"] == "invalid_token"
    assert reason in params["error_description"]
    assert token not in response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert gateway.erp_requests == before


async def test_no_token_is_a_bare_challenge(gateway: Gateway) -> None:
    response = await gateway.gql(CUSTOMERS)

    assert response.status_code == 401
    # No error: nothing was presented (RFC 6750 3.1); where to get a token (RFC 9728).
    assert challenge(response) == {
        "realm": "erp-gateway",
        "resource_metadata": "http://gateway.test/.well-known/oauth-protected-resource",
    }


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer a b"])
async def test_a_malformed_authorization_header_is_invalid_request(
    gateway: Gateway, header: str
) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": CUSTOMERS}, headers={"Authorization": header}
    )

    assert response.status_code == 400
    assert challenge(response)["error"] == "invalid_request"


async def test_fractional_numeric_dates_are_accepted(gateway: Gateway, issuer: Issuer) -> None:
    token = _signed_raw(issuer, exp=now() + 300.5, iat=now() - 0.25, nbf=float(now() - 1))

    response = await gateway.gql(CUSTOMERS, token=token)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("key", ["rsa-1", "ec-1"])
async def test_a_valid_token_works(gateway: Gateway, issuer: Issuer, key: str) -> None:
    signing = next(k for k in issuer.keys if k.kid == key)

    response = await gateway.gql(CUSTOMERS, token=issuer.token(key=signing))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["customers"]["nodes"]


async def test_a_token_granting_no_scope_is_insufficient_scope(
    gateway: Gateway, issuer: Issuer
) -> None:
    response = await gateway.gql(CUSTOMERS, token=issuer.token(roles=["unknown-role"]))

    assert response.status_code == 403
    params = challenge(response)
    assert params["error"] == "insufficient_scope"
    assert "customers:read" in params["scope"].split()


async def test_health_and_readiness_need_no_token(gateway: Gateway) -> None:
    assert (await gateway.client.get("/health")).status_code == 200
    assert (await gateway.client.get("/ready")).status_code == 200


async def test_graphiql_page_needs_a_token_in_production(gateway: Gateway) -> None:
    response = await gateway.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 401


async def test_tokens_never_reach_the_log(
    gateway: Gateway, issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good, expired = issuer.token(), issuer.token(exp=now() - 3600)
    forged = _tampered_signature(issuer)

    for token in (good, expired, forged):
        await gateway.gql(PLACE, token=token)

    assert "rejected a bearer token" in caplog.text
    for token in (good, expired, forged):
        assert token not in caplog.text
        assert token.split(".")[2] not in caplog.text
