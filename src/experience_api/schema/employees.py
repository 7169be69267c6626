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
from experience_api.schema.errors import ClientError, client_errors, none_if_not_found
from experience_api.schema.field_access import employee_details, guarded
from experience_api.security.permissions import Scope
from system_apis.contracts import people
from system_apis.contracts.models import split_id
from system_apis.contracts.people import EmployeeFilter as CanonicalEmployeeFilter

FORBIDDEN = "FORBIDDEN"


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


def _require_employees(info: Info) -> None:
    if not info.context.principal.has(Scope.EMPLOYEES_READ):
        error = ClientError(f"this needs the scope {Scope.EMPLOYEES_READ.value!r}", code=FORBIDDEN)
        error.extensions["requiredScope"] = Scope.EMPLOYEES_READ.value
        raise error


async def resolve_employees(
    info: Info,
    filter: EmployeeFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[Employee]:
    _require_employees(info)
    services = info.context.services
    caller = info.context.principal
    page = page_request(services.paging, first, after, services.connections)
    scope = ConnectionScope(services.connections, connection)
    canonical = CanonicalEmployeeFilter(details=employee_details(caller))
    if filter is not None:
        native_ids = (
            None if filter.ids is None else [scope.native_id(i, "filter.ids") for i in filter.ids]
        )
        canonical = canonical.model_copy(
            update={
                "native_ids": native_ids,
                "company": filter.company,
                "name_contains": filter.name_contains,
                "status": None
                if filter.status is None
                else people.EmploymentStatus(filter.status.value),
            }
        )
    if scope.name is not None and not caller.may_see(scope.name):
        raise ClientError(f"not permitted on connection {scope.name!r}", code=FORBIDDEN)
    visible = caller.visible(services.connections.names)
    with client_errors():
        result = await services.catalog.employees(canonical, page, scope.name, visible)
    return connection_from_page(result, Employee.from_model)


async def resolve_employee(info: Info, id: strawberry.ID) -> Employee | None:
    _require_employees(info)
    caller = info.context.principal
    services = info.context.services
    try:
        connection, _ = split_id(id)
    except ValueError:
        raise ClientError(f"malformed id {id!r}", field="id") from None
    if not caller.may_see(connection):
        return None
    found = None
    with none_if_not_found():
        found = await services.catalog.employee(
            id, employee_details(caller), caller.visible(services.connections.names)
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
