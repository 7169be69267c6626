"""Fault plans of the sandboxes: which requests misbehave, and how.

A :class:`FaultPlan` is a seed and an ordered list of :class:`Fault` rules. Each rule has a kind,
a scope saying which API requests it matches, and a trigger: a ``probability`` (drawn from the
plan's seeded ``random.Random``, so a plan replays identically for the same request sequence), a
``count`` (the next K matching requests), both (each matching request with that probability,
at most K times), or neither (every matching request).

Kinds:

* ``down``: ``503`` with the ERP's error body (``Retry-After: retry_after`` when set); with
  ``disconnect`` the connection is dropped without an answer instead.
* ``slow``: wait ``delay_ms`` before handling the request normally.
* ``error_burst``: answer ``statuses`` in turn (default 500, 502, 503) with the ERP's error bodies;
  with ``count=K`` the next K matching requests fail.
* ``throttle``: ``429`` with ``Retry-After: retry_after`` (1 when unset).
* ``reset_after_write``: the write is processed and committed, then its answer (whatever it
  was) is lost: the connection is dropped. Only writes match this kind, whatever the scope.
* ``malformed``: ``200`` whose body is truncated JSON (``body="truncated"``) or an HTML page
  (``body="html"``); the request is not processed.

Scopes: ``all``, ``reads`` (GET, HEAD) or ``writes`` (POST, PUT, PATCH, MERGE, DELETE, function
imports included), narrowed by ``path`` (a substring of the decoded path and query string) and
by ``csrf_fetch`` (False leaves ``X-CSRF-Token: Fetch`` requests alone). Faults are decided
before authentication and before the request is processed, like an outage in front of the ERP.
Each sandbox answers a fault in its own ERP's shape (for SAP, :mod:`erp_sandbox.sap.fault_layer`).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

FaultKind = Literal["down", "slow", "error_burst", "throttle", "reset_after_write", "malformed"]
FaultScope = Literal["all", "reads", "writes"]
MalformedBody = Literal["truncated", "html"]

KINDS: tuple[str, ...] = get_args(FaultKind)
"""Every fault kind, in the order the statistics list them."""

SCOPES: tuple[str, ...] = get_args(FaultScope)
BODIES: tuple[str, ...] = get_args(MalformedBody)
TERMINAL = frozenset(KINDS) - {"slow"}
"""Kinds that decide the outcome of a request (``slow`` only delays it)."""


class FaultPlanError(ValueError):
    """A fault or plan with invalid or unknown fields."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise FaultPlanError(message)


@dataclass(frozen=True)
class Fault:
    """One rule of a fault plan (see the module documentation for the kinds and scopes)."""

    kind: FaultKind
    scope: FaultScope = "all"
    path: str | None = None
    csrf_fetch: bool = True
    probability: float | None = None
    count: int | None = None
    delay_ms: int = 0
    statuses: tuple[int, ...] = (500, 502, 503)
    retry_after: int | None = None
    disconnect: bool = False
    body: MalformedBody = "truncated"

    def __post_init__(self) -> None:
        _check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}")
        _check(self.scope in SCOPES, f"scope must be one of {', '.join(SCOPES)}")
        _check(self.path is None or isinstance(self.path, str), "path must be a string")
        _check(isinstance(self.csrf_fetch, bool), "csrf_fetch must be true or false")
        probability = self.probability
        _check(
            probability is None
            or (isinstance(probability, int | float) and not isinstance(probability, bool)),
            "probability must be a number",
        )
        _check(probability is None or 0 <= probability <= 1, "probability must be in [0, 1]")
        _check(
            self.count is None or (_is_int(self.count) and self.count >= 1),
            "count must be an integer >= 1",
        )
        _check(_is_int(self.delay_ms) and self.delay_ms >= 0, "delay_ms must be an integer >= 0")
        _check(self.kind != "slow" or self.delay_ms > 0, "a slow fault needs delay_ms > 0")
        statuses = self.statuses
        if isinstance(statuses, list):
            statuses = tuple(statuses)
            object.__setattr__(self, "statuses", statuses)
        _check(
            isinstance(statuses, tuple)
            and bool(statuses)
            and all(_is_int(status) and 500 <= status <= 599 for status in statuses),
            "statuses must be a non-empty list of 5xx codes",
        )
        _check(
            self.retry_after is None or (_is_int(self.retry_after) and self.retry_after >= 0),
            "retry_after must be an integer >= 0 (seconds)",
        )
        _check(isinstance(self.disconnect, bool), "disconnect must be true or false")
        _check(self.body in BODIES, f"body must be one of {', '.join(BODIES)}")

    def status_for(self, ordinal: int) -> int:
        """The status of the ``ordinal``-th (0-based) injection of an ``error_burst``."""
        return self.statuses[ordinal % len(self.statuses)]

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON (the shape :meth:`from_json` reads)."""
        document = asdict(self)
        document["statuses"] = list(self.statuses)
        return document

    @classmethod
    def from_json(cls, document: Any) -> Fault:
        """The rule of a JSON object; :class:`FaultPlanError` when it is not a valid one."""
        _check(isinstance(document, dict), "a fault must be a JSON object")
        _check("kind" in document, "a fault needs a kind")
        unknown = sorted(set(document) - {item.name for item in fields(cls)})
        _check(not unknown, f"unknown fault fields: {', '.join(map(str, unknown))}")
        values = dict(document)
        if "statuses" in values:
            _check(isinstance(values["statuses"], list), "statuses must be a list")
            values["statuses"] = tuple(values["statuses"])
        return cls(**values)


@dataclass(frozen=True)
class FaultPlan:
    """The faults of a sandbox: rules evaluated in order, and the seed of their random draws.

    For each request, the matching rules are tried in order: a ``slow`` rule that fires adds
    its delay and the evaluation goes on; the first other rule that fires decides the answer
    and ends the evaluation (later rules are neither counted nor drawn for).
    """

    faults: tuple[Fault, ...] = field(default=())
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.faults, list):
            object.__setattr__(self, "faults", tuple(self.faults))
        _check(
            isinstance(self.faults, tuple) and all(isinstance(f, Fault) for f in self.faults),
            "faults must be a list of Fault",
        )
        _check(_is_int(self.seed), "seed must be an integer")

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON: ``{"seed": ..., "faults": [...]}``."""
        return {"seed": self.seed, "faults": [fault.to_json() for fault in self.faults]}

    @classmethod
    def from_json(cls, document: Any) -> FaultPlan:
        """The plan of a JSON object; :class:`FaultPlanError` when it is not a valid one."""
        _check(isinstance(document, dict), "a fault plan must be a JSON object")
        unknown = sorted(set(document) - {"seed", "faults"})
        _check(not unknown, f"unknown fault plan fields: {', '.join(map(str, unknown))}")
        faults = document.get("faults", [])
        _check(isinstance(faults, list), "faults must be a list")
        rules = tuple(Fault.from_json(item) for item in faults)
        return cls(rules, document.get("seed", 0))


def fault_plan_argument(value: str) -> FaultPlan:
    """A plan from JSON text, or from the JSON file named after ``@``."""
    try:
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
        return FaultPlan.from_json(json.loads(text))
    except (OSError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"invalid fault plan: {error}") from error
