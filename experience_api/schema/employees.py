"""Employees: the GraphQL types and the ``employees``/``employee`` queries.

Both need ``employees:read``. Salary and bank account are guarded fields (see
:mod:`.field_access`): without ``payroll:read`` / ``bank:read`` they are null and were never
read from the ERP. Row level: a caller reads only the connections it may see; an employee of
another connection read by id is null, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from experience_api.schema.authorization import (
    guarded,
    may_see_record,
    require,
    visible_connections,
)
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    ConnectionScope,
    First,
    Money,
    Source,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.errors import client_errors, none_if_not_found
from experience_api.schema.field_access import employee_details
from experience_api.security.permissions import Scope
from system_apis.contracts import people
from system_apis.contracts.people import EmployeeFilter as CanonicalEmployeeFilter


@strawberry.enum(description="Where an employment stands.")
class EmploymentStatus(Enum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"


@strawberry.enum(description="What one salary amount pays for.")
class PayPeriod(Enum):
    HOURLY = "hourly"
    MONTHLY = "monthly"
    ANNUAL = "annual"


@strawberry.type(description="Recurring base pay: `amount` per `period`.")
class Compensation:
    amount: Money
    period: PayPeriod
    valid_from: dt.date | None

    @classmethod
    def from_model(cls, pay: people.Compensation) -> Compensation:
        return cls(
            amount=Money.from_model(pay.amount),
            period=PayPeriod(pay.period.value),
            valid_from=pay.valid_from,
        )


@strawberry.type(description="The account salaries are paid into.")
class BankAccount:
    iban: str | None
    account_number: str | None
    bank_code: str | None = strawberry.field(description="Routing number or national code.")
    bank_name: str | None
    bic: str | None
    country: str | None
    holder: str | None
    masked: str = strawberry.field(description="IBAN or account number, last four shown.")

    @classmethod
    def from_model(cls, account: people.BankAccount) -> BankAccount:
        return cls(
            iban=account.iban,
            account_number=account.account_number,
            bank_code=account.bank_code,
            bank_name=account.bank_name,
            bic=account.bic,
            country=account.country,
            holder=account.holder,
            masked=account.masked,
        )


def _salary(root: Employee, info: Info) -> Compensation | None:
    pay = guarded(info, Scope.PAYROLL_READ, "Employee.salary", root.id, root.pay)
    return None if pay is None else Compensation.from_model(pay)


def _bank_account(root: Employee, info: Info) -> BankAccount | None:
    account = guarded(info, Scope.BANK_READ, "Employee.bankAccount", root.id, root.account)
    return None if account is None else BankAccount.from_model(account)


@strawberry.type
class Employee:
    id: strawberry.ID = strawberry.field(description="Gateway id: `<connection>:<nativeId>`.")
    native_id: str
    source: Source
    personnel_number: str
    first_name: str | None
    last_name: str
    name: str
    job_title: str | None
    department: str | None
    company: str | None = strawberry.field(description="The ERP's company code.")
    hire_date: dt.date | None
    status: EmploymentStatus
    pay: strawberry.Private[people.Compensation | None]
    account: strawberry.Private[people.BankAccount | None]
    salary: Compensation | None = strawberry.field(
        resolver=_salary, description="Base pay; null without the scope `payroll:read`."
    )
    bank_account: BankAccount | None = strawberry.field(
        resolver=_bank_account, description="Bank account; null without the scope `bank:read`."
    )

    @classmethod
    def from_model(cls, employee: people.Employee) -> Employee:
        return cls(
            id=strawberry.ID(employee.id),
            native_id=employee.native_id,
            source=Source.from_model(employee.source),
            personnel_number=employee.personnel_number,
            first_name=employee.first_name,
            last_name=employee.last_name,
            name=employee.name,
            job_title=employee.job_title,
            department=employee.department,
            company=employee.company,
            hire_date=employee.hire_date,
            status=EmploymentStatus(employee.status.value),
            pay=employee.salary,
            account=employee.bank_account,
        )


@strawberry.input
class EmployeeFilter:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Gateway ids; all must belong to one connection."
    )
    company: str | None = strawberry.field(default=None, description="Company code.")
    name_contains: str | None = None
    status: EmploymentStatus | None = None


async def resolve_employees(
    info: Info,
    filter: EmployeeFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[Employee]:
    caller = require(info, Scope.EMPLOYEES_READ)
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "employees")
    scope = ConnectionScope(services.connections, connection)
    details = employee_details(caller, info.context.field_access.asked)
    canonical = CanonicalEmployeeFilter(details=details)
    if filter is not None:
        canonical = CanonicalEmployeeFilter(
            native_ids=None
            if filter.ids is None
            else [scope.native_id(i, "filter.ids") for i in filter.ids],
            company=filter.company,
            name_contains=filter.name_contains,
            status=None if filter.status is None else people.EmploymentStatus(filter.status.value),
            details=details,
        )
    visible = visible_connections(info, scope.name)
    with client_errors():
        result = await services.catalog.employees(canonical, page, scope.name, visible)
    return connection_from_page(result, Employee.from_model, "employees")


async def resolve_employee(info: Info, id: strawberry.ID) -> Employee | None:
    caller = require(info, Scope.EMPLOYEES_READ)
    services = info.context.services
    if not may_see_record(info, id):
        return None  # another company's employee does not exist for this caller
    found = None
    with none_if_not_found():
        found = await services.catalog.employee(
            id,
            employee_details(caller, info.context.field_access.asked),
            caller.visible(services.connections.names),
        )
    return None if found is None else Employee.from_model(found)


@strawberry.type
class EmployeeQueries:
    employees: Connection[Employee] = strawberry.field(
        resolver=resolve_employees,
        description="Employees of the connections the caller may see (needs `employees:read`); "
        "salary and bank account need `payroll:read` and `bank:read`.",
    )
    employee: Employee | None = strawberry.field(
        resolver=resolve_employee,
        description="One employee by gateway id; null when it does not exist or lies outside "
        "the caller's connections.",
    )
