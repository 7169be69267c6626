"""``ResiliencePolicy``: how one ERP connection is guarded (timeouts, retries, breaker, quota).

One policy per connection, exposed in settings; every field has a default that is safe for an
unknown ERP, so a connection without configuration is still guarded.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

ListMethod = Literal[
    "list_customers",
    "list_products",
    "list_inventory",
    "list_sales_orders",
    "list_deliveries",
    "list_invoices",
]
"""The port's list reads, the only calls the last-known-good cache can answer."""


class ResiliencePolicy(BaseModel):
    """Timeouts, retries, circuit breaker, client-side quota and degraded reads of a connection.

    Times are in seconds. ``None`` for ``requests_per_second`` or ``max_concurrency`` means no
    client-side limit of that kind.

    ``stale_reads`` names the list reads that may be answered from the last-known-good cache
    while the circuit is open (marked in ``Page.stale_for``). It is
    empty by default: a caller that cannot tell a stale page from a fresh one could act on it.
    Reads that guard a write (orders by external reference, deliveries and invoices of an
    order) should stay out of it, or a stale "nothing there yet" could cause a duplicate.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timeout: float = Field(default=30.0, gt=0)
    """Bound on one port call to the ERP (one attempt); waiting for a quota slot excluded."""

    read_attempts: int = Field(default=3, ge=1, le=10)
    """Attempts of a read, the first included; retried on any Unavailable but UnknownOutcome."""
    write_attempts: int = Field(default=3, ge=1, le=10)
    """Attempts of a write; retried only on failures that prove the ERP received nothing."""
    backoff_base: float = Field(default=0.2, gt=0)
    """Upper bound of the first retry's random wait; it doubles on each retry (full jitter)."""
    backoff_cap: float = Field(default=5.0, gt=0)
    """Upper bound of any retry's random wait."""
    max_retry_after: float = Field(default=10.0, ge=0)
    """Longest ``Retry-After`` the wrapper waits for; a longer one ends the retries at once."""

    breaker_window: int = Field(default=20, ge=1, le=1000)
    """Number of most recent completed calls whose failure ratio decides the breaker."""
    breaker_min_calls: int = Field(default=10, ge=1)
    """Calls the window must hold before the ratio may open the breaker."""
    breaker_failure_ratio: float = Field(default=0.5, ge=0, lt=1)
    """The breaker opens when the window's failure ratio exceeds this."""
    breaker_open_seconds: float = Field(default=30.0, gt=0)
    """How long an open breaker fails calls fast before it lets probes through."""
    breaker_half_open_probes: int = Field(default=1, ge=1)
    """Probe calls a half-open breaker admits; all must succeed to close it."""

    requests_per_second: float | None = Field(default=None, gt=0)
    """Client-side quota of calls to the ERP, retries included."""
    burst: int | None = Field(default=None, ge=1)
    """Calls allowed back to back after an idle spell; default one second's worth (at least 1)."""
    max_concurrency: int | None = Field(default=10, ge=1)
    """Calls to the ERP in flight at once on this connection."""

    stale_reads: frozenset[ListMethod] = frozenset()
    stale_max_age: float = Field(default=900.0, gt=0)
    """Oldest cached page served while the circuit is open."""
    stale_cache_size: int = Field(default=256, ge=1)
    """Pages kept for degraded reads (least recently stored dropped first)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.breaker_min_calls > self.breaker_window:
            raise ValueError("breaker_min_calls cannot exceed breaker_window")
        if self.backoff_base > self.backoff_cap:
            raise ValueError("backoff_base cannot exceed backoff_cap")
        return self
