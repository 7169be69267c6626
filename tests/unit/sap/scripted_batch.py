"""``$batch`` for the scripted SAP of the adapter tests: each inner ``GET`` is answered by the
same routes as if it had been sent alone, and the answers are wrapped the way SAP Gateway
wraps them (``202``, ``multipart/mixed``, one ``application/http`` response per part). A
changeset's writes are answered one by one until one fails; its answer is then that failure
alone, else a nested ``multipart/mixed`` of every answer (the scripted SAP keeps no state, so
"nothing written" is the test's to check in what it recorded)."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus

import httpx


def inner_requests(request: httpx.Request) -> list[httpx.Request]:
    """The ``GET`` requests of a batch, with absolute URLs under the batch's service root."""
    content_type = request.headers["content-type"]
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    )
    assert isinstance(message, EmailMessage)
    assert message.is_multipart()
    root = str(request.url.copy_with(query=None)).removesuffix("$batch")
    found = []
    for part in message.iter_parts():
        assert part.get_content_type() == "application/http"
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        method, target, version = payload.split(b"\r\n", 1)[0].decode().split(" ")
        assert (method, version) == ("GET", "HTTP/1.1")
        found.append(httpx.Request(method, root + target))
    return found


def changeset_requests(request: httpx.Request) -> list[httpx.Request]:
    """The writes of a batch of one changeset (method, absolute URL, headers, body)."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + request.content
    )
    assert isinstance(message, EmailMessage)
    (changeset,) = message.iter_parts()
    assert changeset.get_content_type() == "multipart/mixed"
    root = str(request.url.copy_with(query=None)).removesuffix("$batch")
    found = []
    for part in changeset.iter_parts():
        assert part.get_content_type() == "application/http"
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        line, _, rest = payload.partition(b"\r\n")
        method, target, version = line.decode().split(" ")
        assert version == "HTTP/1.1"
        head, _, body = rest.partition(b"\r\n\r\n")
        headers = BytesParser(policy=HTTP).parsebytes(head + b"\r\n\r\n")
        pairs = [(name, str(value)) for name, value in headers.items()]
        found.append(httpx.Request(method, root + target, headers=pairs, content=body))
    return found


def _parts(boundary: str, answers: list[httpx.Response]) -> bytes:
    chunks = []
    for answer in answers:
        status = HTTPStatus(answer.status_code)
        head = f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-Transfer-Encoding: binary\r\n\r\n{head}\r\n".encode()
            + answer.content
            + b"\r\n"
        )
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


def batch_answer(answers: list[httpx.Response]) -> httpx.Response:
    boundary = "batchresponse_5f0c"
    return httpx.Response(
        202,
        content=_parts(boundary, answers),
        headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
    )


def changeset_answer(answers: list[httpx.Response]) -> httpx.Response:
    """A batch answer of one changeset: its failure alone, else every answer nested."""
    failed = [answer for answer in answers if not answer.is_success]
    if failed:
        return batch_answer(failed[:1])
    boundary, inner = "batchresponse_5f0c", "changesetresponse_a1b2"
    body = (
        f"--{boundary}\r\nContent-Type: multipart/mixed; boundary={inner}\r\n\r\n".encode()
        + _parts(inner, answers)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return httpx.Response(
        202, content=body, headers={"Content-Type": f"multipart/mixed; boundary={boundary}"}
    )


def answer_batch(
    request: httpx.Request, answer: Callable[[httpx.Request], httpx.Response]
) -> httpx.Response:
    if b"boundary=changeset_" not in request.content:
        return batch_answer([answer(inner) for inner in inner_requests(request)])
    answers = []
    for write in changeset_requests(request):
        answers.append(answer(write))
        if not answers[-1].is_success:
            break
    return changeset_answer(answers)
