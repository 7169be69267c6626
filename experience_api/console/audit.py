"""The console's actions in the audit log, as the GraphQL admin mutations record theirs:
one entry per action, with the caller, the record, the outcome and the arguments (secrets
left out), written before the answer leaves."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from experience_api.console.guard import Refused
from experience_api.security.audit_trail import AuditTrail, redacted
from experience_api.security.principal import Principal
from process_apis.audit.model import Outcome
from process_apis.audit.port import AuditLog

logger = logging.getLogger(__name__)


async def audited(
    log: AuditLog | None,
    principal: Principal,
    action: str,
    *,
    record: str | None,
    arguments: Mapping[str, Any],
    outcome: Outcome = Outcome.OK,
    error: str | None = None,
) -> None:
    """Writes the entry of ``console:<action>``; Refused (503) when it cannot be written:
    the page then says so rather than show a result nobody recorded."""
    details: dict[str, Any] = {"arguments": redacted(dict(arguments))}
    if error is not None:
        details["errors"] = [error]
    trail = AuditTrail(principal, log)
    trail.record(f"console:{action}", record=record, outcome=outcome, details=details)
    try:
        await trail.flush()
    except Exception as exc:
        logger.exception("the audit log could not be written; the console's answer is withheld")
        raise Refused(
            503, "The action could not be recorded in the audit log; its result is withheld."
        ) from exc
