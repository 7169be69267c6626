"""The retry schedule (Retry-After is read in system_apis.contracts.retry_after)."""

from __future__ import annotations

import pytest

from process_apis.webhooks.backoff import DEFAULT_SCHEDULE, RetryPolicy


def test_default_schedule_grows_from_seconds_to_hours() -> None:
    policy = RetryPolicy(jitter=0)
    delays = [policy.delay(n) for n in range(1, 8)]
    assert delays == [5, 30, 120, 600, 1800, 3600, 10800]
    assert policy.max_attempts == len(DEFAULT_SCHEDULE) + 1


def test_last_delay_repeats_beyond_the_schedule() -> None:
    policy = RetryPolicy(schedule=(1, 2), max_attempts=5, jitter=0)
    assert [policy.delay(n) for n in range(1, 5)] == [1, 2, 2, 2]


def test_jitter_spreads_within_its_fraction() -> None:
    low = RetryPolicy(schedule=(100,), jitter=0.2, random=lambda: 0.0)
    high = RetryPolicy(schedule=(100,), jitter=0.2, random=lambda: 0.999999)
    assert low.delay(1) == pytest.approx(80)
    assert high.delay(1) == pytest.approx(120, abs=1e-3)


def test_exhausted_after_max_attempts() -> None:
    policy = RetryPolicy(schedule=(1,), max_attempts=3)
    assert not policy.exhausted(2)
    assert policy.exhausted(3)


def test_retry_after_replaces_the_schedule_up_to_its_cap() -> None:
    policy = RetryPolicy(schedule=(600,), jitter=0, max_retry_after=120)
    assert policy.delay(1, retry_after=7) == 7
    assert policy.delay(1, retry_after=86400) == 120


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": ()}, "at least one delay"),
        ({"schedule": (1, -1)}, "none negative"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"jitter": 1.0}, "jitter"),
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
