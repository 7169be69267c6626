"""Degraded reads never keep customers read with their credit limits."""

from __future__ import annotations

import pytest

from system_apis.contracts import errors
from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.queries import CustomerFilter
from system_apis.resilience import CircuitOpen, staleness
from tests.unit.resilience.support import EVERYONE, FIRST, wrap

pytestmark = pytest.mark.unit

WITH_CREDIT = CustomerFilter(details=frozenset({CustomerDetail.CREDIT_LIMIT}))
OPEN_AFTER_ONE_FAILURE = {
    "read_attempts": 1,
    "breaker_min_calls": 1,
    "breaker_failure_ratio": 0,
    "breaker_open_seconds": 30,
}


async def test_a_credit_read_is_never_kept_nor_served_stale() -> None:
    adapter, erp, _ = wrap(**OPEN_AFTER_ONE_FAILURE, stale_reads={"list_customers"})
    erp.set_credit_limit("001", "150000.00")
    fresh = await adapter.list_customers(WITH_CREDIT, FIRST)
    assert fresh.items[0].credit_limit is not None
    assert len(adapter._pages) == 0
    plain = await adapter.list_customers(EVERYONE, FIRST)
    assert len(adapter._pages) == 1
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    with pytest.raises(errors.Unavailable):
        await adapter.list_customers(WITH_CREDIT, FIRST)
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(WITH_CREDIT, FIRST)
    stale = await adapter.list_customers(EVERYONE, FIRST)
    assert staleness(stale) is not None
    assert stale.items == plain.items
    assert all(c.credit_limit is None for c in stale.items)
