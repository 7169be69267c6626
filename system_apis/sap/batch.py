"""OData v2 ``$batch``: several requests of one service in one round trip.

Reads: :func:`batch_body` writes the ``multipart/mixed`` body (one ``application/http`` part
per read, each a request line relative to the service root) and :func:`batch_answers` reads
SAP's ``multipart/mixed`` answer back into one ``httpx.Response`` per read, in order, so
each goes through the same answer reading and error translation as a read sent alone.

Writes: :func:`changeset_body` writes a batch of one changeset (a nested ``multipart/mixed``
of :class:`Write` parts, each with its ``Content-ID``), which SAP runs all or nothing, and
:func:`changeset_answers` reads its answer: one response per write, or the single error
response SAP gives a changeset in place of its parts when one write failed (nothing of the
changeset is then written). MIME is written and parsed with the standard library's
:mod:`email` package (``policy.HTTP``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx

from system_apis.sap.answers import JsonObject

BATCH_PARTS = 100
"""The most reads one ``$batch`` carries; more are sent in several batches."""


class MalformedBatch(ValueError):
    """SAP's answer to a ``$batch`` is not the multipart document OData v2 prescribes."""


def new_boundary() -> str:
    return f"batch_{uuid.uuid4()}"


def batch_body(boundary: str, targets: Sequence[str]) -> bytes:
    """The body of a batch of ``GET`` requests of ``targets`` (relative to the service root)."""
    parts = [
        f"--{boundary}\r\n"
        "Content-Type: application/http\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n"
        f"GET {target} HTTP/1.1\r\n"
        "Accept: application/json\r\n\r\n\r\n"
        for target in targets
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode("ascii")


@dataclass(frozen=True)
class Write:
    """One write of a changeset: ``method`` of ``target`` (relative to the service root)
    with a JSON ``body`` and extra ``headers`` (``If-Match``)."""

    method: str
    target: str
    body: JsonObject | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, method: str, target: str, body: JsonObject | None, if_match: str | None) -> Write:
        return cls(method.upper(), target, body, {"If-Match": if_match} if if_match else {})


def changeset_body(boundary: str, changeset: str, writes: Sequence[Write]) -> bytes:
    """The body of a batch (``boundary``) of one changeset (``changeset``) of ``writes``;
    the n-th write has ``Content-ID`` n (from 1)."""
    parts = []
    for number, write in enumerate(writes, start=1):
        content = b"" if write.body is None else json.dumps(write.body).encode("ascii")
        headers = {"Accept": "application/json", **write.headers}
        if write.body is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-Length"] = str(len(content))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        parts.append(
            f"--{changeset}\r\n"
            "Content-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"Content-ID: {number}\r\n\r\n"
            f"{write.method} {write.target} HTTP/1.1\r\n{head}\r\n".encode("ascii")
            + content
            + b"\r\n"
        )
    return (
        f"--{boundary}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n".encode()
        + b"".join(parts)
        + f"--{changeset}--\r\n\r\n--{boundary}--\r\n".encode()
    )


def _response(part: EmailMessage, request: httpx.Request) -> httpx.Response:
    if part.get_content_type() != "application/http":
        raise MalformedBatch(f"a part of type {part.get_content_type()}, not application/http")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise MalformedBatch("a part without an HTTP response")
    status_line, _, rest = payload.partition(b"\r\n")
    fields = status_line.decode("latin-1").split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].isdigit():
        raise MalformedBatch(f"a part that does not start with a status line: {status_line!r}")
    head, _, body = rest.partition(b"\r\n\r\n")
    headers = BytesParser(policy=HTTP).parsebytes(head + b"\r\n\r\n")
    pairs = [(name, str(value)) for name, value in headers.items()]
    pairs = [(name, value) for name, value in pairs if name.lower() != "content-length"]
    return httpx.Response(int(fields[1]), headers=pairs, content=body, request=request)


def _parts(response: httpx.Response) -> list[EmailMessage]:
    content_type = response.headers.get("content-type", "")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + response.content
    )
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise MalformedBatch(f"an answer of type {content_type or 'none'}, not multipart/mixed")
    parts = []
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        parts.append(part)
    return parts


def batch_answers(
    response: httpx.Response, requests: Sequence[httpx.Request]
) -> list[httpx.Response]:
    """The answers of a batch of ``requests`` (one per read, in order)."""
    parts = _parts(response)
    if len(parts) != len(requests):
        raise MalformedBatch(f"{len(parts)} answers to {len(requests)} requests")
    answers = []
    for part, request in zip(parts, requests, strict=True):
        answers.append(_response(part, request))
    return answers


def changeset_answers(
    response: httpx.Response, requests: Sequence[httpx.Request]
) -> list[httpx.Response]:
    """The answers of a batch of one changeset of ``requests``: one per write, in order, or
    the changeset's one error response (its request the write it names by ``Content-ID``,
    else the first) when SAP refused a write and so wrote none of them."""
    parts = _parts(response)
    if len(parts) != 1:
        raise MalformedBatch(f"{len(parts)} answers to one changeset")
    (part,) = parts
    if part.get_content_type() == "application/http":
        named = str(part.get("Content-ID") or "").strip()
        index = int(named) - 1 if named.isdigit() and 0 < int(named) <= len(requests) else 0
        failed = _response(part, requests[index])
        if failed.is_success:
            raise MalformedBatch(f"a changeset answered by one {failed.status_code}")
        return [failed]
    if part.get_content_type() != "multipart/mixed":
        raise MalformedBatch(f"a changeset answered by a part of type {part.get_content_type()}")
    inner = [p for p in part.iter_parts() if isinstance(p, EmailMessage)]
    if len(inner) != len(requests):
        raise MalformedBatch(f"{len(inner)} answers to {len(requests)} writes")
    return [_response(p, request) for p, request in zip(inner, requests, strict=True)]
