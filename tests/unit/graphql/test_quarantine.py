"""The quarantine's admin API: list, inspect, edit, replay and discard through the schema."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from system_apis.contracts import errors as erp_errors
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, data, only_error
from tests.unit.graphql.test_mutations import place

RECORD = """
  id kind connection idempotencyKey payload reason attempts status createdAt updatedAt
  erpError { code message }
  resolution { status resolvedBy note result resolvedAt }
"""
ERRORS = """errors { __typename message code field
  ... on ErpUnavailableError { retryAfter quarantineId } }"""
LIST = f"""
query List($filter: QuarantineFilter, $first: Int, $after: String) {{
  quarantine(filter: $filter, first: $first, after: $after) {{
    totalCount nodes {{ {RECORD} }} pageInfo {{ hasNextPage hasPreviousPage endCursor }}
  }}
}}"""
GET = f"query Get($id: ID!) {{ quarantinedRecord(id: $id) {{ {RECORD} }} }}"
EDIT = f"""mutation Edit($id: ID!, $payload: JSON!) {{
  editQuarantinedRecord(id: $id, payload: $payload) {{ record {{ {RECORD} }} {ERRORS} }} }}"""
REPLAY = f"""mutation Replay($id: ID!) {{
  replayQuarantinedRecord(id: $id) {{ record {{ {RECORD} }} order {{ id lines {{ sku }} }}
  {ERRORS} }} }}"""
DISCARD = f"""mutation Discard($id: ID!, $note: String!) {{
  discardQuarantinedRecord(id: $id, note: $note) {{ record {{ {RECORD} }} {ERRORS} }} }}"""
REPLAY_ALL = f"""mutation All($kind: String) {{
  replayQuarantine(kind: $kind) {{ replayed failed skipped {ERRORS} }} }}"""


def down(erp: MemoryErp) -> None:
    erp.fail_with["create_sales_order"] = lambda: erp_errors.Unavailable("connection refused")


async def quarantine(gql: Run, erp: MemoryErp, key: str = "key-1") -> str:
    down(erp)
    [error] = (await place(gql, idempotencyKey=key))["errors"]
    assert error["__typename"] == "ErpUnavailableError"
    quarantine_id: str = error["quarantineId"]
    return quarantine_id


async def call(gql: Run, query: str, **variables: Any) -> dict[str, Any]:
    result = data(await gql(query, variables))
    payload: dict[str, Any] = next(iter(result.values()))
    return payload


async def test_a_quarantined_order_is_listed_with_its_reason(gql: Run, erp: MemoryErp) -> None:
    record_id = await quarantine(gql, erp)

    listed = await call(gql, LIST, filter={"status": "OPEN", "kind": "place_order"})

    assert listed["totalCount"] == 1
    [node] = listed["nodes"]
    assert node["id"] == record_id
    assert (node["kind"], node["connection"], node["idempotencyKey"]) == (
        "place_order",
        "EU01",
        "key-1",
    )
    assert node["payload"] == {
        "idempotency_key": "key-1",
        "customer_id": "EU01:100",
        "lines": [{"sku": "P-1", "quantity": "3", "location": None}],
    }
    assert node["erpError"] == {"code": "Unavailable", "message": "connection refused"}
    assert (node["attempts"], node["status"], node["resolution"]) == (1, "OPEN", None)
    assert await call(gql, GET, id=record_id) == node
    assert await call(gql, GET, id="nope") is None


async def test_pages_and_filters(gql: Run, erp: MemoryErp) -> None:
    ids = [await quarantine(gql, erp, key) for key in ("a", "b", "c")]

    first = await call(gql, LIST, first=2)
    assert [n["id"] for n in first["nodes"]] == ids[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await call(gql, LIST, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["id"] for n in rest["nodes"]] == ids[2:]
    assert rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    assert (await call(gql, LIST, filter={"status": "DISCARDED"}))["totalCount"] == 0
    assert (await call(gql, LIST, filter={"connection": "US01"}))["totalCount"] == 0


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"after": "garbage"}, "after"), ({"first": 0}, "first"), ({"filter": {"kind": "x"}}, "kind")],
)
async def test_bad_list_arguments_are_client_errors(
    gql: Run, variables: dict[str, Any], field: str
) -> None:
    error = only_error(await gql(LIST, variables))
    assert error["extensions"]["field"] == field


async def test_replay_places_the_order_once(gql: Run, erp: MemoryErp) -> None:
    record_id = await quarantine(gql, erp)
    del erp.fail_with["create_sales_order"]

    replayed = await call(gql, REPLAY, id=record_id)

    assert replayed["errors"] == []
    order_id = replayed["order"]["id"]
    assert replayed["record"]["status"] == "REPLAYED"
    assert replayed["record"]["attempts"] == 2
    resolution = replayed["record"]["resolution"]
    assert (resolution["status"], resolution["resolvedBy"], resolution["result"]) == (
        "REPLAYED",
        "graphql:internal",
        order_id,
    )
    again = await call(gql, REPLAY, id=record_id)
    assert [e["__typename"] for e in again["errors"]] == ["InvalidStateError"]
    assert (await place(gql))["order"]["id"] == order_id
    assert len(erp.orders) == 1


async def test_a_failed_replay_reports_and_stays_open(gql: Run, erp: MemoryErp) -> None:
    record_id = await quarantine(gql, erp)

    replayed = await call(gql, REPLAY, id=record_id)

    [error] = replayed["errors"]
    assert (error["__typename"], error["quarantineId"]) == ("ErpUnavailableError", record_id)
    assert replayed["order"] is None
    assert (replayed["record"]["status"], replayed["record"]["attempts"]) == ("OPEN", 2)


async def test_edit_validates_the_payload(gql: Run, erp: MemoryErp) -> None:
    record_id = await quarantine(gql, erp)
    payload = (await call(gql, GET, id=record_id))["payload"]

    bad = await call(gql, EDIT, id=record_id, payload={**payload, "customer_id": "EU01"})
    [error] = bad["errors"]
    assert (error["__typename"], error["field"]) == ("ValidationError", "payload.customer_id")
    assert bad["record"] is None
    not_json_object = await call(gql, EDIT, id=record_id, payload=[1, 2])
    assert not_json_object["errors"][0]["field"] == "payload"

    lines = [{"sku": "P-2", "quantity": 5}]
    good = await call(gql, EDIT, id=record_id, payload={**payload, "lines": lines})
    assert good["errors"] == []
    assert good["record"]["payload"]["lines"] == [{"sku": "P-2", "quantity": "5", "location": None}]
    del erp.fail_with["create_sales_order"]
    replayed = await call(gql, REPLAY, id=record_id)
    assert replayed["order"]["lines"] == [{"sku": "P-2"}]


async def test_discard(gql: Run, erp: MemoryErp) -> None:
    record_id = await quarantine(gql, erp)

    discarded = await call(gql, DISCARD, id=record_id, note="duplicate of a phone order")

    assert discarded["errors"] == []
    assert discarded["record"]["status"] == "DISCARDED"
    assert discarded["record"]["resolution"]["note"] == "duplicate of a phone order"
    [retry] = (await place(gql))["errors"]
    assert (retry["__typename"], retry["field"]) == ("InvalidStateError", "idempotencyKey")
    missing = await call(gql, DISCARD, id="nope", note="x")
    assert [e["__typename"] for e in missing["errors"]] == ["NotFoundError"]
    assert erp.orders == {}


async def test_replay_all(gql: Run, erp: MemoryErp) -> None:
    for key in ("a", "b"):
        await quarantine(gql, erp, key)
    del erp.fail_with["create_sales_order"]

    summary = await call(gql, REPLAY_ALL, kind="place_order")

    assert summary == {"replayed": 2, "failed": 0, "skipped": 0, "errors": []}
    assert len(erp.orders) == 2
    unknown = await call(gql, REPLAY_ALL, kind="teleport")
    assert unknown["errors"][0]["field"] == "kind"


def test_every_quarantine_operation_says_it_is_for_admins(schema: strawberry.Schema) -> None:
    graphql = schema._schema
    fields = {
        **{f"Query.{n}": f for n, f in graphql.query_type.fields.items()},  # type: ignore[union-attr]
        **{f"Mutation.{n}": f for n, f in graphql.mutation_type.fields.items()},  # type: ignore[union-attr]
    }
    admin = {name for name, field in fields.items() if "uarantin" in name}
    assert len(admin) == 6
    for name in admin:
        assert fields[name].description.startswith("Admin operation"), name
