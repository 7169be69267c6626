"""Relay-style pages: cursors, page info, total count, default and maximum page size."""

from __future__ import annotations

import base64

import pytest
import strawberry

from experience_api.schema.common import decode_cursor, encode_cursor
from experience_api.schema.errors import ClientError
from experience_api.services import PagingLimits
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, data, make_services, only_error, runner, seed_orders

PAGE = """
query Page($first: Int, $after: String) {
  salesOrders(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id }
  }
}"""


async def test_default_page_size_and_second_page(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 25)

    first = data(await gql(PAGE))["salesOrders"]
    assert first["totalCount"] == 25
    assert len(first["edges"]) == 20
    assert first["nodes"] == [edge["node"] for edge in first["edges"]]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][-1]["cursor"],
    }

    second = data(await gql(PAGE, {"after": first["pageInfo"]["endCursor"]}))["salesOrders"]
    assert len(second["edges"]) == 5
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    ids = [n["id"] for n in first["nodes"] + second["nodes"]]
    assert sorted(ids) == sorted(o.id for o in erp.orders.values())


async def test_every_edge_cursor_resumes_after_its_node(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 6)
    everything = data(await gql(PAGE, {"first": 6}))["salesOrders"]["edges"]

    for index, edge in enumerate(everything):
        rest = data(await gql(PAGE, {"first": 6, "after": edge["cursor"]}))["salesOrders"]
        assert [e["node"] for e in rest["edges"]] == [e["node"] for e in everything[index + 1 :]]


async def test_empty_page(gql: Run) -> None:
    page = data(await gql(PAGE))["salesOrders"]
    assert page == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
        "nodes": [],
    }


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_out_of_bounds_is_refused_before_any_call(
    gql: Run, erp: MemoryErp, first: int
) -> None:
    result = await gql(PAGE, {"first": first})

    assert result.data is None
    error = only_error(result)
    assert "between 1 and 100" in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
    assert sum(erp.calls.values()) == 0


async def test_limits_come_from_the_services(schema: strawberry.Schema, erp: MemoryErp) -> None:
    await seed_orders(erp, 8)
    gql = runner(schema, make_services({"EU01": erp}, PagingLimits(5, 7)))

    assert len(data(await gql(PAGE))["salesOrders"]["edges"]) == 5
    assert len(data(await gql(PAGE, {"first": 7}))["salesOrders"]["edges"]) == 7
    assert "between 1 and 7" in only_error(await gql(PAGE, {"first": 8}))["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "",
        base64.urlsafe_b64encode(b"offset:-1").decode(),
        base64.urlsafe_b64encode(b"page:3").decode(),
        base64.urlsafe_b64encode(b"offset:").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "b2Zmc2V0OjE" * 10,
    ],
)
async def test_bad_cursor_is_a_clear_error(gql: Run, erp: MemoryErp, cursor: str) -> None:
    result = await gql(PAGE, {"after": cursor})

    error = only_error(result)
    assert error["message"].startswith("invalid cursor")
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
    assert sum(erp.calls.values()) == 0


@pytest.mark.parametrize(
    "position",
    [
        {"EU01": "0000000001"},
        {"EU01": '["2026-12-03","19"]'},
        {"EU01": "3", "US01": "SKU/ä; =\\"},
        {"a-b_c": 1},
        {"EU01": 2**70, "US01": "line\nfeed\x01\x7f"},
    ],
)
def test_cursor_round_trip(position: dict[str, int | str]) -> None:
    assert decode_cursor(encode_cursor(position, "orders"), "orders") == position


def test_decode_rejects_foreign_cursor() -> None:
    with pytest.raises(ClientError, match="invalid cursor"):
        decode_cursor("YXJyYXljb25uZWN0aW9uOjE=", "orders")  # another server's "arrayconnection:1"


def test_a_cursor_of_another_list_is_refused() -> None:
    cursor = encode_cursor({"EU01": "1"}, "customers")
    with pytest.raises(ClientError, match="belongs to another list"):
        decode_cursor(cursor, "orders")


@pytest.mark.parametrize(
    "body",
    [
        b"ks:orders:{}",
        b"ks:orders:[]",
        b'ks:orders:{"EU01":""}',
        b'ks:orders:{"EU01":-1}',
        b'ks:orders:{"EU01":true}',
        b'ks:orders:{"EU01":null}',
        b'ks:orders:{"":"1"}',
        b'ks:orders:{"EU01":"1"',
        b"ks:orders:" + b'{"EU01":"' + b"9" * 201 + b'"}',
    ],
)
def test_a_tampered_cursor_is_refused(body: bytes) -> None:
    with pytest.raises(ClientError, match="invalid cursor"):
        decode_cursor(base64.urlsafe_b64encode(body).decode(), "orders")


async def test_an_order_created_while_paging_is_not_read_twice(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 6)
    first = data(await gql(PAGE, {"first": 3}))["salesOrders"]
    await seed_orders(erp, 1)  # newest first: it lands before the client's position

    second = data(await gql(PAGE, {"first": 3, "after": first["pageInfo"]["endCursor"]}))
    ids = [n["id"] for n in first["nodes"] + second["salesOrders"]["nodes"]]
    assert len(ids) == len(set(ids)) == 6
    assert second["salesOrders"]["pageInfo"]["hasNextPage"] is False
    assert second["salesOrders"]["totalCount"] == 7


async def test_a_cursor_of_an_earlier_release_is_read_as_an_offset(
    gql: Run, erp: MemoryErp
) -> None:
    await seed_orders(erp, 5)
    everything = data(await gql(PAGE, {"first": 5}))["salesOrders"]["nodes"]
    legacy = base64.urlsafe_b64encode(b"at:EU01=1").decode()

    rest = data(await gql(PAGE, {"first": 5, "after": legacy}))["salesOrders"]
    assert rest["nodes"] == everything[1:]  # "=1": one record read
    following = data(await gql(PAGE, {"first": 1, "after": rest["edges"][0]["cursor"]}))
    assert following["salesOrders"]["nodes"] == everything[2:3]


QUERIES = {
    "customers": "{ customers(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }",
    "products": "{ products(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }",
    "inventory": "{ inventory(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }",
    "invoices": "{ invoices(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }",
}


@pytest.mark.parametrize("name", QUERIES)
async def test_every_list_is_paged(gql: Run, erp: MemoryErp, name: str) -> None:
    page = data(await gql(QUERIES[name]))[name]
    expected_total = {"customers": 3, "products": 4, "inventory": 4, "invoices": 0}[name]
    assert page["totalCount"] == expected_total
    assert len(page["nodes"]) == min(2, expected_total)
    assert page["pageInfo"]["hasNextPage"] is (expected_total > 2)

    refused = await gql(QUERIES[name].replace("first: 2", "first: 1000"))
    assert "between 1 and 100" in only_error(refused)["message"]


async def test_a_key_the_erp_never_produced_is_a_clear_error(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 2)
    forged = base64.urlsafe_b64encode(b'ks:orders:{"EU01":"not an order key"}').decode()

    error = only_error(await gql(PAGE, {"after": forged}))
    assert "not a sales order page key" in error["message"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
