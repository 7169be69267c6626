"""OData v2 ``$batch`` as SAP Gateway serves it: ``POST <service root>/$batch``.

The body is ``multipart/mixed`` (``boundary=batch_...``); each part is either one retrieve
request (``application/http``: a request line relative to the service root, headers, body) or
a changeset (``multipart/mixed; boundary=changeset_...``) of modifying requests. The answer is
``202 Accepted`` with a ``multipart/mixed`` body holding one part per request part, in the same
order, each an ``application/http`` HTTP response with its own status line.

A changeset is all or nothing: its requests run in one store transaction, and when one of
them fails the whole changeset is rolled back and answered by that request's error alone (one
``application/http`` part instead of the changeset's ``multipart/mixed``), as OData v2
prescribes. A request in a changeset may name an earlier one's result by ``$<Content-ID>``
(``POST $1/to_Item``). A batch that holds a changeset needs the session's CSRF token; one of
retrieve requests only does not, as on SAP Gateway.

MIME parsing and building use the standard library's :mod:`email` package (``policy.HTTP``:
CRLF line ends, no folding).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from io import BytesIO
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Scope

from erp_sandbox.odata.errors import ODataError, bad_request

BATCH_SEGMENT = "$batch"
Answer = Callable[[Request, list[str], str], Awaitable[Response]]
"""Answers one request of a batch: the sub-request, its path segments below the service root
and its method; errors come back as error responses, never raised."""

_PASSED_ON = (b"host", b"authorization", b"cookie", b"accept-language")
_REQUEST_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.[01]$")
_MODIFYING = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
_PART_HEADERS = frozenset({"content-type", "content-length", "location", "etag"})


@dataclass(frozen=True)
class BatchRequest:
    """One request of a batch, as written in its ``application/http`` part."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    content_id: str | None = None


@dataclass(frozen=True)
class Changeset:
    """The modifying requests of one changeset."""

    requests: list[BatchRequest]


def _parse_multipart(content_type: str, body: bytes) -> EmailMessage:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    assert isinstance(message, EmailMessage)
    if not message.is_multipart() or message.get_content_type() != "multipart/mixed":
        raise bad_request("The $batch body must be multipart/mixed with a boundary")
    if message.get_boundary() is None or message.defects:
        raise bad_request("The $batch body is not a well-formed multipart/mixed document")
    return message


def _request_of(part: EmailMessage) -> BatchRequest:
    if part.get_content_type() != "application/http":
        raise bad_request(f"A $batch part must be application/http, not {part.get_content_type()}")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise bad_request("A $batch part holds no HTTP request")
    line, _, rest = payload.replace(b"\r\n", b"\n").partition(b"\n")
    match = _REQUEST_LINE.match(line.decode("latin-1").strip())
    if match is None:
        raise bad_request("A $batch part does not start with an HTTP request line")
    inner = BytesParser(policy=HTTP).parsebytes(rest.replace(b"\n", b"\r\n"))
    body = inner.get_payload(decode=True) if not inner.is_multipart() else None
    headers = [(name, str(value)) for name, value in inner.items()]
    return BatchRequest(
        match["method"],
        match["target"],
        headers,
        body if isinstance(body, bytes) else b"",
        part.get("Content-ID"),
    )


def parse_batch(content_type: str, body: bytes) -> list[BatchRequest | Changeset]:
    """The parts of a ``$batch`` body, in order; a malformed body is a 400."""
    parts: list[BatchRequest | Changeset] = []
    for part in _parse_multipart(content_type, body).iter_parts():
        assert isinstance(part, EmailMessage)
        if part.get_content_type() != "multipart/mixed":
            request = _request_of(part)
            if request.method != "GET":
                raise bad_request(f"Method '{request.method}' is only allowed in a changeset")
            parts.append(request)
            continue
        requests = []
        for inner in part.iter_parts():
            assert isinstance(inner, EmailMessage)
            request = _request_of(inner)
            if request.method not in _MODIFYING:
                raise bad_request(f"Method '{request.method}' is not allowed in a changeset")
            requests.append(request)
        parts.append(Changeset(requests))
    return parts


def _response_part(response: Response, content_id: str | None = None) -> EmailMessage:
    status = HTTPStatus(response.status_code)
    lines = [f"HTTP/1.1 {status.value} {status.phrase}"]
    for name, value in response.headers.items():
        lines.append(f"{name}: {value}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    part = EmailMessage(policy=HTTP)
    part.set_content(head + bytes(response.body), "application", "http", cte="binary")
    del part["MIME-Version"]  # a header of whole messages, not of body parts
    if content_id is not None:
        part["Content-ID"] = content_id
    return part


def _multipart(kind: str, parts: Iterable[EmailMessage]) -> EmailMessage:
    container = EmailMessage(policy=HTTP)
    container["Content-Type"] = f"multipart/mixed; boundary={kind}_{uuid.uuid4().hex}"
    for part in parts:
        container.attach(part)
    return container


def render_batch(parts: list[EmailMessage]) -> tuple[str, bytes]:
    """The ``Content-Type`` and body of a batch answer made of ``parts``."""
    container = _multipart("batchresponse", parts)
    buffer = BytesIO()
    BytesGenerator(buffer, policy=HTTP).flatten(container)
    _, _, body = buffer.getvalue().partition(b"\r\n\r\n")
    return str(container["Content-Type"]), body


class _ChangesetFailed(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class BatchRunner:
    """Runs the parts of one batch against a service root (``root``: its URL path)."""

    def __init__(
        self, outer: Request, root: str, answer: Answer, refuse: Callable[[ODataError], Response]
    ) -> None:
        self._outer = outer
        self._root = root.rstrip("/") + "/"
        self._answer = answer
        self._refuse = refuse
        self._locations: dict[str, str] = {}

    def _sub_request(self, request: BatchRequest) -> tuple[Request, list[str], str]:
        target = request.target
        if target.startswith("$"):
            reference, _, tail = target[1:].partition("/")
            if reference not in self._locations:
                raise bad_request(f"Content-ID '{reference}' names no earlier request")
            target = self._locations[reference] + ("/" + tail if tail else "")
        split = urlsplit(target)
        path = split.path
        if path.startswith(self._root):
            path = path[len(self._root) :]
        elif path.startswith("/") or split.scheme:
            raise bad_request(f"A $batch request must address this service: {request.target}")
        segments = [unquote(segment) for segment in path.split("/")]
        if segments and segments[0] == BATCH_SEGMENT:
            raise bad_request("A $batch request cannot contain another $batch")
        outer: Scope = self._outer.scope
        headers = [(k, v) for k, v in outer["headers"] if k.lower() in _PASSED_ON]
        headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        raw_path = (self._root + path).encode("latin-1")
        scope: Scope = {
            **outer,
            "method": request.method,
            "path": unquote(self._root + path),
            "raw_path": raw_path,
            "query_string": split.query.encode("latin-1"),
            "headers": headers,
        }
        body = request.body

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        method = request.method
        tunnelled = dict(request.headers).get("X-HTTP-Method", "").upper()
        if method == "POST" and tunnelled in _MODIFYING:
            method = tunnelled
        return Request(scope, receive), segments, method

    async def _one(self, request: BatchRequest) -> Response:
        try:
            sub, segments, method = self._sub_request(request)
        except ODataError as error:
            return self._refuse(error)
        return await self._answer(sub, segments, method)

    async def retrieve(self, request: BatchRequest) -> EmailMessage:
        """The answer part of one retrieve request."""
        return _response_part(await self._one(request), request.content_id)

    async def changeset(
        self, changeset: Changeset, transaction: Callable[[], AbstractContextManager[object]]
    ) -> EmailMessage:
        """The answer part of a changeset: every response, or the error of the one that failed.

        ``transaction`` opens the store transaction the changeset runs in (a context manager).
        """
        answers: list[EmailMessage] = []
        try:
            with transaction():
                for request in changeset.requests:
                    response = await self._one(request)
                    if response.status_code >= 400:
                        raise _ChangesetFailed(response)
                    if request.content_id and "location" in response.headers:
                        location = urlsplit(response.headers["location"]).path
                        self._locations[request.content_id] = location
                    answers.append(_response_part(response, request.content_id))
        except _ChangesetFailed as failed:
            self._locations.clear()
            return _response_part(failed.response)
        return _multipart("changesetresponse", answers)


def has_changeset(parts: list[BatchRequest | Changeset]) -> bool:
    """Whether a batch modifies anything (and so needs a CSRF token)."""
    return any(isinstance(part, Changeset) for part in parts)


def batch_response(content_type: str, body: bytes) -> Response:
    """The ``202 Accepted`` answer of a batch."""
    return Response(body, 202, {"dataserviceversion": "2.0"}, media_type=content_type)
