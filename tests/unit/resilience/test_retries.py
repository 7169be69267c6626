"""Retries of the ResilientAdapter: which failures, how often, how long it waits."""

from __future__ import annotations

import asyncio

import pytest

from system_apis.contracts import errors
from system_apis.contracts.port import ErpAdapter
from system_apis.resilience import BreakerState
from tests.unit.resilience.support import DRAFT, EVERYONE, FIRST, fail_times, wrap

BUSINESS_ERRORS = [
    errors.NotFound,
    errors.ValidationRejected,
    errors.InsufficientStock,
    errors.Conflict,
    errors.AuthenticationFailed,
    errors.NotSupported,
]


def refused() -> errors.Unavailable:
    return errors.Unavailable("connection refused")


async def test_the_wrapper_is_an_erp_adapter_that_delegates() -> None:
    adapter, erp, _ = wrap()
    assert isinstance(adapter, ErpAdapter)
    assert adapter.source == erp.source
    assert adapter.capabilities == erp.capabilities
    order = await adapter.create_sales_order(DRAFT)
    assert (await adapter.get_sales_order(order.native_id)) == order
    await adapter.aclose()
    assert erp.closed


async def test_a_read_is_retried_until_it_succeeds() -> None:
    adapter, erp, clock = wrap(read_attempts=3)
    fail_times(erp, "list_customers", 2, refused)
    page = await adapter.list_customers(EVERYONE, FIRST)
    assert [c.native_id for c in page.items] == ["001"]
    assert erp.calls["list_customers"] == 3
    assert len(clock.sleeps) == 2
    counters = adapter.counters
    assert (counters.calls, counters.attempts, counters.retries, counters.failures) == (1, 3, 2, 2)
    assert counters.error_rate == pytest.approx(2 / 3)


def test_no_error_rate_or_latency_before_the_first_attempt() -> None:
    adapter, _, _ = wrap()
    assert (adapter.counters.error_rate, adapter.counters.mean_latency) == (None, None)


async def test_a_read_gives_up_after_its_attempts_with_the_last_error() -> None:
    adapter, erp, _ = wrap(read_attempts=3)
    erp.fail_with["list_customers"] = refused
    with pytest.raises(errors.Unavailable, match="connection refused"):
        await adapter.list_customers(EVERYONE, FIRST)
    assert erp.calls["list_customers"] == 3


async def test_backoff_is_full_jitter_within_the_growing_bound() -> None:
    bounds = [1.0, 2.0, 4.0, 4.0, 4.0]
    for _ in range(20):
        adapter, erp, clock = wrap(read_attempts=6, backoff_base=1.0, backoff_cap=4.0)
        fail_times(erp, "list_customers", 5, refused)
        await adapter.list_customers(EVERYONE, FIRST)
        assert len(clock.sleeps) == len(bounds)
        for waited, bound in zip(clock.sleeps, bounds, strict=True):
            assert 0 <= waited <= bound


async def test_backoff_is_random() -> None:
    waits: set[float] = set()
    for _ in range(5):
        adapter, erp, clock = wrap(read_attempts=2, backoff_base=1.0)
        fail_times(erp, "list_customers", 1, refused)
        await adapter.list_customers(EVERYONE, FIRST)
        waits.update(clock.sleeps)
    assert len(waits) > 1


@pytest.mark.parametrize(
    "error",
    [
        lambda: errors.Throttled("slow down", retry_after=3),
        lambda: errors.Unavailable("503 Service Unavailable", retry_after=3),
    ],
    ids=["429", "503"],
)
async def test_retry_after_is_honoured(error: object) -> None:
    adapter, erp, clock = wrap(backoff_base=0.1, backoff_cap=0.5, max_retry_after=10)
    fail_times(erp, "list_customers", 1, error)  # type: ignore[arg-type]
    await adapter.list_customers(EVERYONE, FIRST)
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] >= 3
    assert adapter.counters.throttled_waits == 1


async def test_a_retry_after_beyond_the_cap_ends_the_retries() -> None:
    adapter, erp, clock = wrap(max_retry_after=10)
    erp.fail_with["list_customers"] = lambda: errors.Throttled("quota spent", retry_after=60)
    with pytest.raises(errors.Throttled) as raised:
        await adapter.list_customers(EVERYONE, FIRST)
    assert raised.value.retry_after == 60
    assert erp.calls["list_customers"] == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("error", BUSINESS_ERRORS)
async def test_business_errors_pass_through_at_once(error: type[errors.ErpError]) -> None:
    adapter, erp, clock = wrap(breaker_min_calls=1, breaker_failure_ratio=0)
    erp.fail_with["list_customers"] = lambda: error("no")
    erp.fail_with["create_sales_order"] = lambda: error("no")
    with pytest.raises(error):
        await adapter.list_customers(EVERYONE, FIRST)
    with pytest.raises(error):
        await adapter.create_sales_order(DRAFT)
    assert erp.calls["list_customers"] == erp.calls["create_sales_order"] == 1
    assert clock.sleeps == []
    # An answer, even a refusal, shows the ERP is up: the breaker does not count it.
    assert adapter.counters.failures == 0
    assert adapter.state is BreakerState.CLOSED


async def test_a_write_with_an_unknown_outcome_is_never_retried() -> None:
    adapter, erp, clock = wrap(write_attempts=5)
    erp.fail_with["create_sales_order"] = lambda: errors.UnknownOutcome("answer lost")
    with pytest.raises(errors.UnknownOutcome):
        await adapter.create_sales_order(DRAFT)
    assert erp.calls["create_sales_order"] == 1
    assert clock.sleeps == []


async def test_the_wrapper_leaves_the_lookup_by_reference_to_the_process_layer() -> None:
    adapter, erp, _ = wrap()
    erp.fail_with["create_sales_order"] = lambda: errors.UnknownOutcome("answer lost")
    with pytest.raises(errors.UnknownOutcome):
        await adapter.create_sales_order(DRAFT)
    assert erp.calls["list_sales_orders"] == 0


@pytest.mark.parametrize(
    "error",
    [refused, lambda: errors.Throttled("slow down", retry_after=1)],
    ids=["connect-refused", "throttled"],
)
async def test_a_write_is_retried_when_the_erp_received_nothing(error: object) -> None:
    adapter, erp, _ = wrap(write_attempts=3)
    fail_times(erp, "create_sales_order", 2, error)  # type: ignore[arg-type]
    order = await adapter.create_sales_order(DRAFT)
    assert erp.calls["create_sales_order"] == 3
    assert list(erp.orders) == [order.native_id]


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("create_delivery", lambda a: a.create_delivery("1")),
        ("post_goods_issue", lambda a: a.post_goods_issue("80000001")),
        ("create_invoice", lambda a: a.create_invoice("1")),
    ],
)
async def test_every_write_follows_the_write_rules(method: str, call: object) -> None:
    adapter, erp, _ = wrap(write_attempts=3)
    erp.fail_with[method] = lambda: errors.UnknownOutcome("answer lost")
    with pytest.raises(errors.UnknownOutcome):
        await call(adapter)  # type: ignore[operator]
    assert erp.calls[method] == 1


async def test_a_read_that_times_out_is_unavailable() -> None:
    adapter, erp, _ = wrap(timeout=0.01, read_attempts=2)
    erp.gate = asyncio.Event()
    with pytest.raises(errors.Unavailable, match="no answer within") as raised:
        await adapter.list_customers(EVERYONE, FIRST)
    assert type(raised.value) is errors.Unavailable
    assert adapter.counters.timeouts == 2
    assert adapter.counters.failures == 2
    # The time waited counts in the latency: each attempt ran at least up to its timeout.
    assert adapter.counters.error_rate == 1.0
    assert adapter.counters.mean_latency is not None
    assert adapter.counters.mean_latency >= 0.01


async def test_a_write_that_times_out_has_an_unknown_outcome() -> None:
    adapter, erp, _ = wrap(timeout=0.01, write_attempts=3)
    erp.gate = asyncio.Event()
    with pytest.raises(errors.UnknownOutcome, match="no answer within"):
        await adapter.create_sales_order(DRAFT)
    assert adapter.counters.attempts == 1
