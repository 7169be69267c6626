"""Which failures are retried, and how long to wait before the next attempt.

Reads are retried on every :class:`Unavailable` except :class:`UnknownOutcome` (never raised by
a read, but a wrapper must not bet on that). Writes are retried only when the failure proves the
ERP received nothing or refused to act: a plain :class:`Unavailable` (the adapters raise it for
connection errors before sending and for a 5xx the ERP answered itself) or :class:`Throttled`.
An :class:`UnknownOutcome` is never retried here: the write may have happened, and only a
lookup by the order's external reference (done by the process layer) can tell.

Waits are full-jitter exponential backoff (tenacity's ``wait_random_exponential``: uniform in
``[0, min(cap, base * 2**retry)]``), raised to the ERP's ``Retry-After`` when it gave one. A
``Retry-After`` longer than the policy's ``max_retry_after`` ends the retries at once: waiting
less than the ERP asked would only earn another refusal, waiting longer would hold the caller
past any sensible deadline; the error (with its ``retry_after``) goes to the caller instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from system_apis.contracts.errors import Throttled, Unavailable, UnknownOutcome
from system_apis.resilience.breaker import CircuitOpen
from system_apis.resilience.policy import ResiliencePolicy

Sleep = Callable[[float], Awaitable[None]]


def retryable_read(exc: BaseException) -> bool:
    """Whether a read that failed with ``exc`` may be tried again."""
    return isinstance(exc, Unavailable) and not isinstance(exc, UnknownOutcome | CircuitOpen)


def retryable_write(exc: BaseException) -> bool:
    """Whether a write that failed with ``exc`` may be sent again (see the module doc)."""
    if isinstance(exc, Throttled):
        return True
    return type(exc) is Unavailable


def retry_after(exc: BaseException | None) -> float | None:
    """The wait the ERP asked for with this error, if any."""
    return exc.retry_after if isinstance(exc, Unavailable) else None


class _HonouredWait:
    """Full-jitter backoff, but never shorter than the ERP's ``Retry-After``."""

    def __init__(self, policy: ResiliencePolicy) -> None:
        self._jitter = wait_random_exponential(
            multiplier=policy.backoff_base, max=policy.backoff_cap
        )

    def __call__(self, state: RetryCallState) -> float:
        delay = float(self._jitter(state))
        asked = retry_after(state.outcome.exception() if state.outcome else None)
        return delay if asked is None else max(delay, asked)


class _AskedTooLong(stop_base):
    """Stops when the ERP asked for a longer wait than the policy allows."""

    def __init__(self, limit: float) -> None:
        self._limit = limit

    def __call__(self, retry_state: RetryCallState) -> bool:
        asked = retry_after(retry_state.outcome.exception() if retry_state.outcome else None)
        return asked is not None and asked > self._limit


class _WhenTrue(stop_base):
    """Stops when ``condition`` holds, whatever the outcome."""

    def __init__(self, condition: Callable[[], bool]) -> None:
        self._condition = condition

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._condition()


def retrying(
    policy: ResiliencePolicy,
    *,
    write: bool,
    sleep: Sleep,
    before_sleep: Callable[[RetryCallState], None],
    give_up: Callable[[], bool],
) -> AsyncRetrying:
    """The retry loop of one call; the last error is re-raised as it is when attempts run out.

    ``give_up`` ends the retries early (the breaker opened: the next attempt would be refused,
    so waiting for it is pointless).
    """
    attempts = policy.write_attempts if write else policy.read_attempts
    return AsyncRetrying(
        sleep=sleep,
        stop=(
            stop_after_attempt(attempts)
            | _AskedTooLong(policy.max_retry_after)
            | _WhenTrue(give_up)
        ),
        wait=_HonouredWait(policy),
        retry=retry_if_exception(retryable_write if write else retryable_read),
        before_sleep=before_sleep,
        reraise=True,
    )
