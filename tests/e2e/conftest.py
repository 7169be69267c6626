"""The whole gateway in-process: settings → bootstrap → app, over the built-in SAP sandbox.

Requests carry a bearer token signed by the data directory's development key, with the
roles of the local developer (sales, finance, admin) on every connection;
:meth:`Running.token` mints others.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.gateway import Gateway
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings


@dataclass
class Running:
    client: httpx.AsyncClient
    gateway: Gateway
    settings: Settings | None = None
    """Known when started by the ``running`` fixture; needed by :meth:`token`."""

    def token(
        self,
        *roles: str,
        companies: tuple[str, ...] = ("*",),
        scopes: tuple[str, ...] = (),
        subject: str = "e2e",
    ) -> str:
        """A development token for these roles and companies (``*``: every connection)."""
        assert self.settings is not None, "started without its settings"
        key = load_or_create_dev_key(self.settings.data_dir)
        return key.issue(
            audience=self.settings.auth.audience,
            subject=subject,
            roles=roles,
            scopes=scopes,
            companies=companies,
        )

    @property
    def sap(self) -> Any:
        """The embedded SAP sandbox's inspection handle (counts, stock, request count)."""
        return self.gateway.sandboxes["EU01"].state.sandbox

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Accept": "application/graphql-response+json, application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        body["_status"] = response.status_code
        return body


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    async with started(Settings(data_dir=tmp_path)) as gateway:
        yield gateway


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[Running]:
    """The gateway of ``settings``, called as the local developer."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            running = Running(client=client, gateway=app.state.gateway, settings=settings)
            developer = running.token("sales", "finance", "admin")
            client.headers["Authorization"] = f"Bearer {developer}"
            yield running
