"""A sender that refuses private targets connects to the very address it checked."""

from __future__ import annotations

import httpx
import pytest

from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.webhooks.port import WebhookRequest

pytestmark = pytest.mark.unit


class Rebinding:
    """A name server that answers a public address first, then a private one."""

    def __init__(self, *answers: list[str]):
        self.answers = list(answers)
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def recorder() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    return seen, httpx.MockTransport(handle)


async def test_the_request_goes_to_the_checked_address_with_the_name_kept() -> None:
    seen, transport = recorder()
    names = Rebinding(["93.184.216.34"], ["169.254.169.254"])
    sender = HttpxWebhookSender(timeout=5, transport=transport, allow_private=False, resolve=names)
    try:
        answer = await sender.send(
            WebhookRequest("https://hooks.example.com:8443/in?x=1", b"{}", {"webhook-id": "m1"})
        )
    finally:
        await sender.aclose()

    assert answer.status_code == 204
    assert names.asked == [("hooks.example.com", 8443)]  # resolved once, not again to connect
    (request,) = seen
    assert request.url == httpx.URL("https://93.184.216.34:8443/in?x=1")
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.headers["webhook-id"] == "m1"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


async def test_a_name_with_any_private_address_is_not_contacted() -> None:
    seen, transport = recorder()
    names = Rebinding(["93.184.216.34", "10.0.0.7"])
    sender = HttpxWebhookSender(timeout=5, transport=transport, allow_private=False, resolve=names)
    try:
        answer = await sender.send(WebhookRequest("https://hooks.example.com/in", b"{}", {}))
    finally:
        await sender.aclose()
    assert answer.status_code is None
    assert answer.error is not None
    assert "10.0.0.7" in answer.error
    assert seen == []


async def test_with_private_targets_allowed_the_url_is_used_as_given() -> None:
    seen, transport = recorder()
    names = Rebinding(["10.0.0.7"])
    sender = HttpxWebhookSender(timeout=5, transport=transport, resolve=names)
    try:
        await sender.send(WebhookRequest("http://receiver.internal/in", b"{}", {}))
    finally:
        await sender.aclose()
    assert names.asked == []
    assert seen[0].url == httpx.URL("http://receiver.internal/in")
