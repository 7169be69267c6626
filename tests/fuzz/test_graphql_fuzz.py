"""Schemathesis fuzzes POST /graphql of a real gateway process over the embedded SAP sandbox.

Every query and mutation field of the served schema (loaded by introspection) gets a bounded
number of generated operations, valid and invalid arguments alike; mutations reach the
sandbox, whose data lives in a temporary directory. Every answer must be a well-formed
GraphQL response: never a 5xx, never an unexpected (masked) resolver error, and every error
a client sees either comes from validation or carries a ``code``.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes

from tests.e2e.processes import command, free_port

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 12
ACCEPT = "application/graphql-response+json, application/json"
UNEXPECTED = "Unexpected error."
GRAPHQL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,12}")


def _json_node(value: Any) -> graphql.ValueNode:
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_json_node(v))
                for k, v in value.items()
            ]
        )
    if isinstance(value, list):
        return nodes.List([_json_node(v) for v in value])
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    return nodes.String(value)


def _register_scalars() -> None:
    decimals = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**6).map(str),
        st.sampled_from(["1", "2", "0", "-1", "1e3", "abc", ""]),
    )
    schemathesis.graphql.scalar("Decimal", decimals.map(nodes.String))
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=12),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.from_regex(GRAPHQL_NAME, fullmatch=True), inner, max_size=3)
        ),
        max_leaves=8,
    )
    schemathesis.graphql.scalar("JSON", json_values.map(_json_node))


@dataclass
class Findings:
    """What the gateway answered over the whole run."""

    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def well_formed(response: Any) -> str | None:
    """Why the answer is not a clean GraphQL-over-HTTP response, or None when it is."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    content_type = ",".join(response.headers.get("content-type", []))
    if not content_type.startswith("application/graphql-response+json"):
        return f"content type {content_type!r}"
    try:
        body = json.loads(response.text)
    except ValueError:
        return f"not JSON: {response.text[:200]}"
    if not isinstance(body, dict) or not set(body) <= {"data", "errors", "extensions"}:
        return f"not a GraphQL response: {body!r:.300}"
    errors = body.get("errors", [])
    if response.status_code == 400 and ("data" in body or not errors):
        return f"a request error must come with errors and without data: {body!r:.300}"
    if response.status_code == 200 and "data" not in body:
        return f"an executed operation must answer data: {body!r:.300}"
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return f"malformed error: {error!r:.300}"
        if error["message"] == UNEXPECTED:
            return f"a resolver failed unexpectedly: {body!r:.500}"
        if "path" in error and "code" not in (error.get("extensions") or {}):
            return f"a field error without a code: {error!r:.300}"
    return None


@pytest.fixture(scope="module")
def gateway_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with command(["serve", "--port", str(port), "--data-dir", data_dir], f"{url}/ready"):
            yield url


def test_fuzzed_operations_never_fail_the_server(gateway_url: str) -> None:
    _register_scalars()
    schema = schemathesis.graphql.from_url(f"{gateway_url}/graphql")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), [r for r in results if not isinstance(r, Ok)]
    labels = {operation.label for operation in operations}
    assert {"Query.salesOrders", "Mutation.placeOrder"} <= labels
    findings = Findings()

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            # The first counterexample is reported as found: shrinking would repeat requests.
            phases=[Phase.explicit, Phase.generate],
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(base_url=gateway_url, headers={"Accept": ACCEPT})
            findings.cases += 1
            findings.statuses[response.status_code] = (
                findings.statuses.get(response.status_code, 0) + 1
            )
            problem = well_formed(response)
            assert problem is None, f"{problem}\n{case.as_curl_command()}"

        try:
            fuzz()
        except Exception as exc:  # every operation runs; all findings are reported at the end
            findings.problems.append(f"{operation.label}: {exc}")

    assert not findings.problems, "\n\n".join(findings.problems)
    assert findings.cases >= len(operations)
    assert set(findings.statuses) <= {200, 400}, findings.statuses
