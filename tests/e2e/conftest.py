"""The whole gateway in-process: settings → bootstrap → app, over the built-in SAP sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.bootstrap import Gateway
from experience_api.settings import Settings


@dataclass
class Running:
    client: httpx.AsyncClient
    gateway: Gateway

    @property
    def sap(self) -> Any:
        """The embedded SAP sandbox's inspection handle (counts, stock, request count)."""
        return self.gateway.sandboxes["EU01"].state.sandbox

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Accept": "application/graphql-response+json, application/json"},
        )
        body: dict[str, Any] = response.json()
        body["_status"] = response.status_code
        return body


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    app = create_app(Settings(data_dir=tmp_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway)
