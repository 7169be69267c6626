"""Building ``$batch`` bodies and reading their answers in the SAP sandbox tests.

Written independently of the sandbox's own parser, with the standard library's email package,
so that both sides are checked against the MIME format rather than against each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx


@dataclass(frozen=True)
class PartAnswer:
    """One HTTP response inside a batch answer."""

    status: int
    headers: dict[str, str]
    body: bytes
    content_id: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


def request_part(
    method: str, target: str, body: Any = None, *, content_id: str | None = None, **headers: str
) -> str:
    """One ``application/http`` part (its MIME headers, blank line, HTTP request)."""
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"{method} {target} HTTP/1.1", "Accept: application/json"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    payload = ""
    if body is not None:
        payload = json.dumps(body)
        lines.append("Content-Type: application/json")
    return "\r\n".join(lines) + "\r\n\r\n" + payload + "\r\n"


def changeset(boundary: str, *parts: str) -> str:
    """A changeset part holding ``parts``."""
    inner = "".join(f"--{boundary}\r\n{part}" for part in parts) + f"--{boundary}--\r\n"
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{inner}"


def batch_body(boundary: str, *parts: str) -> bytes:
    body = "".join(f"--{boundary}\r\n{part}" for part in parts) + f"--{boundary}--\r\n"
    return body.encode()


def _answer(part: EmailMessage) -> PartAnswer:
    assert part.get_content_type() == "application/http"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    status_line, _, rest = payload.partition(b"\r\n")
    version, status, _ = status_line.decode().split(" ", 2)
    assert version == "HTTP/1.1"
    head, _, body = rest.partition(b"\r\n\r\n")
    inner = BytesParser(policy=HTTP).parsebytes(head + b"\r\n\r\n")
    headers = {name.lower(): str(value) for name, value in inner.items()}
    return PartAnswer(int(status), headers, body, part.get("Content-ID"))


def parse_answer(response: httpx.Response) -> list[PartAnswer | list[PartAnswer]]:
    """The answers of a batch, in order: a list for a changeset that succeeded."""
    assert response.status_code == 202, response.text
    content_type = response.headers["content-type"]
    assert content_type.startswith("multipart/mixed")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + response.content
    )
    assert isinstance(message, EmailMessage)
    assert not message.defects
    answers: list[PartAnswer | list[PartAnswer]] = []
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        if part.is_multipart():
            answers.append([_answer(inner) for inner in part.iter_parts()])  # type: ignore[arg-type]
        else:
            answers.append(_answer(part))
    return answers
