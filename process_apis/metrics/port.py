"""The hooks flows call to be measured; :class:`~.metrics.GatewayMetrics` implements them.

Flows take an optional observer and call it once an outcome is known; nothing here knows
a metrics library, so a flow's tests can pass the real metrics or none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from process_apis.errors import ErpUnavailable, FlowError
from process_apis.quarantine.errors import OrderPending, OrderQuarantined

ERP_TO_EVENT = "erp_to_event"
"""Data latency path: a change in the ERP (at the time the ERP gives it) to its event
published by the outbox relay."""
INBOUND_TO_ERP = "inbound_to_erp"
"""Data latency path: an inbound event received by the gateway to posted in the ERP."""


class FlowObserver(Protocol):
    """Volumes, failures and data latency of the process flows."""

    def flow_finished(self, flow: str, connection: str, outcome: str) -> None:
        """One run of ``flow`` on ``connection`` ended with ``outcome``."""

    def data_latency(self, path: str, type: str, connection: str, seconds: float) -> None:
        """Data of ``type`` took ``seconds`` along ``path`` (:data:`ERP_TO_EVENT`,
        :data:`INBOUND_TO_ERP`)."""


class InterventionObserver(Protocol):
    """What people do to the quarantine."""

    def intervention(self, action: str, outcome: str) -> None:
        """``action`` (edit, replay, discard) on a record ended with ``outcome``."""


def flow_outcome(exc: BaseException | None) -> str:
    """How a flow step that raised ``exc`` (None: returned) ended, as a metrics label."""
    if exc is None:
        return "ok"
    if isinstance(exc, OrderPending):
        return "pending"
    if isinstance(exc, OrderQuarantined):
        return "quarantined"
    if isinstance(exc, ErpUnavailable):
        return "erp_unavailable"
    if isinstance(exc, FlowError):
        return "rejected"
    return "error"


@contextmanager
def observed(observer: FlowObserver | None, flow: str, connection: str) -> Iterator[None]:
    """Tells ``observer`` how the flow step run in the block ended; a cancelled one is not
    counted (it says nothing about the flow)."""
    if observer is None:
        yield
        return
    try:
        yield
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        observer.flow_finished(flow, connection, flow_outcome(exc))
        raise
    observer.flow_finished(flow, connection, flow_outcome(None))
