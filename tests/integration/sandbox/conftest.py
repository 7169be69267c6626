"""Fixtures of the SAP sandbox tests: an in-process app and HTTP clients on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from erp_sandbox.sap import Sandbox, SandboxSettings, create_app
from tests.integration.sandbox.support import ANCHOR, PASSWORD, USER, fetch_token


@pytest.fixture
def app() -> Iterator[Starlette]:
    application = create_app(SandboxSettings(seed_anchor=ANCHOR))
    yield application
    application.state.sandbox.close()


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    result: Sandbox = app.state.sandbox
    return result


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://sandbox.test",
        auth=(USER, PASSWORD),
        headers={"Accept": "application/json"},
    ) as http:
        yield http


@pytest.fixture
async def writer(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client with a CSRF token set for every request."""
    client.headers["X-CSRF-Token"] = await fetch_token(client)
    return client
