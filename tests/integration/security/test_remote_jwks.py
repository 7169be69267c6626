"""Keys read from the issuer's JWKS URL over real HTTP: cached, a rotated key picked up,
made-up key ids unable to hammer the issuer, and an unreachable issuer answered with 503."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from experience_api.security.config import AuthSettings
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer, SigningKey
from tests.integration.security.jwks_server import JwksEndpoint, jwks_endpoint
from tests.integration.security.support import CUSTOMERS, Gateway, running


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(keys=[SigningKey.rsa("rsa-1")])


@pytest.fixture
def endpoint(issuer: Issuer) -> Iterator[JwksEndpoint]:
    with jwks_endpoint(issuer.jwks()) as served:
        yield served


def _settings(tmp_path: Path, issuer: Issuer, url: str, refresh_min: float) -> Settings:
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(issuer=issuer.issuer, jwks_url=url, jwks_refresh_min_seconds=refresh_min),
    )


async def test_keys_are_read_once_and_a_rotated_key_is_picked_up(
    tmp_path: Path, issuer: Issuer, endpoint: JwksEndpoint
) -> None:
    async with running(_settings(tmp_path, issuer, endpoint.url, refresh_min=0)) as gateway:
        first = await gateway.gql(CUSTOMERS, token=issuer.token())
        again = await gateway.gql(CUSTOMERS, token=issuer.token())
        fetches_before_rotation = endpoint.fetches

        rotated = SigningKey.rsa("rsa-2")
        issuer.keys.append(rotated)
        endpoint.document = issuer.jwks()
        after_rotation = await gateway.gql(CUSTOMERS, token=issuer.token(key=rotated))

    assert (first.status_code, again.status_code) == (200, 200)
    assert fetches_before_rotation == 1
    assert after_rotation.status_code == 200, after_rotation.text
    assert endpoint.fetches == 2


async def test_unknown_key_ids_reread_the_keys_at_most_once_per_interval(
    tmp_path: Path, issuer: Issuer, endpoint: JwksEndpoint
) -> None:
    async def made_up_kids(gateway: Gateway) -> list[int]:
        tokens = [issuer.token(headers={"kid": f"made-up-{n}"}) for n in range(5)]
        return [(await gateway.gql(CUSTOMERS, token=token)).status_code for token in tokens]

    # An interval long enough for five requests on a loaded machine (CI at load 10).
    async with running(_settings(tmp_path, issuer, endpoint.url, refresh_min=3)) as gateway:
        await gateway.gql(CUSTOMERS, token=issuer.token())
        within_interval = await made_up_kids(gateway)
        fetches_within = endpoint.fetches
        await asyncio.sleep(3.1)
        after_interval = await made_up_kids(gateway)

    assert within_interval == after_interval == [401] * 5
    assert fetches_within == 1, "keys read less than the interval ago are not read again"
    assert endpoint.fetches == 2, "after the interval, one read for five unknown kids"


async def test_an_unreachable_issuer_is_503_not_401_and_recovers(
    tmp_path: Path, issuer: Issuer, endpoint: JwksEndpoint
) -> None:
    endpoint.failing = True
    async with running(_settings(tmp_path, issuer, endpoint.url, refresh_min=0)) as gateway:
        while_down = await gateway.gql(CUSTOMERS, token=issuer.token())
        endpoint.failing = False
        after = await gateway.gql(CUSTOMERS, token=issuer.token())

    assert while_down.status_code == 503
    assert int(while_down.headers["retry-after"]) >= 1
    assert while_down.json()["errors"][0]["extensions"]["code"] == "AUTH_UNAVAILABLE"
    assert after.status_code == 200


async def test_cached_keys_keep_working_while_the_issuer_is_down(
    tmp_path: Path, issuer: Issuer, endpoint: JwksEndpoint
) -> None:
    settings = _settings(tmp_path, issuer, endpoint.url, refresh_min=0)
    settings.auth.jwks_cache_seconds = 0.01
    async with running(settings) as gateway:
        await gateway.gql(CUSTOMERS, token=issuer.token())
        endpoint.failing = True
        await asyncio.sleep(0.05)
        during = await gateway.gql(CUSTOMERS, token=issuer.token())

    assert during.status_code == 200
    assert endpoint.fetches >= 2, "the expired cache was read again (and failed)"
