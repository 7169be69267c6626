"""Fault injection shared by every ERP sandbox: plans (:mod:`~erp_sandbox.faults.plan`), the
injector deciding each request's fate (:mod:`~erp_sandbox.faults.injector`) and the wire
pieces of a fault layer (:mod:`~erp_sandbox.faults.wire`). Each sandbox writes its own fault
layer, answering in its ERP's error shape."""

from erp_sandbox.faults.injector import Decision, FaultInjector, RequestInfo
from erp_sandbox.faults.plan import (
    KINDS,
    Fault,
    FaultKind,
    FaultPlan,
    FaultPlanError,
    FaultScope,
    fault_plan_argument,
)
from erp_sandbox.faults.wire import (
    FAULT_HEADER,
    TRUNCATED_JSON,
    ConnectionDropped,
    describe,
    drop_connection,
)

__all__ = [
    "FAULT_HEADER",
    "KINDS",
    "TRUNCATED_JSON",
    "ConnectionDropped",
    "Decision",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "FaultPlanError",
    "FaultScope",
    "RequestInfo",
    "describe",
    "drop_connection",
    "fault_plan_argument",
]
