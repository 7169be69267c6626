"""The GraphQL examples of README.md and docs/*.md answer as shown when pasted, in order, into
the GraphiQL of a gateway started with `make run` (the embedded SAP sandbox): no errors, no
user errors, and the variables the text tells the reader to fill in taken from the answers
before. Subscriptions are only validated (tests/unit/graphql/test_doc_examples.py)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from tests.e2e.conftest import Running
from tests.support.docs import Example, graphql_examples


def _user_errors(value: Any) -> list[Any]:
    """Every non-empty ``errors`` list of a payload anywhere in the answer."""
    if isinstance(value, dict):
        found = [value["errors"]] if value.get("errors") else []
        return found + [e for v in value.values() for e in _user_errors(v)]
    if isinstance(value, list):
        return [e for v in value for e in _user_errors(v)]
    return []


async def _run_in_order(running: Running, examples: list[Example]) -> int:
    """Runs every query and mutation of ``examples``; how many operations ran."""
    remembered: dict[str, Any] = {}
    ran = 0
    for example in examples:
        for operation in parse(example.text).definitions:
            assert isinstance(operation, OperationDefinitionNode)
            if operation.operation is OperationType.SUBSCRIPTION:
                continue
            wanted = [v.variable.name.value for v in operation.variable_definitions or ()]
            assert set(wanted) <= set(remembered), f"{example.name} needs {wanted}"
            body = await running.client.post(
                "/graphql",
                json={
                    "query": example.text,
                    "operationName": operation.name.value if operation.name else None,
                    "variables": {name: remembered[name] for name in wanted},
                },
            )
            answer = body.json()
            assert body.status_code == 200, (example.name, answer)
            assert "errors" not in answer, (example.name, answer)
            assert _user_errors(answer["data"]) == [], (example.name, answer)
            placed = (answer["data"].get("placeOrder") or {}).get("order")
            if placed is not None:
                remembered["orderId"] = placed["id"]
            ran += 1
    return ran


async def test_the_readme_examples_run_in_order_against_the_sandbox(running: Running) -> None:
    readme = [example for example in graphql_examples() if example.file == "README.md"]

    ran = await _run_in_order(running, readme)

    assert ran == len(readme) >= 4
    status = await running.gql(
        "query($id: ID!) { orderStatus(orderId: $id) { status invoices { status } } }",
        {"id": (await _placed_order(running))},
    )
    # The reader's order went all the way: shipped and billed.
    assert status["data"]["orderStatus"]["status"] == "INVOICED"
    assert [i["status"] for i in status["data"]["orderStatus"]["invoices"]] == ["POSTED"]


async def _placed_order(running: Running) -> str:
    again = await running.gql(
        'mutation { placeOrder(input: { idempotencyKey: "demo-0001", customerId: "EU01:10100001"'
        ', lines: [{ sku: "TG11", quantity: "2" }] }) { order { id } } }'
    )
    order_id: str = again["data"]["placeOrder"]["order"]["id"]
    return order_id


@pytest.mark.parametrize(
    "document", sorted({e.file for e in graphql_examples() if e.file != "README.md"})
)
async def test_the_examples_of_each_document_run_against_the_sandbox(
    running: Running, document: str
) -> None:
    examples = [e for e in graphql_examples() if e.file == document]

    ran = await _run_in_order(running, examples)

    assert ran == sum(
        1
        for e in examples
        for op in parse(e.text).definitions
        if isinstance(op, OperationDefinitionNode)
        and op.operation is not OperationType.SUBSCRIPTION
    )
