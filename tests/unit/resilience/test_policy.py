"""ResiliencePolicy: defaults and the checks that keep a configuration coherent."""

from __future__ import annotations

import pydantic
import pytest

from system_apis.resilience import ResiliencePolicy


def test_defaults_guard_a_connection_without_configuration() -> None:
    policy = ResiliencePolicy()
    assert policy.timeout > 0
    assert policy.read_attempts > 1
    assert policy.max_concurrency is not None
    assert policy.stale_reads == frozenset()


def test_the_policy_is_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        ResiliencePolicy().timeout = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "fields",
    [
        {"breaker_min_calls": 30, "breaker_window": 20},
        {"backoff_base": 10, "backoff_cap": 1},
        {"breaker_failure_ratio": 1},
        {"stale_reads": {"get_sales_order"}},
        {"timeout": 0},
        {"unknown": 1},
    ],
)
def test_incoherent_policies_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        ResiliencePolicy.model_validate(fields)


def test_a_policy_reads_from_settings_like_values() -> None:
    policy = ResiliencePolicy.model_validate(
        {"timeout": "2.5", "stale_reads": ["list_products"], "requests_per_second": "20"}
    )
    assert policy.timeout == 2.5
    assert policy.stale_reads == {"list_products"}
    assert policy.requests_per_second == 20
