"""``$batch`` for the scripted SAP of the adapter tests: each inner ``GET`` is answered by the
same routes as if it had been sent alone, and the answers are wrapped the way SAP Gateway
wraps them (``202``, ``multipart/mixed``, one ``application/http`` response per part)."""

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


def batch_answer(answers: list[httpx.Response]) -> httpx.Response:
    boundary = "batchresponse_5f0c"
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
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return httpx.Response(
        202, content=body, headers={"Content-Type": f"multipart/mixed; boundary={boundary}"}
    )


def answer_batch(
    request: httpx.Request, answer: Callable[[httpx.Request], httpx.Response]
) -> httpx.Response:
    return batch_answer([answer(inner) for inner in inner_requests(request)])
