"""TrytonAdapter's employees (``company.employee``) against a real trytond (writable copy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from system_apis.contracts.errors import NotFound
from system_apis.contracts.people import EmployeeDetail, EmployeeFilter, EmploymentStatus
from system_apis.contracts.queries import PageRequest
from system_apis.tryton import TrytonAdapter
from tests.integration.tryton.tryton_support import CONNECTION, make_adapter

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)


@pytest.fixture
def rpc(tryton_fresh: Any) -> Iterator[Any]:
    with tryton_fresh.rpc() as rpc:
        yield rpc


@pytest.fixture
def hired(rpc: Any) -> dict[str, int]:
    """Two employees of the demo company: one current, one who left last year."""
    (company,) = rpc.search_read("company.company", [], ["id"])
    today = dt.date.today()
    ids: dict[str, int] = {}
    for name, code, end in (
        ("Greta Employee", "EMP-1", None),
        ("Hugo Former", "EMP-2", today.replace(year=today.year - 1)),
    ):
        (party,) = rpc.model("party.party", "create", [{"name": name, "code": code}])
        values: dict[str, Any] = {
            "party": party,
            "company": company["id"],
            "start_date": dt.date(2020, 2, 1),
        }
        if end is not None:
            values["end_date"] = end
        (employee,) = rpc.model("company.employee", "create", [values])
        ids[name] = employee
    return ids


@pytest.fixture
async def adapter(tryton_fresh: Any) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton_fresh)
    yield adapter
    await adapter.aclose()


async def test_lists_employees_with_status_and_no_payroll(
    adapter: TrytonAdapter, hired: dict[str, int]
) -> None:
    page = await adapter.list_employees(EmployeeFilter(details=frozenset(EmployeeDetail)), ALL)
    by_name = {e.last_name: e for e in page.items}
    greta = by_name["Greta Employee"]
    assert greta.id == f"{CONNECTION}:{hired['Greta Employee']}"
    assert greta.personnel_number == "EMP-1"
    assert greta.hire_date == dt.date(2020, 2, 1)
    assert greta.status is EmploymentStatus.ACTIVE
    assert greta.company
    assert greta.salary is None
    assert greta.bank_account is None
    assert by_name["Hugo Former"].status is EmploymentStatus.TERMINATED


async def test_filters_and_get(adapter: TrytonAdapter, hired: dict[str, int]) -> None:
    named = await adapter.list_employees(EmployeeFilter(name_contains="greta"), ALL)
    assert [e.native_id for e in named.items] == [str(hired["Greta Employee"])]
    left = await adapter.list_employees(EmployeeFilter(status=EmploymentStatus.TERMINATED), ALL)
    assert str(hired["Hugo Former"]) in {e.native_id for e in left.items}
    assert str(hired["Greta Employee"]) not in {e.native_id for e in left.items}
    leave = await adapter.list_employees(EmployeeFilter(status=EmploymentStatus.ON_LEAVE), ALL)
    assert leave.total == 0
    one = await adapter.get_employee(str(hired["Hugo Former"]))
    assert one.last_name == "Hugo Former"
    with pytest.raises(NotFound):
        await adapter.get_employee("999999")
