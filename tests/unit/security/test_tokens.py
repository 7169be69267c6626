"""Claims to principal: who the caller is, its scopes, and the connections it may use."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from experience_api.security.jwks import StaticKeys
from experience_api.security.permissions import ROLE_SCOPES, Role, Scope
from experience_api.security.tokens import InvalidToken, TokenValidator, TrustedIssuer

ISSUER = "https://idp.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1"}
VALIDATOR = TokenValidator(
    [TrustedIssuer(ISSUER, StaticKeys.from_document({"keys": [JWK]}))],
    audience="erp-gateway",
    algorithms=["RS256"],
    leeway_seconds=30,
)


def _token(**claims: Any) -> str:
    base: dict[str, Any] = {"iss": ISSUER, "aud": "erp-gateway", "exp": int(time.time()) + 60}
    base.update(claims)
    return jwt.encode(base, KEY, algorithm="RS256", headers={"kid": "k1"})


async def test_roles_and_scopes_add_up() -> None:
    principal = await VALIDATOR.validate(
        _token(sub="u1", azp="app", roles=["agent"], scope="orders:write unknown:scope")
    )

    assert principal.subject == "u1"
    assert principal.client_id == "app"
    assert principal.scopes == ROLE_SCOPES[Role.AGENT] | {Scope.ORDERS_WRITE}


async def test_a_client_credentials_token_is_its_own_subject() -> None:
    principal = await VALIDATOR.validate(_token(client_id="batch-job", scp=["invoices:read"]))

    assert (principal.subject, principal.client_id) == ("batch-job", "batch-job")
    assert principal.scopes == {Scope.INVOICES_READ}


@pytest.mark.parametrize(
    ("companies", "expected"),
    [
        (None, frozenset()),
        ([], frozenset()),
        (["EU01", "US01"], frozenset({"EU01", "US01"})),
        (["*"], None),
    ],
)
async def test_companies_bound_the_connections(
    companies: list[str] | None, expected: frozenset[str] | None
) -> None:
    claims: dict[str, Any] = {"sub": "u1", "roles": ["sales"]}
    if companies is not None:
        claims["companies"] = companies

    principal = await VALIDATOR.validate(_token(**claims))

    assert principal.connections == expected
    assert principal.may_see("EU01") is (expected is None or "EU01" in expected)


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": ["sales"]},  # neither sub nor a client id
        {"sub": "u1", "companies": "EU01"},
        {"sub": "u1", "scope": ["orders:read"]},
    ],
)
async def test_claims_of_the_wrong_shape_are_invalid(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        await VALIDATOR.validate(_token(**claims))


def test_a_symmetric_algorithm_cannot_be_configured_in_code_either() -> None:
    with pytest.raises(ValueError, match="HS256"):
        TokenValidator([], audience="a", algorithms=["HS256"], leeway_seconds=0)
