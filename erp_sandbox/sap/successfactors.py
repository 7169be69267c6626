"""The SuccessFactors emulation: Employee Central's OData v2 API at ``/odata/v2/...``.

SuccessFactors is its own system beside S/4HANA, with its own API server and users: its
entity sets are served at ``/odata/v2/<EntitySet>`` (no service segment), only to the
SuccessFactors user of :class:`~erp_sandbox.sap.settings.SandboxSettings` (basic auth as
``user@companyId``). Reads only: the gateway never writes employee data. The rest (query
options, answers, error bodies) is the gateway emulation's.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.odata.errors import ODataError, ServiceInfo
from erp_sandbox.sap.gateway import dispatch, error_response
from erp_sandbox.sap.operations import METHOD_NOT_ALLOWED
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.schema_people import EMPLOYEE_SERVICE

SF_PREFIX = "/odata/v2/"
READ_METHODS = frozenset({"GET", "HEAD"})

logger = logging.getLogger(__name__)


def _segments(request: Request) -> list[str]:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    return [unquote(segment) for segment in path[len(SF_PREFIX) :].split("/")]


async def successfactors_endpoint(request: Request) -> Response:
    """Answer one request on the SuccessFactors OData v2 API."""
    sandbox: Sandbox = request.app.state.sandbox
    sandbox.count_request(request.headers.get("traceparent"))
    service = EMPLOYEE_SERVICE
    info = ServiceInfo(service.name, service.component_id, service.version)
    settings = sandbox.settings
    try:
        authorization = request.headers.get("authorization")
        if not credentials_match(authorization, settings.sf_username, settings.sf_password):
            raise ODataError(
                401,
                "COE_AUTHENTICATION_FAILED",
                "Authentication failed: user or password is not correct",
                headers={"WWW-Authenticate": 'Basic realm="SuccessFactors"'},
            )
        if request.method not in READ_METHODS:
            raise ODataError(
                405, METHOD_NOT_ALLOWED, f"Method '{request.method}' is not allowed here"
            )
        return await dispatch(request, sandbox, service, _segments(request), request.method)
    except ODataError as error:
        return error_response(request, error, info)
    except Exception:
        logger.exception("SuccessFactors sandbox failed on %s", request.url.path)
        failure = ODataError(500, "COE_GENERAL_SERVER_FAILURE", "Internal error in the sandbox")
        return error_response(request, failure, info)
