"""Employees on Tryton: ``company.employee`` records (the ``company`` module) → Employee.

Tryton's standard modules hold no payroll: an employee is a party employed by a company from
``start_date`` to ``end_date``, with no salary, job title or department. So ``salary`` is
always None, even when asked for; the bank account would need the ``bank`` module and a
choice among a party's accounts, and is None too. The name is the party's name (Tryton does
not split first and last names), ``company`` the company's name, the personnel number the
party's code. An employee is ``terminated`` once its end date has passed, else ``active``;
Tryton has no leave status, so a filter on ``on_leave`` matches nobody.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from system_apis.contracts.models import Source, canonical_id
from system_apis.contracts.people import Employee, EmployeeFilter, EmploymentStatus
from system_apis.contracts.queries import Page, PageRequest
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.readers import (
    Row,
    native_id,
    nested_text,
    optional_date,
)
from system_apis.tryton.queries import BY_ID, contains, record_ids
from system_apis.tryton.reads import by_id_after, find_one, read_page

MODEL = "company.employee"
# Tryton hides employees whose employment has ended (``active`` follows the dates); the
# gateway lists them as terminated instead.
EVERYONE = {"active_test": False}
EMPLOYEE_FIELDS = (
    "party.name",
    "party.code",
    "company.rec_name",
    "start_date",
    "end_date",
)


def employee_from_tryton(row: Row, source: Source, today: dt.date) -> Employee:
    """A ``company.employee`` row read with :data:`EMPLOYEE_FIELDS` → Employee."""
    native = native_id(row)
    name = nested_text(row, "party.name")
    if name is None:
        raise ValueError(f"employee {native} has no party name")
    ended = optional_date(row, "end_date")
    terminated = ended is not None and ended < today
    return Employee(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        personnel_number=nested_text(row, "party.code") or native,
        last_name=name,
        company=nested_text(row, "company.rec_name"),
        hire_date=optional_date(row, "start_date"),
        status=EmploymentStatus.TERMINATED if terminated else EmploymentStatus.ACTIVE,
    )


def employee_domain(filter: EmployeeFilter, today: dt.date) -> list[Any] | None:
    """The search domain of ``filter``; None when it can match nothing."""
    domain: list[Any] = []
    if filter.native_ids is not None:
        wanted = record_ids(filter.native_ids)
        if not wanted:
            return None
        domain.append(("id", "in", wanted))
    if filter.company:
        domain.append(("company.rec_name", "=", filter.company))
    if filter.name_contains:
        domain.append(("party.name", "ilike", contains(filter.name_contains)))
    if filter.status is EmploymentStatus.ON_LEAVE:
        return None
    if filter.status is EmploymentStatus.TERMINATED:
        domain.append(("end_date", "<", today))
    elif filter.status is EmploymentStatus.ACTIVE:
        domain.append(["OR", ("end_date", "=", None), ("end_date", ">=", today)])
    return domain


class EmployeeReads:
    """The employee half of the Tryton adapter."""

    def __init__(self, client: TrytonClient, source: Source) -> None:
        self._client = client
        self._source = source

    async def list(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        today = dt.date.today()
        domain = employee_domain(filter, today)
        if domain is None:
            return Page[Employee](items=(), offset=page.offset, total=0)
        rows, offset, total = await read_page(
            self._client,
            MODEL,
            domain,
            EMPLOYEE_FIELDS,
            page,
            order=BY_ID,
            context=EVERYONE,
            after=by_id_after,
        )
        items = guard(self._source.connection).mapped(
            lambda: [employee_from_tryton(r, self._source, today) for r in rows]
        )
        return Page[Employee](items=tuple(items), offset=offset, total=total)

    async def get(self, native: str) -> Employee:
        row = await find_one(
            self._client, MODEL, native, EMPLOYEE_FIELDS, what="employee", context=EVERYONE
        )
        return guard(self._source.connection).mapped(
            lambda: employee_from_tryton(row, self._source, dt.date.today())
        )
