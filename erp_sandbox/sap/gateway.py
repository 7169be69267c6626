"""The SAP Gateway emulation: one endpoint for ``/sap/opu/odata/sap/<SERVICE>/...``.

Every request is counted, then authenticated (basic auth, 401), then checked for CSRF (writes
need the token of their session cookie, 403 with ``X-CSRF-Token: Required`` otherwise; a
``GET``/``HEAD`` with ``X-CSRF-Token: Fetch`` hands one out), then dispatched: service
document, ``$metadata``, function imports, reads and writes. Errors are answered with SAP's
error body; unexpected failures become a 500 in the same shape, never a bare traceback.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.odata.edm import Service
from erp_sandbox.odata.errors import ODataError, ServiceInfo, sap_error_body
from erp_sandbox.odata.metadata import build_metadata, service_document_json, service_document_xml
from erp_sandbox.odata.query import parse_resource_path
from erp_sandbox.sap.batch import (
    BATCH_SEGMENT,
    BatchRequest,
    BatchRunner,
    batch_response,
    has_changeset,
    parse_batch,
    render_batch,
)
from erp_sandbox.sap.functions import call_function
from erp_sandbox.sap.operations import (
    METHOD_NOT_ALLOWED,
    create,
    json_response,
    read,
    service_root,
    update,
)
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.services import find_service

PREFIX = "/sap/opu/odata/sap/"
MODIFYING = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
TUNNELLED = frozenset({"PUT", "PATCH", "MERGE", "DELETE"})
CSRF_HEADER = "x-csrf-token"

logger = logging.getLogger(__name__)


def _segments(request: Request) -> list[str]:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    return [unquote(segment) for segment in path[len(PREFIX) :].split("/")]


def _too_long(request: Request, limit: int | None) -> Response | None:
    """The ``414`` a web dispatcher answers to a request line longer than it accepts."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    length = len(raw) + (len(query) + 1 if query else 0)
    if limit is None or length <= limit:
        return None
    text = f"414 Request-URI Too Long: {length} bytes, at most {limit} are accepted"
    return Response(text, 414, media_type="text/plain")


def service_info(service: Service | None, segment: str) -> ServiceInfo:
    """What SAP error bodies say about the service named by the path segment ``segment``."""
    if service is None:
        return ServiceInfo(service_id=segment.split(";")[0])
    return ServiceInfo(service.name, service.component_id, service.version)


def error_response(request: Request, error: ODataError, info: ServiceInfo) -> Response:
    """The SAP error answer of ``error`` (headers only for ``HEAD``)."""
    if request.method == "HEAD":
        return Response(status_code=error.status, headers=error.headers)
    return json_response(sap_error_body(error, info), error.status, error.headers)


def unauthorized(sandbox: Sandbox) -> ODataError:
    settings = sandbox.settings
    realm = f"SAP NetWeaver Application Server [{settings.system_id}/{settings.sap_client}]"
    return ODataError(
        401,
        "/IWFND/CM_CONSUMER/401",
        "Logon failed: user or password is not correct",
        headers={"WWW-Authenticate": f'Basic realm="{realm}"'},
    )


def _csrf_required() -> ODataError:
    return ODataError(
        403, "/IWFND/CM_BEC/403", "CSRF token validation failed", headers={CSRF_HEADER: "Required"}
    )


def check_csrf(request: Request, sandbox: Sandbox, method: str) -> list[tuple[str, str]]:
    """Headers handing out a CSRF token, or a 403 for a write without a valid one."""
    settings = sandbox.settings
    session = request.cookies.get(settings.session_cookie)
    asked = request.headers.get(CSRF_HEADER, "")
    if request.method in ("GET", "HEAD") and asked.strip().lower() == "fetch":
        session, token, new = sandbox.csrf.fetch(session)
        headers = [(CSRF_HEADER, token)]
        if new:
            cookie = f"{settings.session_cookie}={session}; path=/; HttpOnly; SameSite=Lax"
            context = f"sap-usercontext=sap-client={settings.sap_client}; path=/"
            headers += [("set-cookie", cookie), ("set-cookie", context)]
        return headers
    if method in MODIFYING and settings.csrf_enabled and not sandbox.csrf.valid(session, asked):
        raise _csrf_required()
    return []


async def dispatch(
    request: Request, sandbox: Sandbox, service: Service, rest: list[str], method: str
) -> Response:
    if rest in ([], [""]):
        if method not in ("GET", "HEAD"):
            raise ODataError(405, METHOD_NOT_ALLOWED, f"Method '{method}' is not allowed here")
        accept = request.headers.get("accept", "")
        if request.query_params.get("$format") == "json" or "json" in accept:
            return json_response(service_document_json(service))
        xml = service_document_xml(service, service_root(request, service))
        return Response(xml, headers={"dataserviceversion": "1.0"}, media_type="application/xml")
    if rest[0] == "$metadata":
        if method not in ("GET", "HEAD") or len(rest) > 1:
            raise ODataError(405, METHOD_NOT_ALLOWED, "$metadata can only be read")
        return Response(
            build_metadata(service),
            headers={"dataserviceversion": "2.0"},
            media_type="application/xml",
        )
    if rest[0] == BATCH_SEGMENT:
        if method != "POST" or len(rest) > 1:
            raise ODataError(405, METHOD_NOT_ALLOWED, "$batch needs POST")
        return await run_batch(request, sandbox, service)
    if service.function(rest[0]) is not None and len(rest) == 1:
        return call_function(request, sandbox, service, rest[0])
    path = parse_resource_path(service, rest)
    if method in ("GET", "HEAD"):
        return read(request, sandbox, service, path)
    if method == "POST":
        return await create(request, sandbox, service, path)
    if method in ("PATCH", "MERGE", "PUT"):
        return await update(request, sandbox, service, path, method)
    raise ODataError(
        405, METHOD_NOT_ALLOWED, f"Method '{method}' is not allowed for '{path.entity_set.name}'"
    )


async def run_batch(request: Request, sandbox: Sandbox, service: Service) -> Response:
    """A ``$batch`` of the service (see :mod:`erp_sandbox.sap.batch`)."""
    info = ServiceInfo(service.name, service.component_id, service.version)
    parts = parse_batch(request.headers.get("content-type", ""), await request.body())
    settings = sandbox.settings
    session = request.cookies.get(settings.session_cookie)
    token = request.headers.get(CSRF_HEADER)
    if has_changeset(parts) and settings.csrf_enabled and not sandbox.csrf.valid(session, token):
        raise _csrf_required()

    async def answer(sub: Request, segments: list[str], method: str) -> Response:
        try:
            return await dispatch(sub, sandbox, service, segments, method)
        except ODataError as error:
            return error_response(sub, error, info)
        except Exception:
            logger.exception("SAP sandbox failed on a $batch part %s %s", method, sub.url.path)
            failure = ODataError(500, "/IWBEP/CM_MGW_RT/000", "Internal error in the SAP sandbox")
            return error_response(sub, failure, info)

    root = request.url.path[: -len(BATCH_SEGMENT)]
    runner = BatchRunner(request, root, answer, lambda error: error_response(request, error, info))
    answers = [
        await runner.retrieve(part)
        if isinstance(part, BatchRequest)
        else await runner.changeset(part, sandbox.store.write)
        for part in parts
    ]
    return batch_response(*render_batch(answers))


async def odata_endpoint(request: Request) -> Response:
    """Answer one request on an OData service path."""
    sandbox: Sandbox = request.app.state.sandbox
    sandbox.count_request(request.headers.get("traceparent"))
    refused = _too_long(request, sandbox.settings.max_url_length)
    if refused is not None:
        return refused
    segments = _segments(request)
    service = find_service(segments[0], older_release=sandbox.settings.older_release)
    info = service_info(service, segments[0])
    try:
        settings = sandbox.settings
        authorization = request.headers.get("authorization")
        if not credentials_match(authorization, settings.username, settings.password):
            raise unauthorized(sandbox)
        if service is None:
            name = segments[0].split(";")[0]
            raise ODataError(
                404,
                "/IWFND/MED/170",
                f"No service found for namespace '/SAP/', name '{name}', version '0001'",
            )
        method = request.method
        tunnelled = request.headers.get("x-http-method", "").upper()
        if method == "POST" and tunnelled in TUNNELLED:
            method = tunnelled
        # A $batch is checked for its changesets only (see erp_sandbox.sap.batch).
        batch = segments[1:] == [BATCH_SEGMENT]
        csrf_headers = check_csrf(request, sandbox, "BATCH" if batch else method)
        response = await dispatch(request, sandbox, service, segments[1:], method)
    except ODataError as error:
        return error_response(request, error, info)
    except Exception:
        logger.exception("SAP sandbox failed on %s %s", request.method, request.url.path)
        failure = ODataError(500, "/IWBEP/CM_MGW_RT/000", "Internal error in the SAP sandbox")
        return error_response(request, failure, info)
    for name, value in csrf_headers:
        response.headers.append(name, value)
    if request.method == "HEAD":
        response.body = b""
    return response
