"""Rate limits per client over HTTP: a moving window in memory, and in the real Redis
(127.0.0.1:6379) shared by two gateway instances."""

from __future__ import annotations

import socket
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

import coredis
import pytest

from experience_api.security.config import AuthSettings, RateLimitSettings
from experience_api.security.rate_limit import RateLimiter
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer
from tests.integration.security.support import Gateway, running
from tests.support.services import require

HEALTH_FREE = "{ __typename }"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _settings(tmp_path: Path, issuer: Issuer, limits: RateLimitSettings) -> Settings:
    tmp_path.mkdir(exist_ok=True)
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(
            issuer=issuer.issuer,
            jwks_file=issuer.write_jwks(tmp_path / "jwks.json"),
            rate_limit=limits,
        ),
    )


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


async def _statuses(gateway: Gateway, token: str, n: int) -> list[int]:
    return [(await gateway.gql(HEALTH_FREE, token=token)).status_code for _ in range(n)]


async def test_a_client_over_its_limit_gets_429_with_retry_after(
    tmp_path: Path, issuer: Issuer
) -> None:
    limits = RateLimitSettings(default="3/minute")
    async with running(_settings(tmp_path, issuer, limits)) as gateway:
        token = issuer.token(azp="greedy")
        statuses = await _statuses(gateway, token, 4)
        refused = await gateway.gql(HEALTH_FREE, token=token)
        other_client = await gateway.gql(HEALTH_FREE, token=issuer.token(azp="polite"))

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "3"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert other_client.status_code == 200
    assert other_client.headers["ratelimit-remaining"] == "2"


async def test_limits_follow_the_callers_role(tmp_path: Path, issuer: Issuer) -> None:
    limits = RateLimitSettings(default="5/minute", per_role={"agent": "2/minute"})  # type: ignore[dict-item]
    async with running(_settings(tmp_path, issuer, limits)) as gateway:
        agent = await _statuses(gateway, issuer.token(azp="bot", roles=["agent"]), 3)
        both = await _statuses(gateway, issuer.token(azp="mixed", roles=["agent", "sales"]), 6)

    assert agent == [200, 200, 429]
    assert both == [200] * 5 + [429], "the most generous of its roles' limits"


@pytest.fixture
def redis_url() -> str:
    require(REDIS_PORT, "Redis", REDIS_HOST)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


async def test_two_instances_sharing_redis_draw_on_one_budget(
    tmp_path: Path, issuer: Issuer, redis_url: str
) -> None:
    limits = RateLimitSettings(default="4/minute", storage_url=redis_url)
    client = f"shared-{uuid.uuid4().hex}"  # a key of its own in the shared server
    token = issuer.token(azp=client)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running(_settings(tmp_path / "a", issuer, limits)))
        second = await stack.enter_async_context(running(_settings(tmp_path / "b", issuer, limits)))
        statuses = [
            *await _statuses(first, token, 2),
            *await _statuses(second, token, 2),
            *await _statuses(first, token, 1),
            *await _statuses(second, token, 1),
        ]

    assert statuses == [200, 200, 200, 200, 429, 429]
    server = coredis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    try:
        keys = await server.keys(f"*{client}*")
    finally:
        server.connection_pool.disconnect()
    assert keys, "the counts live in Redis"


async def test_an_unreachable_counter_store_lets_requests_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    limiter = RateLimiter(
        RateLimitSettings(default="1/minute", storage_url=f"redis://127.0.0.1:{port}")
    )

    decisions = [await limiter.hit("client:any", None) for _ in range(3)]

    assert all(decision.allowed for decision in decisions)
    assert "rate limit store unavailable" in caplog.text


async def test_an_address_guessing_tokens_gets_429_for_its_next_invalid_token(
    tmp_path: Path, issuer: Issuer
) -> None:
    limits = RateLimitSettings(failed_auth="3/minute")
    async with running(_settings(tmp_path, issuer, limits)) as gateway:
        guesses = [
            (await gateway.gql(HEALTH_FREE, token=f"guess.{n}.x")).status_code for n in range(3)
        ]
        after = await gateway.gql(HEALTH_FREE, token="guess.3.x")

    assert guesses == [401, 401, 401]
    assert after.status_code == 429
    assert int(after.headers["retry-after"]) >= 1
    assert "invalid tokens" in after.json()["errors"][0]["message"]


async def test_good_tokens_do_not_use_up_the_failure_budget(tmp_path: Path, issuer: Issuer) -> None:
    limits = RateLimitSettings(failed_auth="2/minute")
    async with running(_settings(tmp_path, issuer, limits)) as gateway:
        statuses = await _statuses(gateway, issuer.token(), 5)

    assert statuses == [200] * 5
