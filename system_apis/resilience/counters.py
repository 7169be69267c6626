"""``ResilienceCounters``: what the wrapper of one connection did, for metrics and tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ResilienceCounters:
    """Counts since the wrapper was built; read a snapshot from ``ResilientAdapter.counters``."""

    calls: int = 0
    """Port calls made to the wrapper."""
    attempts: int = 0
    """Calls passed to the inner adapter, retries included."""
    failures: int = 0
    """Attempts that ended in an Unavailable-family error (timeouts included)."""
    timeouts: int = 0
    """Attempts cut by the policy's timeout."""
    retries: int = 0
    throttled_waits: int = 0
    """Retries that waited for the ERP's Retry-After."""
    quota_wait_seconds: float = 0.0
    """Time attempts waited for a concurrency slot or the request rate of the connection."""
    rejected_by_breaker: int = 0
    """Attempts refused by the open (or busy half-open) breaker without calling the ERP."""
    stale_reads: int = 0
    """Reads answered from the last-known-good cache."""
    attempt_seconds: float = 0.0
    """Time spent in the inner adapter's calls (every attempt, failed ones included)."""

    @property
    def error_rate(self) -> float | None:
        """Failed attempts per attempt; None before the first attempt."""
        return self.failures / self.attempts if self.attempts else None

    @property
    def mean_latency(self) -> float | None:
        """Seconds per attempt on average; None before the first attempt."""
        return self.attempt_seconds / self.attempts if self.attempts else None
