"""Authentication edges over HTTP: weak issuer keys, repeated Authorization headers."""

from __future__ import annotations

import base64
import json
import logging
import warnings
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from experience_api.security.config import AuthSettings
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer, SigningKey
from tests.integration.security.support import ACCEPT, CUSTOMERS, challenge, running


def _weak_rsa(kid: str, bits: int = 1024) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=bits), "RS256")


def _signed_by(issuer: Issuer, key: SigningKey) -> str:
    # PyJWT warns when signing with a short key; an issuer with one does not care.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return issuer.token(key=key)


def _settings(tmp_path: Path, issuer: Issuer) -> Settings:
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(
            issuer=issuer.issuer, jwks_file=issuer.write_jwks(tmp_path / "jwks.json")
        ),
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _es256_on(curve: ec.EllipticCurve, issuer: Issuer, kid: str) -> tuple[str, dict[str, str]]:
    """A token whose header says ES256, signed by a key on ``curve``, and that key's JWK."""
    key = ec.generate_private_key(curve)
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    signing_input = (
        _b64(json.dumps({"alg": "ES256", "kid": kid}).encode())
        + "."
        + _b64(json.dumps(issuer.claims()).encode())
    )
    signature = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA256).sign(
        signing_input.encode(), key
    )
    return f"{signing_input}.{_b64(signature)}", {**jwk, "kid": kid, "use": "sig"}


async def test_an_rsa_key_under_2048_bits_is_refused_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    weak = _weak_rsa("weak-1024")
    issuer = Issuer(keys=[SigningKey.rsa("strong-1"), weak])
    caplog.set_level(logging.WARNING, logger="experience_api.security.jwks")

    async with running(_settings(tmp_path, issuer)) as gateway:
        refused = await gateway.gql(CUSTOMERS, token=_signed_by(issuer, weak))
        strong = await gateway.gql(CUSTOMERS, token=issuer.token())

    assert refused.status_code == 401
    params = challenge(refused)
    assert params["error"] == "invalid_token"
    assert "'weak-1024' is refused" in params["error_description"]
    assert "1024 bits" in params["error_description"]
    assert strong.status_code == 200, strong.text
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'weak-1024'" in w and "1024 bits is too weak" in w for w in warnings), warnings


async def test_a_jwks_with_only_weak_keys_does_not_start(tmp_path: Path) -> None:
    issuer = Issuer(keys=[_weak_rsa("weak-2047", bits=2047)])

    with pytest.raises(ValueError, match=r"no usable signing key.*weak-2047.*2047 bits"):
        async with running(_settings(tmp_path, issuer)):
            pass


async def test_ec_keys_on_other_curves_are_refused(tmp_path: Path) -> None:
    issuer = Issuer()
    odd_token, odd_jwk = _es256_on(ec.SECP256K1(), issuer, "ec-k1")
    big_token, big_jwk = _es256_on(ec.SECP384R1(), issuer, "ec-p384")
    (tmp_path / "jwks.json").write_text(
        json.dumps({"keys": [*issuer.jwks()["keys"], odd_jwk, big_jwk]})
    )
    settings = Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(issuer=issuer.issuer, jwks_file=tmp_path / "jwks.json"),
    )

    async with running(settings) as gateway:
        odd = await gateway.gql(CUSTOMERS, token=odd_token)
        mismatched = await gateway.gql(CUSTOMERS, token=big_token)

    assert odd.status_code == 401
    assert "curve secp256k1 is not accepted" in challenge(odd)["error_description"]
    assert mismatched.status_code == 401
    assert "P-384, which cannot verify ES256" in challenge(mismatched)["error_description"]


@pytest.mark.parametrize("second", ["same", "another valid", "junk"])
async def test_two_authorization_headers_are_an_invalid_request(
    tmp_path: Path, second: str
) -> None:
    issuer = Issuer()
    first = issuer.token()
    other = {"same": first, "another valid": issuer.token(sub="user-2"), "junk": "junk"}[second]

    async with running(_settings(tmp_path, issuer)) as gateway:
        before = gateway.erp_requests
        headers = [*ACCEPT.items(), ("Authorization", f"Bearer {first}")]
        headers.append(("Authorization", f"Bearer {other}"))
        response = await gateway.client.post("/graphql", json={"query": CUSTOMERS}, headers=headers)
        reached_erp = gateway.erp_requests - before
        one = await gateway.gql(CUSTOMERS, token=first)

    assert reached_erp == 0
    assert response.status_code == 400
    params = challenge(response)
    assert params["error"] == "invalid_request"
    assert "more than one Authorization header" in params["error_description"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert one.status_code == 200
