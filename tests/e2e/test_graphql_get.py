"""GraphQL over HTTP with GET: queries as URL parameters (what ``@urql/core`` sends for short
queries), never mutations, under the same limits as POST; errors as GraphQL error bodies."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from experience_api.security.config import AuthSettings
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings
from tests.e2e.conftest import Running
from tests.e2e.test_limits import ACCEPT, LIMITS, serve

CUSTOMERS = "query Customers($n: Int) { customers(first: $n) { nodes { name } } }"


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Running]:
    async with serve(Settings(data_dir=tmp_path, graphql=LIMITS)) as running:
        yield running


async def test_a_query_runs_over_get(limited: Running) -> None:
    params = {"query": CUSTOMERS, "variables": json.dumps({"n": 2}), "operationName": "Customers"}
    before = limited.sap.request_count
    response = await limited.client.get("/graphql", params=params, headers=ACCEPT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert len(response.json()["data"]["customers"]["nodes"]) == 2
    assert limited.sap.request_count > before


async def test_a_mutation_over_get_is_405_with_allow_post(limited: Running) -> None:
    mutation = "mutation { placeSalesOrder(input: {}) { __typename } }"
    before = limited.sap.request_count
    response = await limited.client.get("/graphql", params={"query": mutation}, headers=ACCEPT)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    [error] = response.json()["errors"]
    assert "POST" in error["message"]
    assert limited.sap.request_count == before


async def test_limits_hold_over_get(limited: Running) -> None:
    deep = "{ salesOrders(first: 1) { nodes { customer { address { city } } } } }"
    before = limited.sap.request_count
    response = await limited.client.get("/graphql", params={"query": deep}, headers=ACCEPT)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"

    huge = "{ customers { nodes { name } } }" + " " * LIMITS["max_request_bytes"]
    response = await limited.client.get("/graphql", params={"query": huge}, headers=ACCEPT)
    assert response.status_code == 414
    assert response.json()["errors"][0]["message"].startswith("The query string is larger")
    assert limited.sap.request_count == before


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (ACCEPT["Accept"], "application/graphql-response+json"),
        ("application/json", "application/json"),
    ],
)
async def test_malformed_get_gets_a_graphql_error_body(
    limited: Running, accept: str, media_type: str
) -> None:
    response = await limited.client.get(
        "/graphql",
        params={"query": CUSTOMERS, "variables": "{not json"},
        headers={"Accept": accept},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(media_type)
    assert response.json()["errors"][0]["message"]


async def test_graphiql_stays_on_get_with_html(limited: Running) -> None:
    response = await limited.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    # Everything the page loads comes from the gateway itself.
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources
    assert all(s.startswith("/graphiql/static/") or s == "data:," for s in sources), sources
    for source in sources[1:]:
        assert (await limited.client.get(source)).status_code == 200, source
    licence = await limited.client.get("/graphiql/static/graphiql.LICENSE.txt")
    assert "MIT" in licence.text


async def test_a_query_over_get_needs_a_token_where_post_does(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth=AuthSettings(local_anonymous=False))
    token = load_or_create_dev_key(tmp_path).issue(
        audience="erp-gateway", subject="dev", roles=["sales"], companies=["*"]
    )
    query = {"query": "{ customers(first: 1) { nodes { name } } }"}
    async with serve(settings) as running:
        page = await running.client.get("/graphql", headers={"Accept": "text/html"})
        anonymous = await running.client.get("/graphql", params=query, headers=ACCEPT)
        # A page request that also names a query is an operation: no way around the token.
        sneaky = await running.client.get(
            "/graphql", params=query, headers={"Accept": "text/html, */*"}
        )
        signed = await running.client.get(
            "/graphql", params=query, headers={**ACCEPT, "Authorization": f"Bearer {token}"}
        )
    assert page.status_code == 200
    assert anonymous.status_code == 401
    assert sneaky.status_code == 401
    assert signed.status_code == 200
    assert signed.json()["data"]["customers"]["nodes"]


async def test_another_method_gets_405_as_a_graphql_error(limited: Running) -> None:
    response = await limited.client.put(
        "/graphql", json={"query": "{ __typename }"}, headers=ACCEPT
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"]["code"]
