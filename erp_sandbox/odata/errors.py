"""OData errors and the SAP Gateway error body they are answered with.

An :class:`ODataError` carries the HTTP status, an SAP message code (``<class>/<number>``), the
text and optional details. :func:`sap_error_body` renders it the way SAP Gateway does::

    {"error": {"code": ..., "message": {"lang": "en", "value": ...},
               "innererror": {"application": {...}, "transactionid": ..., "timestamp": ...,
                              "Error_Resolution": {...}, "errordetails": [...]}}}
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RESOURCE_NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
"""Code of the "resource not found" message of SAP Gateway."""

INVALID_QUERY = "/IWBEP/CM_MGW_RT/022"
"""Code used for malformed system query options and URIs."""

SYNTAX_ERROR = "/IWCOR/CX_DS_EXPR_SYNTAX_ERROR/"
"""Code used for ``$filter`` syntax errors."""

_RESOLUTION = {
    "SAP_Transaction": (
        "For backend administrators: run transaction /IWFND/ERROR_LOG on the SAP Gateway hub "
        "system and search for entries with the timestamp above for more details"
    ),
    "SAP_Note": (
        "See SAP Note 1797736 for error analysis "
        "(https://service.sap.com/sap/support/notes/1797736)"
    ),
}


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of ``innererror.errordetails``."""

    code: str
    message: str
    target: str = ""
    severity: str = "error"


@dataclass(frozen=True)
class ServiceInfo:
    """What ``innererror.application`` says about the service that failed."""

    service_id: str = ""
    component_id: str = ""
    service_version: str = "0001"


class ODataError(Exception):
    """A failure answered with an HTTP status and an SAP error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str = "",
        details: tuple[ErrorDetail, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details
        self.headers: dict[str, str] = dict(headers or {})


@dataclass
class _Body:
    error: ODataError
    service: ServiceInfo
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def render(self) -> dict[str, Any]:
        error = self.error
        details = error.details or (ErrorDetail(error.code, error.message, error.target),)
        stamp = self.now.astimezone(UTC)
        return {
            "error": {
                "code": error.code,
                "message": {"lang": "en", "value": error.message},
                "innererror": {
                    "application": {
                        "component_id": self.service.component_id,
                        "service_namespace": "/SAP/",
                        "service_id": self.service.service_id,
                        "service_version": self.service.service_version,
                    },
                    "transactionid": uuid.uuid4().hex.upper(),
                    "timestamp": stamp.strftime("%Y%m%d%H%M%S.") + f"{stamp.microsecond:06d}0",
                    "Error_Resolution": dict(_RESOLUTION),
                    "errordetails": [
                        {
                            "code": detail.code,
                            "message": detail.message,
                            "propertyref": "",
                            "severity": detail.severity,
                            "target": detail.target,
                        }
                        for detail in details
                    ],
                },
            }
        }


def sap_error_body(
    error: ODataError, service: ServiceInfo | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The JSON document SAP Gateway answers for ``error``."""
    body = _Body(error, service or ServiceInfo())
    if now is not None:
        body.now = now
    return body.render()


def not_found(segment: str) -> ODataError:
    """404 for a resource that does not exist."""
    return ODataError(404, RESOURCE_NOT_FOUND, f"Resource not found for segment '{segment}'")


def bad_request(message: str, code: str = INVALID_QUERY) -> ODataError:
    """400 for a malformed request."""
    return ODataError(400, code, message)
