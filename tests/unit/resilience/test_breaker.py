"""The circuit breaker: on its own, and as the ResilientAdapter uses it."""

from __future__ import annotations

import asyncio

import pytest

from system_apis.contracts import errors
from system_apis.resilience import BreakerState, CircuitBreaker, CircuitOpen, ResilientAdapter
from tests.unit.resilience.support import (
    EVERYONE,
    FIRST,
    FakeClock,
    GatedErp,
    fail_times,
    wrap,
)

BREAKER = {
    "read_attempts": 1,
    "breaker_window": 10,
    "breaker_min_calls": 4,
    "breaker_failure_ratio": 0.5,
    "breaker_open_seconds": 30,
}


def refused() -> errors.Unavailable:
    return errors.Unavailable("connection refused")


async def outcomes(adapter: ResilientAdapter, erp: GatedErp, pattern: str) -> None:
    """Makes one list_customers call per letter: ``f`` fails (Unavailable), ``s`` succeeds."""
    for letter in pattern:
        if letter == "f":
            erp.fail_with["list_customers"] = refused
            with pytest.raises(errors.Unavailable):
                await adapter.list_customers(EVERYONE, FIRST)
        else:
            erp.fail_with.pop("list_customers", None)
            await adapter.list_customers(EVERYONE, FIRST)


async def test_the_breaker_waits_for_the_minimum_number_of_calls() -> None:
    adapter, erp, _ = wrap(**BREAKER)
    await outcomes(adapter, erp, "fff")
    assert adapter.state is BreakerState.CLOSED


async def test_the_breaker_opens_when_the_failure_ratio_exceeds_the_threshold() -> None:
    adapter, erp, _ = wrap(**BREAKER)
    await outcomes(adapter, erp, "sfsf")
    assert adapter.state is BreakerState.CLOSED  # 2 of 4 is not more than half
    await outcomes(adapter, erp, "f")
    assert adapter.state is BreakerState.OPEN  # 3 of 5


async def test_old_calls_leave_the_window() -> None:
    adapter, erp, _ = wrap(**{**BREAKER, "breaker_window": 4})
    await outcomes(adapter, erp, "ffss" + "ss")  # the window now holds "ssss"
    await outcomes(adapter, erp, "f")
    assert adapter.state is BreakerState.CLOSED


async def test_an_open_breaker_fails_fast_without_touching_the_erp() -> None:
    adapter, erp, clock = wrap(**BREAKER)
    await outcomes(adapter, erp, "ffff")
    calls = erp.calls["list_customers"]
    clock.advance(10)
    erp.fail_with.clear()
    with pytest.raises(errors.Unavailable, match="circuit open for EU01") as raised:
        await adapter.list_customers(EVERYONE, FIRST)
    assert isinstance(raised.value, CircuitOpen)
    assert raised.value.retry_after == pytest.approx(20)
    assert erp.calls["list_customers"] == calls
    assert adapter.counters.rejected_by_breaker == 1


async def test_a_half_open_probe_that_succeeds_closes_the_breaker() -> None:
    adapter, erp, clock = wrap(**BREAKER)
    await outcomes(adapter, erp, "ffff")
    clock.advance(30)
    assert adapter.state is BreakerState.HALF_OPEN
    await outcomes(adapter, erp, "s")
    assert adapter.state is BreakerState.CLOSED
    await outcomes(adapter, erp, "fff")  # a fresh window: below the minimum again
    assert adapter.state is BreakerState.CLOSED


async def test_a_half_open_probe_that_fails_reopens_the_breaker() -> None:
    adapter, erp, clock = wrap(**BREAKER)
    await outcomes(adapter, erp, "ffff")
    clock.advance(30)
    await outcomes(adapter, erp, "f")
    assert adapter.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as raised:
        await adapter.list_customers(EVERYONE, FIRST)
    assert raised.value.retry_after == pytest.approx(30)


async def test_half_open_lets_only_the_probes_through() -> None:
    adapter, erp, clock = wrap(**BREAKER, breaker_half_open_probes=1, timeout=5)
    await outcomes(adapter, erp, "ffff")
    clock.advance(30)
    erp.fail_with.clear()
    erp.gate = asyncio.Event()
    probe = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpen) as raised:
        await adapter.list_customers(EVERYONE, FIRST)
    assert raised.value.retry_after == 5  # the probe ends within one call timeout
    erp.gate.set()
    await probe
    assert adapter.state is BreakerState.CLOSED


async def test_retries_stop_when_the_breaker_opens() -> None:
    adapter, erp, clock = wrap(**{**BREAKER, "read_attempts": 10})
    erp.fail_with["list_customers"] = refused
    with pytest.raises(errors.Unavailable, match="connection refused"):
        await adapter.list_customers(EVERYONE, FIRST)
    # The fourth failure opened the breaker: no wait for an attempt it would refuse.
    assert erp.calls["list_customers"] == 4
    assert len(clock.sleeps) == 3
    assert adapter.state is BreakerState.OPEN


async def test_a_call_that_waited_for_a_slot_while_the_breaker_opened_is_refused() -> None:
    adapter, erp, _ = wrap(**{**BREAKER, "breaker_min_calls": 1, "max_concurrency": 1})
    erp.gate = asyncio.Event()
    fail_times(erp, "list_customers", 1, refused)
    first = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    await asyncio.sleep(0)
    queued = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    await asyncio.sleep(0)
    erp.gate.set()
    with pytest.raises(errors.Unavailable):
        await first
    with pytest.raises(CircuitOpen):
        await queued
    assert erp.calls["list_customers"] == 1


async def test_a_cancelled_call_counts_for_nothing() -> None:
    adapter, erp, _ = wrap(**{**BREAKER, "breaker_min_calls": 1})
    erp.gate = asyncio.Event()
    task = asyncio.create_task(adapter.list_customers(EVERYONE, FIRST))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert adapter.counters.failures == 0
    assert adapter.state is BreakerState.CLOSED


def breaker(clock: FakeClock, probes: int = 1) -> CircuitBreaker:
    return CircuitBreaker(
        "EU01",
        window=4,
        min_calls=2,
        failure_ratio=0.5,
        open_seconds=10,
        probes=probes,
        busy_retry_after=1,
        clock=clock,
    )


def test_an_outcome_from_before_a_state_change_is_ignored() -> None:
    clock = FakeClock()
    subject = breaker(clock)
    late = subject.admit()
    subject.record(subject.admit(), failed=True)
    subject.record(subject.admit(), failed=True)
    assert subject.state is BreakerState.OPEN
    clock.advance(10)
    assert subject.state is BreakerState.HALF_OPEN
    subject.record(late, failed=False)  # admitted while closed: says nothing about the probe
    assert subject.state is BreakerState.HALF_OPEN


def test_every_probe_must_succeed_to_close() -> None:
    clock = FakeClock()
    subject = breaker(clock, probes=2)
    subject.record(subject.admit(), failed=True)
    subject.record(subject.admit(), failed=True)
    clock.advance(10)
    first, second = subject.admit(), subject.admit()
    with pytest.raises(CircuitOpen):
        subject.admit()
    subject.record(first, failed=False)
    assert subject.state is BreakerState.HALF_OPEN
    subject.record(second, failed=False)
    assert subject.state is BreakerState.CLOSED


def test_a_released_probe_frees_its_place() -> None:
    clock = FakeClock()
    subject = breaker(clock)
    subject.record(subject.admit(), failed=True)
    subject.record(subject.admit(), failed=True)
    clock.advance(10)
    subject.release(subject.admit())
    subject.record(subject.admit(), failed=False)
    assert subject.state is BreakerState.CLOSED


async def test_throttled_answers_do_not_open_the_breaker() -> None:
    adapter, erp, _ = wrap(**{**BREAKER, "max_retry_after": 0})
    erp.fail_with["list_customers"] = lambda: errors.Throttled("slow down", retry_after=5)
    for _ in range(10):
        with pytest.raises(errors.Throttled):
            await adapter.list_customers(EVERYONE, FIRST)
    assert adapter.state is BreakerState.CLOSED
    assert adapter.counters.failures == 0
    erp.fail_with.clear()
    await adapter.list_customers(EVERYONE, FIRST)  # the ERP is served as soon as it allows


async def test_a_throttled_half_open_probe_leaves_room_for_the_next_probe() -> None:
    adapter, erp, clock = wrap(**{**BREAKER, "max_retry_after": 0})
    await outcomes(adapter, erp, "ffff")
    clock.advance(30)
    erp.fail_with["list_customers"] = lambda: errors.Throttled("slow down", retry_after=1)
    with pytest.raises(errors.Throttled):
        await adapter.list_customers(EVERYONE, FIRST)
    assert adapter.state is BreakerState.HALF_OPEN
    erp.fail_with.clear()
    await adapter.list_customers(EVERYONE, FIRST)
    assert adapter.state is BreakerState.CLOSED
