"""What the wrapper tells its observer of each port call, and the counts behind the figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from system_apis.contracts import errors
from system_apis.resilience import BreakerState
from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.breaker import CircuitOpen
from system_apis.resilience.observer import ERROR_KINDS, error_kind
from system_apis.resilience.policy import ResiliencePolicy
from tests.unit.resilience.support import DRAFT, EVERYONE, FIRST, FakeClock, GatedErp, fail_times


@dataclass
class Seen:
    """An observer that keeps what it is told."""

    calls: list[tuple[str, str, str | None]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def erp_call(self, connection: str, method: str, seconds: float, error: str | None) -> None:
        self.calls.append((connection, method, error))
        self.seconds.append(seconds)


def observed(**policy: object) -> tuple[ResilientAdapter, GatedErp, Seen]:
    erp, clock, seen = GatedErp(), FakeClock(), Seen()
    adapter = ResilientAdapter(
        erp,
        ResiliencePolicy.model_validate(policy),
        clock=clock,
        sleep=clock.sleep,
        observer=seen,
    )
    return adapter, erp, seen


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (CircuitOpen("open"), "circuit_open"),
        (errors.Throttled("429"), "throttled"),
        (errors.UnknownOutcome("lost"), "unknown_outcome"),
        (errors.Unavailable("down"), "unavailable"),
        (errors.NotFound("gone"), "not_found"),
        (errors.InsufficientStock("short"), "rejected"),
        (errors.ValidationRejected("bad"), "rejected"),
        (errors.Conflict("etag"), "conflict"),
        (errors.NotSupported("no"), "not_supported"),
        (errors.AuthenticationFailed("who"), "authentication"),
        (RuntimeError("bug"), "other"),
    ],
)
def test_each_error_has_its_kind(error: Exception, kind: str) -> None:
    assert error_kind(error) == kind
    assert kind in ERROR_KINDS


async def test_a_call_is_told_once_with_its_retries_inside() -> None:
    adapter, erp, seen = observed(read_attempts=3)
    fail_times(erp, "list_customers", 2, lambda: errors.Unavailable("refused"))
    await adapter.list_customers(EVERYONE, FIRST)
    assert seen.calls == [("EU01", "list_customers", None)]
    counters = adapter.counters
    assert (counters.calls, counters.attempts, counters.retries) == (1, 3, 2)
    assert seen.seconds[0] >= counters.attempt_seconds


async def test_failed_calls_are_told_with_the_kind_the_caller_got() -> None:
    adapter, erp, seen = observed(read_attempts=2, write_attempts=1)
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("refused")
    erp.fail_with["create_sales_order"] = lambda: errors.ValidationRejected("no such plant")
    with pytest.raises(errors.Unavailable):
        await adapter.list_customers(EVERYONE, FIRST)
    with pytest.raises(errors.ValidationRejected):
        await adapter.create_sales_order(DRAFT)
    assert seen.calls == [
        ("EU01", "list_customers", "unavailable"),
        ("EU01", "create_sales_order", "rejected"),
    ]
    assert adapter.counters.calls == 2


async def test_a_refusal_of_the_open_breaker_is_told_as_circuit_open() -> None:
    adapter, erp, seen = observed(
        read_attempts=1, breaker_min_calls=1, breaker_window=1, breaker_failure_ratio=0.5
    )
    erp.fail_with["list_customers"] = lambda: errors.Unavailable("refused")
    with pytest.raises(errors.Unavailable):
        await adapter.list_customers(EVERYONE, FIRST)
    assert adapter.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        await adapter.list_customers(EVERYONE, FIRST)
    assert [kind for _, _, kind in seen.calls] == ["unavailable", "circuit_open"]
