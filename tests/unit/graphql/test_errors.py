"""Error masking: client errors pass with their code, everything else says nothing."""

from __future__ import annotations

import logging

import pytest

from experience_api.schema.errors import graphql_field
from system_apis.contracts import errors as erp_errors
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, only_error, seed_orders

SECRET = "connection refused by https://sap.internal:44300/sap/opu/odata/A_Customer"


async def test_unexpected_exception_is_masked(gql: Run, erp: MemoryErp) -> None:
    erp.fail_with["list_customers"] = lambda: RuntimeError(SECRET)

    result = await gql("{ customers { nodes { id } } }")

    error = only_error(result)
    assert error["message"] == "Unexpected error."
    assert "extensions" not in error
    assert error["path"] == ["customers"]
    for hidden in ("sap.internal", "odata", "RuntimeError", "Traceback", "memory_erp"):
        assert hidden not in repr(error)


async def test_unexpected_failure_in_a_mutation_is_masked(gql: Run, erp: MemoryErp) -> None:
    erp.fail_with["create_sales_order"] = lambda: KeyError(SECRET)

    result = await gql(
        """mutation { placeOrder(input: {idempotencyKey: "k", customerId: "EU01:100",
             lines: [{sku: "P-1", quantity: "1"}]}) { order { id } } }"""
    )

    assert result.data is None
    assert only_error(result)["message"] == "Unexpected error."


async def test_unexpected_failure_in_a_nested_field_spares_the_rest(
    gql: Run, erp: MemoryErp
) -> None:
    await seed_orders(erp, 2)
    erp.fail_with["list_customers"] = lambda: ValueError(SECRET)

    result = await gql("{ salesOrders { nodes { number customer { name } } } }")

    assert result.data == {
        "salesOrders": {
            "nodes": [{"number": "2", "customer": None}, {"number": "1", "customer": None}]
        }
    }
    assert result.errors is not None
    assert {e.message for e in result.errors} == {"Unexpected error."}


async def test_erp_outage_in_a_query_is_a_client_error(gql: Run, erp: MemoryErp) -> None:
    erp.fail_with["list_products"] = lambda: erp_errors.Throttled(SECRET, retry_after=12)

    error = only_error(await gql("{ products { totalCount } }"))

    assert error["message"] == "the ERP is unavailable, try again later"
    assert error["extensions"] == {"code": "ERP_UNAVAILABLE", "retryAfter": 12}
    assert "sap.internal" not in repr(error)


async def test_client_document_errors_stay_readable(gql: Run) -> None:
    syntax = only_error(await gql("{ customers { "))
    assert "Syntax Error" in syntax["message"]

    unknown = only_error(await gql("{ customers { nodes { shoeSize } } }"))
    assert "shoeSize" in unknown["message"]

    bad_variable = only_error(
        await gql("query($n: Int) { customers(first: $n) { totalCount } }", {"n": "x"})
    )
    assert "$n" in bad_variable["message"]


async def test_only_unexpected_errors_are_logged(
    gql: Run, erp: MemoryErp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)

    await gql("{ customers(first: 0) { totalCount } }")
    await gql('{ salesOrder(id: "nonsense") { id } }')
    assert caplog.records == []

    erp.fail_with["list_customers"] = lambda: RuntimeError(SECRET)
    await gql("{ customers { totalCount } }")
    [record] = caplog.records
    # Operators get the original, with its traceback; the client did not.
    assert record.exc_info is not None
    assert SECRET in caplog.text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (None, None),
        ("", None),
        ("customer_id", "customerId"),
        ("lines.0.quantity", "lines.0.quantity"),
        ("idempotency_key", "idempotencyKey"),
        ("filter.customerId", "filter.customerId"),
    ],
)
def test_flow_field_paths_become_camel_case(path: str | None, expected: str | None) -> None:
    assert graphql_field(path) == expected


async def test_data_survives_a_client_error_in_a_sibling_field(gql: Run) -> None:
    result = await gql('{ products(first: 1) { totalCount } salesOrder(id: "bad") { id } }')
    assert result.data == {"products": {"totalCount": 4}, "salesOrder": None}
    assert only_error(result)["extensions"]["code"] == "INVALID_INPUT"
