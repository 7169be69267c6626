"""Posts webhook deliveries over HTTP with httpx."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import httpx

from process_apis.webhooks.port import WebhookRequest, WebhookResponse

MAX_LOGGED_BODY = 1024
"""Characters of a receiver's answer kept in the delivery log."""


class HttpxWebhookSender:
    """A :class:`~process_apis.webhooks.port.WebhookSender` on one pooled httpx client.

    A redirect is not followed (a 3xx is a failed attempt, retried): the subscription's URL
    is the one the operator registered, and a signed body must not land elsewhere. Only
    the first ``max_body`` characters of an answer are read into the log.

    Without ``allow_private`` a URL whose host resolves to an address outside the public
    internet (loopback, private networks, link-local such as a cloud metadata service) is
    not contacted: the attempt fails with that reason.
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_body: int = MAX_LOGGED_BODY,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private: bool = True,
    ):
        self._allow_private = allow_private
        self._max_body = max_body
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
            trust_env=False,
        )

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        started = time.perf_counter()
        if not self._allow_private:
            refusal = await _private_target(request.url)
            if refusal is not None:
                return WebhookResponse(
                    status_code=None, duration_ms=_elapsed_ms(started), error=refusal
                )
        try:
            # httpx times each phase; the whole exchange gets the same bound as well, so a
            # receiver that trickles its answer cannot hold a worker.
            async with (
                asyncio.timeout(self._timeout),
                self._client.stream(
                    "POST", request.url, content=request.body, headers=dict(request.headers)
                ) as response,
            ):
                body = await self._read_head(response)
                return WebhookResponse(
                    status_code=response.status_code,
                    duration_ms=_elapsed_ms(started),
                    body=body,
                    retry_after=response.headers.get("retry-after"),
                )
        except (httpx.TimeoutException, TimeoutError) as exc:
            error = f"timeout after {self._timeout:g} s ({type(exc).__name__})"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return WebhookResponse(status_code=None, duration_ms=_elapsed_ms(started), error=error)

    async def _read_head(self, response: httpx.Response) -> str:
        # Read no more than needed: a receiver may answer with a large page.
        chunks: list[bytes] = []
        size = 0
        limit = self._max_body * 4  # UTF-8 takes at most 4 bytes a character
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
        text = b"".join(chunks)[:limit].decode("utf-8", errors="replace")
        return text[: self._max_body]

    async def aclose(self) -> None:
        await self._client.aclose()


async def _private_target(url: str) -> str | None:
    """Why ``url`` must not be contacted, or None when every address of its host is public."""
    parts = httpx.URL(url)
    host = parts.host
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80)
            )
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if not address.is_global:
            return f"refused: {host} resolves to {address}, not a public address"
    return None


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
