"""Resilience around any ERP adapter: timeouts, retries, circuit breaker, quota, stale reads.

The composition root wraps each connection's adapter once::

    adapter = ResilientAdapter(SapAdapter(...), settings.connection("EU01").resilience)

The wrapper is itself an :class:`~system_apis.contracts.port.ErpAdapter`, so nothing above
the system layer knows it is there; a caller that wants to know whether a page came from the
last-known-good cache checks :func:`staleness`.
"""

from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.breaker import BreakerState, CircuitBreaker, CircuitOpen
from system_apis.resilience.counters import ResilienceCounters
from system_apis.resilience.policy import ListMethod, ResiliencePolicy
from system_apis.resilience.stale import staleness

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "ListMethod",
    "ResilienceCounters",
    "ResiliencePolicy",
    "ResilientAdapter",
    "staleness",
]
