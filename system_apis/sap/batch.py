"""OData v2 ``$batch`` of reads: several ``GET`` requests of one service in one round trip.

:func:`batch_body` writes the ``multipart/mixed`` body (one ``application/http`` part per
read, each a request line relative to the service root) and :func:`batch_answers` reads
SAP's ``multipart/mixed`` answer back into one ``httpx.Response`` per read, in order, so
each goes through the same answer reading and error translation as a read sent alone. MIME
is written and parsed with the standard library's :mod:`email` package (``policy.HTTP``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx

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


def batch_answers(
    response: httpx.Response, requests: Sequence[httpx.Request]
) -> list[httpx.Response]:
    """The answers of a batch of ``requests`` (one per read, in order)."""
    content_type = response.headers.get("content-type", "")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + response.content
    )
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise MalformedBatch(f"an answer of type {content_type or 'none'}, not multipart/mixed")
    parts = list(message.iter_parts())
    if len(parts) != len(requests):
        raise MalformedBatch(f"{len(parts)} answers to {len(requests)} requests")
    answers = []
    for part, request in zip(parts, requests, strict=True):
        assert isinstance(part, EmailMessage)
        answers.append(_response(part, request))
    return answers
