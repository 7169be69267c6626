"""Employees read with SuiteQL; pay and bank columns only when the read asks for them.

Employee records hold the base wage (``basewage``, per ``basewagetype``: ``Salary`` a year,
``Hourly`` an hour) with NetSuite Payroll, and the direct-deposit account salaries are paid
into (``employeedirectdeposit``: account and routing number, or IBAN and BIC outside the
US). A read without :class:`EmployeeDetail` names neither selects nor joins them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from system_apis.contracts.models import Money, Source, canonical_id
from system_apis.contracts.people import (
    BankAccount,
    Compensation,
    Employee,
    EmployeeDetail,
    EmployeeFilter,
    EmploymentStatus,
    PayPeriod,
)
from system_apis.netsuite import suiteql as q
from system_apis.netsuite.mapping import date, decimal

Row = Mapping[str, Any]
PERIODS = {"Salary": PayPeriod.ANNUAL, "Hourly": PayPeriod.HOURLY}
LEAVE = "Leave"


def employee_query(filter: EmployeeFilter, native_ids: list[str] | None, after: str = "") -> str:
    columns = [
        "e.id", "e.entityid", "e.firstname", "e.lastname", "e.title", "d.name AS department",
        "e.subsidiary", f"{q.day('e.hiredate')} AS hiredate", "e.releasedate",
        "e.employeestatus", "e.isinactive",
    ]  # fmt: skip
    joins = ["LEFT JOIN department d ON d.id = e.department"]
    if EmployeeDetail.SALARY in filter.details:
        columns += ["e.basewage", "e.basewagetype", "cu.symbol AS currency"]
        joins.append("LEFT JOIN currency cu ON cu.id = e.currency")
    if EmployeeDetail.BANK_ACCOUNT in filter.details:
        columns += [
            "dd.accountnumber", "dd.routingnumber", "dd.bankname", "dd.iban", "dd.bic",
            "dd.country AS bankcountry",
        ]  # fmt: skip
        joins.append(
            "LEFT JOIN employeedirectdeposit dd ON dd.employee = e.id AND dd.isprimary = 'T'"
        )
    clauses = []
    if native_ids is not None:
        clauses.append(f"e.id IN {q.ids(native_ids)}")
    if filter.company:
        clauses.append(f"e.subsidiary = {q.text(filter.company)}")
    if filter.name_contains:
        clauses.append(q.contains("e.firstname || ' ' || e.lastname", filter.name_contains))
    if filter.status is EmploymentStatus.TERMINATED:
        clauses.append("e.isinactive = 'T'")
    elif filter.status is EmploymentStatus.ON_LEAVE:
        clauses.append(f"e.isinactive = 'F' AND e.employeestatus = {q.text(LEAVE)}")
    elif filter.status is EmploymentStatus.ACTIVE:
        present = f"(e.employeestatus IS NULL OR e.employeestatus <> {q.text(LEAVE)})"
        clauses.append(f"e.isinactive = 'F' AND {present}")
    if after:
        clauses.append(after)
    return (
        f"SELECT {', '.join(columns)} FROM employee e {' '.join(joins)}"
        f"{q.where(clauses)} ORDER BY e.id"
    )


def employee_from_row(
    row: Row, source: Source, details: frozenset[EmployeeDetail], zone: ZoneInfo | None = None
) -> Employee:
    native = str(row["id"])
    if row.get("isinactive") == "T" or row.get("releasedate"):
        status = EmploymentStatus.TERMINATED
    elif row.get("employeestatus") == LEAVE:
        status = EmploymentStatus.ON_LEAVE
    else:
        status = EmploymentStatus.ACTIVE
    wage = decimal(row, "basewage")
    salary = None
    if EmployeeDetail.SALARY in details and wage is not None and row.get("currency"):
        salary = Compensation(
            amount=Money(amount=wage, currency=str(row["currency"])),
            period=PERIODS.get(str(row.get("basewagetype")), PayPeriod.ANNUAL),
        )
    bank = None
    if EmployeeDetail.BANK_ACCOUNT in details and (row.get("iban") or row.get("accountnumber")):
        bank = BankAccount(
            iban=row.get("iban"),
            account_number=None if row.get("iban") else row.get("accountnumber"),
            bank_code=row.get("routingnumber"),
            bank_name=row.get("bankname"),
            bic=row.get("bic"),
            country=row.get("bankcountry"),
        )
    return Employee(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        personnel_number=str(row.get("entityid") or native),
        first_name=row.get("firstname"),
        last_name=str(row.get("lastname") or row.get("entityid") or native),
        job_title=row.get("title"),
        department=row.get("department"),
        company=None if row.get("subsidiary") is None else str(row["subsidiary"]),
        hire_date=date(row, "hiredate"),
        status=status,
        salary=salary,
        bank_account=bank,
    )
