"""Streaming reads through the ResilientAdapter: each chunk one guarded attempt."""

from __future__ import annotations

import pytest

from system_apis.contracts import errors
from system_apis.contracts.queries import CustomerFilter
from system_apis.resilience import BreakerState
from tests.unit.resilience.support import wrap

EVERYONE = CustomerFilter()


async def test_chunks_pass_through_and_count_as_attempts() -> None:
    adapter, erp, _ = wrap()
    for index in range(2, 8):
        erp.add_customer(f"{index:03d}", f"Customer {index}")
    chunks = [chunk async for chunk in adapter.stream_customers(EVERYONE)]
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [c.native_id for chunk in chunks for c in chunk] == [f"{i:03d}" for i in range(1, 8)]
    counters = adapter.counters
    assert counters.calls == 1
    assert counters.attempts == len(chunks) + 1  # the last attempt finds the end


async def test_a_failed_chunk_ends_the_stream_and_counts_against_the_breaker() -> None:
    adapter, erp, _ = wrap(
        read_attempts=3, breaker_window=2, breaker_min_calls=1, breaker_failure_ratio=0.5
    )
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("connection refused")
    with pytest.raises(errors.Unavailable):
        async for _ in adapter.stream_customers(EVERYONE):
            pass
    assert adapter.counters.failures == 1
    assert adapter.counters.retries == 0, "a stream that raised cannot resume"
    assert adapter.state is BreakerState.OPEN
    with pytest.raises(errors.Unavailable):
        async for _ in adapter.stream_customers(EVERYONE):
            pass
    assert erp.calls["list_customers"] == 1, "the open breaker refused without asking"
