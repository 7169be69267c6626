"""Degraded reads never keep credit limits: a customer page read with them is kept without."""

from __future__ import annotations

import pytest

from system_apis.contracts import errors
from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.queries import CustomerFilter
from system_apis.resilience import staleness
from tests.unit.resilience.support import EVERYONE, FIRST, wrap

pytestmark = pytest.mark.unit

WITH_CREDIT = CustomerFilter(details=frozenset({CustomerDetail.CREDIT_LIMIT}))
OPEN_AFTER_ONE_FAILURE = {
    "read_attempts": 1,
    "breaker_min_calls": 1,
    "breaker_failure_ratio": 0,
    "breaker_open_seconds": 30,
}


async def test_a_page_read_with_credit_limits_is_kept_and_served_without_them() -> None:
    adapter, erp, _ = wrap(**OPEN_AFTER_ONE_FAILURE, stale_reads={"list_customers"})
    erp.set_credit_limit("001", "150000.00")
    fresh = await adapter.list_customers(WITH_CREDIT, FIRST)
    assert fresh.items[0].credit_limit is not None  # the live answer carries the limit
    kept = [entry.page for entry in adapter._pages._entries.values()]
    assert len(kept) == 1
    assert all(c.credit_limit is None for page in kept for c in page.items)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("down")
    for asked in (WITH_CREDIT, EVERYONE):
        stale = await adapter.list_customers(asked, FIRST)
        assert staleness(stale) is not None
        assert [c.id for c in stale.items] == [c.id for c in fresh.items]
        assert all(c.credit_limit is None for c in stale.items)
