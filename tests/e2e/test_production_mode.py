"""Production mode: no introspection, no GraphiQL, and optionally only registered operations.

The gateway runs with a real token issuer (an RSA key and its JWKS file), as production
requires; every request carries a signed bearer token.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from experience_api.app import create_app
from experience_api.persisted.registry import document_hash
from experience_api.settings import Settings
from tests.e2e.conftest import Running
from tests.e2e.test_limits import ACCEPT, serve

ISSUER = "https://idp.example.test"
KID = "production-mode-test"
ORDERS = "query Orders { salesOrders(first: 2) { nodes { number } } }\n"
CUSTOMERS = "query Customers($n: Int) { customers(first: $n) { nodes { name } } }\n"


class Issuer:
    """Signs bearer tokens with a key whose public half the gateway reads from a JWKS file."""

    def __init__(self, directory: Path) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        self.jwks_file = directory / "jwks.json"
        self.jwks_file.write_text(json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig"}]}))

    def headers(self) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": "erp-gateway",
            "sub": "ops",
            "iat": now,
            "exp": now + 600,
            "roles": ["admin", "sales"],
            "companies": ["*"],
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})
        return {**ACCEPT, "Authorization": f"Bearer {token}"}


def production(tmp_path: Path, issuer: Issuer, **graphql: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth={"issuer": ISSUER, "jwks_file": issuer.jwks_file},
        graphql=graphql,
    )


@pytest.fixture
def issuer(tmp_path: Path) -> Issuer:
    return Issuer(tmp_path)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "orders.graphql").write_text(ORDERS)
    (operations / "customers.graphql").write_text(CUSTOMERS)
    return operations


@pytest.fixture
async def prod(tmp_path: Path, issuer: Issuer) -> AsyncIterator[Running]:
    async with serve(production(tmp_path, issuer)) as running:
        yield running


@pytest.fixture
async def persisted_only(tmp_path: Path, issuer: Issuer, registry: Path) -> AsyncIterator[Running]:
    settings = production(tmp_path, issuer, persisted_operations=registry, persisted_only=True)
    async with serve(settings) as running:
        yield running


async def send(running: Running, issuer: Issuer, body: dict[str, Any]) -> httpx.Response:
    return await running.client.post("/graphql", json=body, headers=issuer.headers())


async def test_introspection_is_refused_but_typename_answers(prod: Running, issuer: Issuer) -> None:
    for query in ["{ __schema { types { name } } }", '{ __type(name: "Customer") { name } }']:
        response = await send(prod, issuer, {"query": query})
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "INTROSPECTION_DISABLED"}
        assert "Introspection is disabled" in error["message"]

    response = await send(prod, issuer, {"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_not_served(prod: Running, issuer: Issuer) -> None:
    headers = {**issuer.headers(), "Accept": "text/html"}
    response = await prod.client.get("/graphql", headers=headers)
    assert response.status_code in (404, 405)
    assert "graphiql" not in response.text.lower()
    asset = await prod.client.get("/graphiql/static/graphiql.min.js", headers=headers)
    assert asset.status_code == 404


async def test_graphiql_is_served_in_local_mode(tmp_path: Path) -> None:
    async with serve(Settings(data_dir=tmp_path)) as running:
        response = await running.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_no_field_suggestions(prod: Running, issuer: Issuer) -> None:
    response = await send(prod, issuer, {"query": "{ customerz { nodes { name } } }"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == "Cannot query field 'customerz' on type 'Query'."


async def test_persisted_only_refuses_a_raw_document(
    persisted_only: Running, issuer: Issuer
) -> None:
    before = persisted_only.sap.request_count
    response = await send(persisted_only, issuer, {"query": "{ customers { nodes { name } } }"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "PERSISTED_QUERY_REQUIRED"}
    assert persisted_only.sap.request_count == before


@pytest.mark.parametrize(
    "reference",
    [
        lambda h: {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": h}}},
        lambda h: {"documentId": f"sha256:{h}"},
    ],
    ids=["apollo", "documentId"],
)
async def test_persisted_only_runs_a_registered_operation_by_id(
    persisted_only: Running, issuer: Issuer, reference: Any
) -> None:
    body = {**reference(document_hash(CUSTOMERS)), "variables": {"n": 3}}
    response = await send(persisted_only, issuer, body)
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["customers"]["nodes"]) == 3


async def test_persisted_only_runs_a_registered_text(
    persisted_only: Running, issuer: Issuer
) -> None:
    response = await send(persisted_only, issuer, {"query": ORDERS})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["salesOrders"]["nodes"]) == 2


async def test_an_unknown_id_is_not_found_and_never_registered(
    persisted_only: Running, issuer: Issuer
) -> None:
    query = "{ customers(first: 1) { nodes { name } } }"
    ext = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(query)}}
    for body in ({"extensions": ext}, {"extensions": ext, "query": query}, {"extensions": ext}):
        response = await send(persisted_only, issuer, body)
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"query": ORDERS, "extensions": {"persistedQuery": {"sha256Hash": "0" * 64}}},
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
        ({"documentId": "orders-v1"}, "PERSISTED_QUERY_INVALID"),
        ({"extensions": {"persistedQuery": "abc"}}, "PERSISTED_QUERY_INVALID"),
    ],
)
async def test_a_bad_reference_gets_a_clear_error(
    persisted_only: Running, issuer: Issuer, body: dict[str, Any], code: str
) -> None:
    response = await send(persisted_only, issuer, body)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code}


async def test_local_mode_runs_raw_and_registered_documents(tmp_path: Path, registry: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        graphql={"persisted_operations": registry, "persisted_only": True},
    )
    async with serve(settings) as running:
        raw = await running.gql("{ customers(first: 1) { nodes { name } } }")
        by_id = await running.client.post(
            "/graphql", json={"documentId": document_hash(ORDERS)}, headers=ACCEPT
        )
    assert raw["_status"] == 200
    assert len(raw["data"]["customers"]["nodes"]) == 1
    assert by_id.status_code == 200
    assert len(by_id.json()["data"]["salesOrders"]["nodes"]) == 2


def test_persisted_only_without_a_registry_does_not_start(tmp_path: Path, issuer: Issuer) -> None:
    with pytest.raises(ValueError, match="persisted_operations"):
        create_app(production(tmp_path, issuer, persisted_only=True))


async def test_an_unexpected_failure_is_masked(
    prod: Running, issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    # The state database loses a table under the running gateway: a real internal failure.
    async with prod.gateway.engine.begin() as conn:
        await conn.execute(text("DROP TABLE quarantine"))
    response = await send(prod, issuer, {"query": "{ quarantine { totalCount } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert "extensions" not in error
    assert "no such table" not in response.text
    assert "no such table" in caplog.text


async def test_introspection_can_be_turned_back_on(tmp_path: Path, issuer: Issuer) -> None:
    async with serve(production(tmp_path, issuer, introspection=True)) as running:
        response = await send(running, issuer, {"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


# Agent tools: their own operations run where only registered ones do; ad-hoc queries not.
async def call_tool(
    running: Running, issuer: Issuer, tool: str, **arguments: Any
) -> dict[str, Any]:
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments},
    }
    headers = {**issuer.headers(), "Accept": "application/json, text/event-stream"}
    response = await running.client.post("/mcp", json=message, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


async def test_tools_run_their_own_operations_where_only_registered_ones_run(
    persisted_only: Running, issuer: Issuer
) -> None:
    stock = await call_tool(persisted_only, issuer, "stock_availability", sku="TG11")
    adhoc = await call_tool(
        persisted_only, issuer, "graphql_query", query="{ products { totalCount } }"
    )

    assert stock["isError"] is False, stock
    assert stock["content"][0]["text"].startswith("[inventory]")
    assert adhoc["isError"] is True
    assert "PERSISTED_QUERY_REQUIRED" in adhoc["content"][0]["text"]
