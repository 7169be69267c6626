"""Posts webhook deliveries over HTTP with httpx."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from process_apis.webhooks.port import WebhookRequest, WebhookResponse
from system_apis.tracing import event_hooks

MAX_LOGGED_BODY = 1024
"""Characters of a receiver's answer kept in the delivery log."""


class HttpxWebhookSender:
    """A :class:`~process_apis.webhooks.port.WebhookSender` on one pooled httpx client.

    A redirect is not followed (a 3xx is a failed attempt, retried): the subscription's URL
    is the one the operator registered, and a signed body must not land elsewhere. Only
    the first ``max_body`` characters of an answer are read into the log.

    Without ``allow_private`` a URL whose host resolves to an address outside the public
    internet (loopback, private networks, link-local such as a cloud metadata service) is
    not contacted: the attempt fails with that reason. The host is resolved once per
    attempt and the connection goes to the address that was checked (the name stays in
    ``Host`` and, over TLS, in SNI and the certificate check), so a name that resolves
    differently a moment later (DNS rebinding) cannot lead the request elsewhere.
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_body: int = MAX_LOGGED_BODY,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private: bool = True,
        resolve: Resolver | None = None,
    ):
        self._allow_private = allow_private
        self._resolve = resolve or _system_resolve
        self._max_body = max_body
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
            trust_env=False,
            # The receiver's traces continue the delivery's (W3C traceparent).
            event_hooks=event_hooks(),
        )

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        started = time.perf_counter()
        url, headers = request.url, dict(request.headers)
        extensions: dict[str, Any] = {}
        if not self._allow_private:
            target = await _public_target(request.url, self._resolve)
            if isinstance(target, str):
                return WebhookResponse(
                    status_code=None, duration_ms=_elapsed_ms(started), error=target
                )
            url, host = target
            if host is not None:
                headers["host"] = host
                extensions["sni_hostname"] = httpx.URL(request.url).host
        try:
            # httpx times each phase; the whole exchange gets the same bound as well, so a
            # receiver that trickles its answer cannot hold a worker.
            async with (
                asyncio.timeout(self._timeout),
                self._client.stream(
                    "POST", url, content=request.body, headers=headers, extensions=extensions
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


Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Host name and port → the addresses it resolves to."""


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def _public_target(url: str, resolve: Resolver) -> tuple[str, str | None] | str:
    """The URL to connect to (its host replaced by the checked address) and the ``Host``
    header to send; or, as a plain string, why ``url`` must not be contacted."""
    parts = httpx.URL(url)
    host = parts.host
    try:
        ipaddress.ip_address(host)
        addresses, named = [host], False
    except ValueError:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses, named = await resolve(host, port), True
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        if not addresses:
            return f"cannot resolve {host}: no address"
    for address in addresses:
        if not ipaddress.ip_address(address).is_global:
            return f"refused: {host} resolves to {address}, not a public address"
    if not named:
        return url, None
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return str(parts.copy_with(host=addresses[0])), host_header


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
