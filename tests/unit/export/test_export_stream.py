"""The export's plan, lines and stream over the in-memory ERP: what a client receives."""

from __future__ import annotations

import io
import json

import pytest

from experience_api.export.endpoint import _guarded
from experience_api.export.ndjson import lines
from experience_api.export_command import ProgressLine
from process_apis.connections import Connections
from process_apis.errors import ErpUnavailable, InvalidInput
from process_apis.export import Exporter, ExportKind, parse_kind
from system_apis.contracts import errors
from system_apis.contracts.models import Customer
from system_apis.contracts.queries import CustomerFilter, Page, PageRequest
from tests.fakes.memory_erp import MemoryErp


class FailsLater(MemoryErp):
    """Answers its first page of customers, then is unreachable."""

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        if page.offset > 0 or page.after is not None:
            raise errors.Unavailable("connection reset")
        return await super().list_customers(filter, page)


def erp(connection: str, erp_type: type[MemoryErp] = MemoryErp) -> MemoryErp:
    built = erp_type(connection)
    for index in range(1, 8):
        built.add_customer(f"{index:03d}", f"Customer {index}")
        built.set_credit_limit(f"{index:03d}", "1000.00")
    return built


def exporter(*erps: MemoryErp) -> Exporter:
    return Exporter(Connections({e.source.connection: e for e in erps}))


async def test_records_are_lines_without_the_fields_the_caller_may_not_see() -> None:
    plan = exporter(erp("EU01")).plan(
        ExportKind.CUSTOMERS, connection=None, visible=None, granted=["customers:read"]
    )
    seen: list[int] = []
    body = b"".join([block async for block in lines(plan, seen.append)])
    records = [json.loads(line) for line in body.splitlines()]
    assert [r["native_id"] for r in records] == [f"{i:03d}" for i in range(1, 8)]
    assert all("credit_limit" not in r for r in records)
    assert seen == [3, 6, 7]
    granted = exporter(erp("EU01")).plan(
        ExportKind.CUSTOMERS, connection=None, visible=None, granted=["credit:read"]
    )
    with_credit = [
        json.loads(line) async for block in lines(granted) for line in block.splitlines()
    ]
    assert all(r["credit_limit"]["amount"]["amount"] == "1000.00" for r in with_credit)


async def test_connections_outside_the_callers_companies_are_unknown() -> None:
    export = exporter(erp("EU01"), erp("US01"))
    with pytest.raises(InvalidInput, match="unknown connection 'US01'"):
        export.plan(ExportKind.PRODUCTS, connection="US01", visible=["EU01"], granted=[])
    plan = export.plan(ExportKind.PRODUCTS, connection=None, visible=["US01"], granted=[])
    assert plan.connections == ("US01",)
    with pytest.raises(InvalidInput, match="unknown export kind"):
        parse_kind("employees")
    assert parse_kind("Sales-Orders") is ExportKind.SALES_ORDERS


async def test_a_failure_after_the_first_records_ends_the_stream_with_an_error_line() -> None:
    plan = exporter(erp("EU01", FailsLater)).plan(
        ExportKind.CUSTOMERS, connection=None, visible=None, granted=[]
    )
    blocks = lines(plan)
    first = await anext(blocks)
    body = b"".join([block async for block in _guarded(plan, first, blocks)])
    *records, last = [json.loads(line) for line in body.splitlines()]
    assert len(records) == 3
    assert last["error"]["code"] == ErpUnavailable.code


def test_the_progress_line_counts_records_in_place() -> None:
    out = io.StringIO()
    progress = ProgressLine("inventory", out)
    progress(5000)
    progress(12000)
    progress.done()
    text = out.getvalue()
    assert text.startswith("\rinventory: 5,000 records, ")
    assert text.endswith("\n")
    assert "inventory: 12,000 records" in text.split("\r")[-1]
