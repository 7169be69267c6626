"""When the gateway retries a request the ERP could not take *for now*, and until when.

A write refused because the ERP is unavailable, throttled, behind an open circuit breaker, or
whose answer was lost, is kept as a *pending* quarantine record and retried by the gateway on
its own (:mod:`process_apis.quarantine.retrier`): each retry looks for what an earlier attempt
may have written before it writes, so retrying cannot duplicate. Retries back off exponentially
with jitter, never sooner than the ERP's ``Retry-After``, until the request succeeds, fails for
a reason a person must judge, or outlives ``deadline``: then it goes to review.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from process_apis.errors import ErpUnavailable, FlowError
from process_apis.quarantine.errors import OrderQuarantined


def retry_later(exc: FlowError) -> bool:
    """Whether ``exc`` says the ERP could not take the request for now (so retrying may help).

    Refusals of the request itself (invalid, not found, out of stock, wrong state, conflicts)
    need a person; an ERP that is down, throttling or whose answer was lost does not.
    """
    return isinstance(exc, ErpUnavailable) and not isinstance(exc, OrderQuarantined)


@dataclass(frozen=True)
class RetrySchedule:
    """Backoff of automatic retries: ``base`` doubling per attempt up to ``cap`` (seconds,
    full jitter above half), and the ``deadline`` after which the request goes to review."""

    base: float = 2.0
    cap: float = 300.0
    deadline: dt.timedelta = dt.timedelta(hours=24)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base:
            raise ValueError("a retry schedule needs 0 < base <= cap")
        if self.deadline <= dt.timedelta(0):
            raise ValueError("a retry schedule needs a positive deadline")

    def next_retry(
        self, attempts: int, now: dt.datetime, retry_after: float | None = None
    ) -> dt.datetime:
        """When to try again after ``attempts`` failed attempts (the ERP's wait honoured)."""
        ceiling = min(self.cap, self.base * 2 ** min(max(attempts - 1, 0), 30))
        delay = self.rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return now + dt.timedelta(seconds=delay)

    def expired(self, created_at: dt.datetime, now: dt.datetime) -> bool:
        """Whether a request kept since ``created_at`` has run past the deadline."""
        return now - created_at >= self.deadline
