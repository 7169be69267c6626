"""The employee reads every adapter that reads employees must honour (the `subject` fixture)."""

from __future__ import annotations

import pytest

from system_apis.contracts import errors
from system_apis.contracts.people import EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import PageRequest
from tests.contract.conftest import Subject

pytestmark = [pytest.mark.integration, pytest.mark.needs(Capability.READ_EMPLOYEES)]

ALL = PageRequest(limit=1000)


async def test_details_not_asked_for_are_never_returned(subject: Subject) -> None:
    page = await subject.adapter.list_employees(EmployeeFilter(), ALL)
    assert all(e.salary is None for e in page.items)
    assert all(e.bank_account is None for e in page.items)
    for employee in page.items[:3]:
        one = await subject.adapter.get_employee(employee.native_id)
        assert one == employee


async def test_list_and_get_agree_with_every_detail(subject: Subject) -> None:
    details = frozenset(EmployeeDetail)
    page = await subject.adapter.list_employees(EmployeeFilter(details=details), ALL)
    assert page.total == len(page.items)
    assert [e.native_id for e in page.items] == sorted(
        (e.native_id for e in page.items), key=lambda n: (len(n), n)
    )
    for employee in page.items[:3]:
        assert employee.id == f"{subject.adapter.source.connection}:{employee.native_id}"
        assert await subject.adapter.get_employee(employee.native_id, details) == employee


async def test_ids_filter_and_paging(subject: Subject) -> None:
    everyone = (await subject.adapter.list_employees(EmployeeFilter(), ALL)).items
    wanted = [e.native_id for e in everyone[:2]]
    some = await subject.adapter.list_employees(EmployeeFilter(native_ids=wanted), ALL)
    assert [e.native_id for e in some.items] == wanted
    nothing = await subject.adapter.list_employees(EmployeeFilter(native_ids=[]), ALL)
    assert nothing.total == 0
    if len(everyone) > 1:
        second = await subject.adapter.list_employees(
            EmployeeFilter(), PageRequest(offset=1, limit=1)
        )
        assert second.items == everyone[1:2]
        assert second.total == len(everyone)


async def test_unknown_employee_is_not_found(subject: Subject) -> None:
    assert Capability.READ_EMPLOYEES in subject.adapter.capabilities
    with pytest.raises(errors.NotFound):
        await subject.adapter.get_employee("987654321")
