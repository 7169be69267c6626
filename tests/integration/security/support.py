"""A gateway app in-process for security tests, reached over HTTP through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from experience_api.app import create_app
from experience_api.settings import Settings

CUSTOMERS = "{ customers(first: 5) { nodes { id name } } }"
ACCEPT = {"Accept": "application/graphql-response+json, application/json"}


@dataclass
class Gateway:
    client: httpx.AsyncClient
    app: Any

    @property
    def erp_requests(self) -> int:
        """Requests the embedded SAP sandbox has served so far."""
        count: int = self.app.state.gateway.sandboxes["EU01"].state.sandbox.request_count
        return count

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = dict(ACCEPT)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )


@asynccontextmanager
async def running(settings: Settings, client_host: str = "127.0.0.1") -> AsyncIterator[Gateway]:
    """The gateway, called from ``client_host`` (loopback: a caller on the same machine)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Gateway(client=client, app=app)


def challenge(response: httpx.Response) -> dict[str, str]:
    """The parameters of a ``WWW-Authenticate: Bearer k="v", ...`` header."""
    header = response.headers["www-authenticate"]
    scheme, _, rest = header.partition(" ")
    assert scheme == "Bearer"
    params: dict[str, str] = {}
    for part in rest.split('", '):
        name, _, value = part.partition("=")
        params[name.strip()] = value.strip().strip('"')
    return params
