"""When a failed delivery is tried again: the backoff schedule and ``Retry-After``."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SCHEDULE: tuple[float, ...] = (5, 30, 120, 600, 1800, 3600, 10800)
"""Seconds before the 2nd, 3rd, ... attempt: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h."""


@dataclass(frozen=True)
class RetryPolicy:
    """``schedule[n-1]`` seconds pass between attempt n and n+1 (the last entry repeats
    when ``max_attempts`` exceeds the schedule), spread by ``jitter`` (0.1 = ±10 %) so that
    the deliveries of one outage do not all come back at the same second.

    A ``Retry-After`` the receiver sends with 429 or 503 replaces the schedule's delay for
    that retry, up to ``max_retry_after`` seconds.
    """

    schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    max_attempts: int = len(DEFAULT_SCHEDULE) + 1
    jitter: float = 0.1
    max_retry_after: float = 3600.0
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.schedule or any(s < 0 for s in self.schedule):
            raise ValueError("the backoff schedule needs at least one delay, none negative")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def exhausted(self, attempts: int) -> bool:
        """True when ``attempts`` tries were made and no further one is allowed."""
        return attempts >= self.max_attempts

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed try."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        base = self.schedule[min(attempts, len(self.schedule)) - 1]
        spread = base * self.jitter
        return max(0.0, base - spread + 2 * spread * self.random())


def retry_after_applies(status_code: int | None) -> bool:
    return status_code in (429, 503)
