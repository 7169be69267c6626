"""Whatever a correctly signed token claims, validation ends in a Principal or InvalidToken:
never another exception (a server error) and never a principal from a token the checks
should refuse."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import event, given, settings
from hypothesis import strategies as st

from experience_api.security.jwks import StaticKeys
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


class Offset(int):
    """A time claim given relative to the moment the example runs: a long suite may reach
    this test minutes after import, and the validator reads the real clock."""


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def mostly(good: Any, *others: Any) -> st.SearchStrategy[Any]:
    """Usually ``good`` (so the checks after this one get exercised), sometimes one of
    ``others``, sometimes anything at all."""

    def pick(n: int) -> st.SearchStrategy[Any]:
        if n == 0:
            return values
        if n <= 2 and others:
            return st.sampled_from(others)
        return st.just(good)

    return st.integers(0, 9).flatmap(pick)


claim_values = {
    "iss": mostly(ISSUER, "https://other.test"),
    "aud": mostly("erp-gateway", ["erp-gateway", "x"], "other"),
    "exp": mostly(Offset(300), Offset(-300)),
    "nbf": mostly(Offset(-10), Offset(300)),
    "iat": mostly(Offset(-10), Offset(300)),
    "sub": mostly("u1", ""),
    "azp": mostly("app"),
    "client_id": mostly("batch"),
    "roles": mostly(["sales"], ["admin", "nobody"], []),
    "scope": mostly("orders:read", "admin orders:write", ""),
    "scp": mostly(["invoices:read"]),
    "companies": mostly(["EU01"], ["*"], []),
}
required = ("iss", "aud", "exp")
claims = st.fixed_dictionaries(
    {name: claim_values[name] for name in required},
    optional={k: v for k, v in claim_values.items() if k not in required},
)
headers = st.fixed_dictionaries(
    {"kid": mostly("k1", "k2")},
    # Keys named in the token itself are never fetched or trusted.
    optional={
        "typ": mostly("JWT", "at+jwt"),
        "jku": mostly("https://evil.test/jwks"),
        "x5u": mostly("https://evil.test/cert"),
        "jwk": mostly(JWK),
    },
)


@settings(max_examples=1000, deadline=None)
@given(claims=claims, header=headers)
def test_every_signed_token_is_a_principal_or_invalid(
    claims: dict[str, Any], header: dict[str, Any]
) -> None:
    now = int(time.time())
    claims = {k: now + v if isinstance(v, Offset) else v for k, v in claims.items()}
    payload = json.dumps(claims).encode()
    try:
        token = jwt.PyJWS().encode(payload, KEY, algorithm="RS256", headers=header)
    except (TypeError, ValueError, jwt.InvalidTokenError):
        event("header PyJWT cannot write")
        return
    try:
        principal = asyncio.run(VALIDATOR.validate(token))
    except InvalidToken as exc:
        event(f"invalid: {exc.description[:30]}")
        return
    event("accepted")
    # Accepted: then every check held.
    assert claims["iss"] == ISSUER
    assert header["kid"] == "k1"
    assert claims["exp"] > now - 30
    assert "erp-gateway" in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
    assert claims.get("nbf", now) <= now + 30
    assert claims.get("iat", now) <= now + 30
    assert isinstance(principal.subject, str)
    assert principal.subject
