"""GraphQL over WebSocket (graphql-transport-ws) against the gateway under uvicorn: the
token comes in the upgrade request or in the connection_init payload; without one,
production refuses the connection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from experience_api.app import create_app
from experience_api.security.config import AuthSettings
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer
from tests.integration.security.jwks_server import served

PROTOCOL = "graphql-transport-ws"
INVOICES = "subscription { invoiceIssued { number } }"


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def url(tmp_path: Path, issuer: Issuer) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(issuer=issuer.issuer, jwks_file=issuer.write_jwks(tmp_path / "k.json")),
    )
    with served(create_app(settings), lifespan="on") as address:
        yield f"ws://{address}/graphql"


async def _send(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(message))
    answer: dict[str, Any] = json.loads(await ws.recv())
    return answer


async def _init_and_subscribe(
    ws: ClientConnection, payload: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    ack = await _send(ws, {"type": "connection_init", "payload": payload})
    subscribed = await _send(ws, {"id": "1", "type": "subscribe", "payload": {"query": INVOICES}})
    return ack, subscribed


async def test_a_token_in_connection_init_is_the_caller(url: str, issuer: Issuer) -> None:
    sales = {"Authorization": f"Bearer {issuer.token(roles=['sales'])}"}
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        ack, refused = await _init_and_subscribe(ws, sales)

    assert ack["type"] == "connection_ack"
    assert refused["type"] == "next"
    assert refused["payload"]["data"] is None
    assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_token_in_the_upgrade_request_is_the_caller(url: str, issuer: Issuer) -> None:
    headers = {"Authorization": f"Bearer {issuer.token(roles=['sales'])}"}
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:  # type: ignore[list-item]
        ack, refused = await _init_and_subscribe(ws, {})

    assert ack["type"] == "connection_ack"
    assert refused["payload"]["errors"][0]["extensions"]["requiredScope"] == "invoices:read"


async def test_a_token_with_the_scope_subscribes(url: str, issuer: Issuer) -> None:
    finance = {"Authorization": f"Bearer {issuer.token(roles=['finance'])}"}
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await _send(ws, {"type": "connection_init", "payload": finance})
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": INVOICES}}))
        pong = await _send(ws, {"type": "ping"})

    assert pong["type"] == "pong", "the subscription is open and nothing was refused"


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-jwt"}])
async def test_no_valid_token_closes_the_connection(url: str, payload: dict[str, Any]) -> None:
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_bad_token_in_the_upgrade_request_is_refused_before_accepting(
    url: str, issuer: Issuer
) -> None:
    headers = {"Authorization": f"Bearer {issuer.token(exp=1)}"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers):  # type: ignore[list-item]
            pass

    assert refused.value.response.status_code == 403


async def test_two_authorization_headers_in_the_upgrade_request_are_refused(
    url: str, issuer: Issuer
) -> None:
    token = f"Bearer {issuer.token()}"
    headers = [("Authorization", token), ("Authorization", token)]
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers):  # type: ignore[list-item]
            pass

    assert refused.value.response.status_code == 403
