"""Failed-auth limiting over HTTP: who is counted (the address, the token), and which
address a request comes from (the peer, or the client a trusted proxy names)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.security.config import AuthSettings, RateLimitSettings
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer
from tests.integration.security.support import ACCEPT, Gateway, running

TYPENAME = "{ __typename }"


def _settings(tmp_path: Path, issuer: Issuer, **auth: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(
            issuer=issuer.issuer,
            jwks_file=issuer.write_jwks(tmp_path / "jwks.json"),
            rate_limit=RateLimitSettings(failed_auth="3/minute"),
            **auth,
        ),
    )


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@asynccontextmanager
async def _peer(gateway: Gateway, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another caller of the same gateway, connecting from ``host``."""
    transport = httpx.ASGITransport(app=gateway.app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client


async def _call(client: httpx.AsyncClient, token: str | None, **headers: str) -> httpx.Response:
    sent = {**ACCEPT, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": TYPENAME}, headers=sent)


async def test_junk_from_an_address_does_not_lock_out_its_valid_tokens(
    tmp_path: Path, issuer: Issuer
) -> None:
    async with running(_settings(tmp_path, issuer), client_host="198.51.100.20") as gateway:
        junk = [(await _call(gateway.client, f"junk.{n}.x")).status_code for n in range(4)]
        neighbour = await _call(gateway.client, issuer.token(azp="neighbour"))
        fresh = await _call(gateway.client, issuer.token(azp="arriving-later"))

    assert junk == [401, 401, 401, 429], "the address's invalid tokens are limited"
    assert neighbour.status_code == 200, "a valid token from that address is still served"
    assert fresh.status_code == 200


async def test_a_token_refused_too_often_is_refused_from_every_address(
    tmp_path: Path, issuer: Issuer
) -> None:
    expired = issuer.token(exp=1_000_000_000, iat=999_999_000)
    async with (
        running(_settings(tmp_path, issuer), client_host="198.51.100.1") as gateway,
        _peer(gateway, "198.51.100.2") as second,
        _peer(gateway, "198.51.100.3") as third,
    ):
        early = [
            (await _call(gateway.client, expired)).status_code,
            (await _call(second, expired)).status_code,
            (await _call(third, expired)).status_code,
        ]
        replayed = await _call(third, expired)
        valid_there = await _call(third, issuer.token())

    assert early == [401, 401, 401]
    assert replayed.status_code == 429
    assert "this token was refused too often" in replayed.json()["errors"][0]["message"]
    assert valid_there.status_code == 200


async def test_forwarded_headers_from_an_untrusted_peer_are_ignored(
    tmp_path: Path, issuer: Issuer
) -> None:
    async with running(_settings(tmp_path, issuer)) as gateway:  # a loopback peer
        rotating = [
            (
                await _call(gateway.client, f"junk.{n}.x", X_Forwarded_For=f"203.0.113.{n}")
            ).status_code
            for n in range(3)
        ]
        forwarded = await _call(gateway.client, "junk.9.x", Forwarded="for=192.0.2.9")

    assert rotating == [401, 401, 401]
    assert forwarded.status_code == 429, "made-up forwarded addresses change nothing"


async def test_a_trusted_proxy_names_the_client(tmp_path: Path, issuer: Issuer) -> None:
    settings = _settings(tmp_path, issuer, trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"])
    async with running(settings) as gateway:
        attacker = [
            (await _call(gateway.client, f"junk.{n}.x", X_Forwarded_For="203.0.113.7")).status_code
            for n in range(3)
        ]
        # What the client wrote left of what the proxies appended is not believed.
        spoofed = await _call(
            gateway.client, "junk.4.x", X_Forwarded_For="192.0.2.1, 203.0.113.7, 10.1.2.3"
        )
        as_forwarded = await _call(
            gateway.client, "junk.5.x", Forwarded='for="203.0.113.7:5123";proto=https'
        )
        other_client = await _call(gateway.client, "junk.6.x", X_Forwarded_For="198.51.100.8")
        ipv6_client = await _call(gateway.client, "junk.7.x", Forwarded='for="[2001:db8::17]:4711"')

    assert attacker == [401, 401, 401]
    assert spoofed.status_code == 429
    assert as_forwarded.status_code == 429
    assert other_client.status_code == 401, "another client behind the proxy is not limited"
    assert ipv6_client.status_code == 401


async def test_a_remote_client_behind_a_local_proxy_is_not_the_local_developer(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, auth=AuthSettings(trusted_proxies=["127.0.0.1"]))
    async with running(settings) as gateway:
        remote = await _call(gateway.client, None, X_Forwarded_For="203.0.113.50")
        local = await _call(gateway.client, None)

    assert remote.status_code == 401
    assert local.status_code == 200, local.text


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        AuthSettings(trusted_proxies=["proxy.example.test"])  # type: ignore[list-item]
