"""The fault injector of a sandbox: the active plan, its counters and the per-request decision.

``sandbox.faults`` is a :class:`FaultInjector`. :meth:`~FaultInjector.set` replaces the plan,
:meth:`~FaultInjector.add` appends rules to it, :meth:`~FaultInjector.clear` removes every rule;
``set`` and ``clear`` also start the counters and the random draws afresh (from the plan's
seed). :meth:`~FaultInjector.decide` is called once per API request by the fault layer; it is
thread-safe, so a plan may be changed from a test thread while a server thread serves requests.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from erp_sandbox.faults.plan import KINDS, TERMINAL, Fault, FaultPlan


@dataclass(frozen=True)
class RequestInfo:
    """What the fault rules look at in a request."""

    target: str
    """The decoded path, with ``?`` and the decoded query string when there is one."""
    write: bool
    """POST, PUT, PATCH, MERGE or DELETE."""
    csrf_fetch: bool
    """A GET or HEAD asking for a CSRF token (``X-CSRF-Token: Fetch``)."""


@dataclass(frozen=True)
class Decision:
    """What happens to one request: an optional delay, then normal handling or a fault."""

    delay_ms: int = 0
    fault: Fault | None = None
    """The rule deciding the answer (never a ``slow`` one), or None to handle normally."""
    status: int = 0
    """For an ``error_burst``: the status of this injection."""


@dataclass
class _Rule:
    fault: Fault
    injected: int = 0
    ended: bool = False

    def matches(self, request: RequestInfo) -> bool:
        fault = self.fault
        if fault.kind == "reset_after_write" and not request.write:
            return False
        if fault.scope == "reads" and request.write:
            return False
        if fault.scope == "writes" and not request.write:
            return False
        if request.csrf_fetch and not fault.csrf_fetch:
            return False
        return fault.path is None or fault.path in request.target

    def remaining(self) -> int | None:
        count = self.fault.count
        if count is None:
            return 0 if self.ended else None
        return 0 if self.ended else count - self.injected


class FaultInjector:
    """The active fault plan of a sandbox and what it injected so far."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = 0
        self._rules: list[_Rule] = []
        self._random = random.Random(0)
        self._seen = 0
        self._injected = dict.fromkeys(KINDS, 0)
        self.set(plan or FaultPlan())

    @property
    def plan(self) -> FaultPlan:
        """The active plan (rules added with :meth:`add` included)."""
        with self._lock:
            return FaultPlan(tuple(rule.fault for rule in self._rules), self._seed)

    def set(self, plan: FaultPlan) -> None:
        """Replace the plan; counters and random draws start afresh."""
        with self._lock:
            self._seed = plan.seed
            self._rules = [_Rule(fault) for fault in plan.faults]
            self._random = random.Random(plan.seed)
            self._seen = 0
            self._injected = dict.fromkeys(KINDS, 0)

    def add(self, *faults: Fault) -> None:
        """Append rules to the plan, keeping counters and random state."""
        with self._lock:
            self._rules.extend(_Rule(fault) for fault in faults)

    def end(self, fault: Fault) -> None:
        """Stop the rules of ``fault`` (an outage that is over), keeping what they injected."""
        with self._lock:
            for rule in self._rules:
                if rule.fault == fault:
                    rule.ended = True

    def clear(self) -> None:
        """No faults any more; counters start afresh."""
        self.set(FaultPlan())

    def stats(self) -> dict[str, Any]:
        """Requests seen since the plan was set, faults injected per kind and per rule."""
        with self._lock:
            return {
                "requests_seen": self._seen,
                "injected": dict(self._injected),
                "faults": [
                    {
                        "kind": rule.fault.kind,
                        "injected": rule.injected,
                        "remaining": rule.remaining(),
                    }
                    for rule in self._rules
                ],
            }

    def describe(self) -> dict[str, Any]:
        """The plan and the counters, as the admin endpoint answers them."""
        return {"plan": self.plan.to_json(), "stats": self.stats()}

    def _fires(self, rule: _Rule, request: RequestInfo) -> bool:
        if not rule.matches(request):
            return False
        remaining = rule.remaining()
        if remaining is not None and remaining <= 0:
            return False
        probability = rule.fault.probability
        return probability is None or self._random.random() < probability

    def decide(self, request: RequestInfo) -> Decision:
        """Count the request and decide its fate (counting every fault it injects)."""
        delay = 0
        with self._lock:
            self._seen += 1
            for rule in self._rules:
                if not self._fires(rule, request):
                    continue
                ordinal = rule.injected
                rule.injected += 1
                fault = rule.fault
                self._injected[fault.kind] += 1
                if fault.kind in TERMINAL:
                    status = fault.status_for(ordinal) if fault.kind == "error_burst" else 0
                    return Decision(delay, fault, status)
                delay += fault.delay_ms
        return Decision(delay)
