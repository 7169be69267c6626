"""A circuit breaker that opens on the failure *ratio* of the last calls of one connection.

Closed, it records the outcome of each completed call in a window of the last ``window``
calls; once the window holds ``min_calls`` and its failure ratio exceeds ``failure_ratio`` it
opens. Open, it refuses calls for ``open_seconds`` with :class:`CircuitOpen`. Then it is
half-open: ``probes`` calls go through; one failure opens it again, ``probes`` successes close
it with an empty window.

The maintained Python breakers (pybreaker, circuitbreaker, purgatory, aiobreaker) count
consecutive failures only; one slow-but-alive ERP that fails every other call would never trip
them, and one that fails three calls in a row out of thousands would. Hence this small one,
with an injectable clock so tests need no sleeping.

A caller holds a :class:`Permit` from :meth:`CircuitBreaker.admit` to its outcome. Permits
carry the breaker's *epoch* (bumped on every state change), so the outcome of a call admitted
before the breaker changed state is ignored rather than counted against the new state, and
:meth:`CircuitBreaker.confirm` can refuse a call that waited for a quota slot while the breaker
opened.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from system_apis.contracts.errors import Unavailable


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Unavailable):
    """Refused without calling the ERP: the connection's breaker is open.

    Still an :class:`Unavailable` for callers; its own type tells the wrapper not to retry.
    """


@dataclass(frozen=True)
class Permit:
    """Leave to make one call; hand it back with the outcome."""

    epoch: int
    probe: bool


class CircuitBreaker:
    """Failure-ratio breaker of one connection (see the module doc)."""

    def __init__(
        self,
        connection: str,
        *,
        window: int,
        min_calls: int,
        failure_ratio: float,
        open_seconds: float,
        probes: int,
        busy_retry_after: float,
        clock: Callable[[], float],
    ) -> None:
        self._connection = connection
        self._min_calls = min_calls
        self._failure_ratio = failure_ratio
        self._open_seconds = open_seconds
        self._probes = probes
        # Hint given while half-open probes are running: they end within one call timeout.
        self._busy_retry_after = busy_retry_after
        self._clock = clock
        self._window: deque[bool] = deque(maxlen=window)
        self._state = BreakerState.CLOSED
        self._epoch = 0
        self._opened_at = 0.0
        self._probes_out = 0
        self._probes_passed = 0

    @property
    def state(self) -> BreakerState:
        self._expire()
        return self._state

    @property
    def failure_ratio(self) -> float:
        """Failure ratio of the current window (0 when empty)."""
        return sum(self._window) / len(self._window) if self._window else 0.0

    def admit(self) -> Permit:
        """Leave for one call, or :class:`CircuitOpen` when the breaker refuses it."""
        self._expire()
        if self._state is BreakerState.CLOSED:
            return Permit(self._epoch, probe=False)
        if self._state is BreakerState.HALF_OPEN and self._probes_out + self._probes_passed < (
            self._probes
        ):
            self._probes_out += 1
            return Permit(self._epoch, probe=True)
        raise self._refusal()

    def confirm(self, permit: Permit) -> None:
        """Refuses a permit whose epoch is over (the breaker changed state since admission)."""
        self._expire()
        if permit.epoch != self._epoch:
            raise self._refusal()

    def record(self, permit: Permit, *, failed: bool) -> None:
        """The outcome of a call made under ``permit``."""
        self._expire()
        if permit.epoch != self._epoch:
            return
        if self._state is BreakerState.HALF_OPEN:
            self._probes_out -= 1
            if failed:
                self._open()
            else:
                self._probes_passed += 1
                if self._probes_passed >= self._probes:
                    self._transition(BreakerState.CLOSED)
            return
        self._window.append(failed)
        if len(self._window) >= self._min_calls and self.failure_ratio > self._failure_ratio:
            self._open()

    def release(self, permit: Permit) -> None:
        """The call ended without an outcome that says anything about the ERP (cancelled)."""
        if permit.probe and permit.epoch == self._epoch:
            self._probes_out -= 1

    def _refusal(self) -> CircuitOpen:
        if self._state is BreakerState.OPEN:
            retry_after = max(0.0, self._opened_at + self._open_seconds - self._clock())
        else:
            retry_after = self._busy_retry_after
        return CircuitOpen(
            f"circuit open for {self._connection}",
            connection=self._connection,
            retry_after=retry_after,
        )

    def _open(self) -> None:
        self._transition(BreakerState.OPEN)
        self._opened_at = self._clock()

    def _expire(self) -> None:
        """Open turns half-open once its time is up; evaluated lazily on each use."""
        if (
            self._state is BreakerState.OPEN
            and self._clock() >= self._opened_at + self._open_seconds
        ):
            self._transition(BreakerState.HALF_OPEN)

    def _transition(self, state: BreakerState) -> None:
        self._state = state
        self._epoch += 1
        self._window.clear()
        self._probes_out = 0
        self._probes_passed = 0
