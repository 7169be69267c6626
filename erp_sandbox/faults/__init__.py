"""Fault injection shared by every ERP sandbox: plans (:mod:`~erp_sandbox.faults.plan`), the
injector deciding each request's fate (:mod:`~erp_sandbox.faults.injector`) and the wire
pieces and the fault layer itself (:mod:`~erp_sandbox.faults.layer`), to which each sandbox
gives the answers in its ERP's error shape."""

from erp_sandbox.faults.injector import Decision, FaultInjector, RequestInfo
from erp_sandbox.faults.layer import FaultAnswer, FaultedApp, FaultLayer
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
    "FaultAnswer",
    "FaultInjector",
    "FaultKind",
    "FaultLayer",
    "FaultPlan",
    "FaultPlanError",
    "FaultScope",
    "FaultedApp",
    "RequestInfo",
    "describe",
    "drop_connection",
    "fault_plan_argument",
]
