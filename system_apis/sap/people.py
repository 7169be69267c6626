"""The OData queries of the employee reads (SuccessFactors Employee Central entity sets).

Employees are ``EmpEmployment`` records ordered by ``userId``. Their names, job and status
live in to-many navigations, which OData v2 cannot filter a collection on, so the filters on
them first read matching keys (through a :class:`~system_apis.sap.queries.KeyReader`):

* ``company`` and ``status``: ``userId`` values from ``EmpJob``;
* ``name_contains``: ``personIdExternal`` values from ``PerPersonal`` (first or last name,
  ignoring case).

Pay and bank navigations are expanded only for the details a read names, so the ERP is not
asked for salaries or accounts the caller may not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from system_apis.contracts.people import EmployeeDetail, EmployeeFilter, EmploymentStatus
from system_apis.sap.mapping.people import STATUSES
from system_apis.sap.odata import Filter, all_of, any_of, eq, one_of, substringof
from system_apis.sap.queries import EntityRead, KeyReader

EMPLOYEE_SERVICE = "v2"
"""SuccessFactors' OData v2 API, the service ``v2`` under its API root ``/odata``."""
EMPLOYMENT_SET = "EmpEmployment"

EMPLOYMENT_SELECT = (
    "personIdExternal",
    "userId",
    "startDate",
    "endDate",
    "personNav/personIdExternal",
    "personNav/personalInfoNav/startDate",
    "personNav/personalInfoNav/firstName",
    "personNav/personalInfoNav/lastName",
    "jobInfoNav/startDate",
    "jobInfoNav/company",
    "jobInfoNav/department",
    "jobInfoNav/jobTitle",
    "jobInfoNav/emplStatus",
)
BASE_EXPAND = ("personNav/personalInfoNav", "jobInfoNav")


@dataclass(frozen=True)
class DetailRead:
    expand: str
    select: tuple[str, ...]


DETAIL_READS: Mapping[EmployeeDetail, DetailRead] = {
    EmployeeDetail.SALARY: DetailRead(
        "compInfoNav/empPayCompRecurringNav",
        tuple(
            f"compInfoNav/{name}"
            for name in (
                "startDate",
                "empPayCompRecurringNav/payComponent",
                "empPayCompRecurringNav/startDate",
                "empPayCompRecurringNav/paycompvalue",
                "empPayCompRecurringNav/currencyCode",
                "empPayCompRecurringNav/frequency",
            )
        ),
    ),
    EmployeeDetail.BANK_ACCOUNT: DetailRead(
        "paymentInformationNav/toPaymentInformationDetailV3",
        tuple(
            f"paymentInformationNav/{name}"
            for name in (
                "effectiveStartDate",
                *(
                    f"toPaymentInformationDetailV3/{detail}"
                    for detail in (
                        "payType",
                        "iban",
                        "accountNumber",
                        "routingNumber",
                        "bank",
                        "businessIdentifierCode",
                        "bankCountry",
                        "accountOwner",
                    )
                ),
            )
        ),
    ),
}


def employee_read(
    details: frozenset[EmployeeDetail], service: str = EMPLOYEE_SERVICE
) -> EntityRead:
    """The read of ``EmpEmployment`` expanding the base navigations and the asked ``details``."""
    extra = [DETAIL_READS[d] for d in EmployeeDetail if d in details]
    return EntityRead(
        service,
        EMPLOYMENT_SET,
        EMPLOYMENT_SELECT + tuple(name for read in extra for name in read.select),
        expand=BASE_EXPAND + tuple(read.expand for read in extra),
        orderby=("userId",),
    )


def _status_codes(status: EmploymentStatus) -> list[str]:
    return [code for code, mapped in STATUSES.items() if mapped is status]


async def employee_conditions(
    filter: EmployeeFilter, keys: KeyReader, service: str = EMPLOYEE_SERVICE
) -> list[Filter] | None:
    conditions: list[Filter] = []
    if filter.native_ids is not None:
        if not filter.native_ids:
            return None
        conditions.append(one_of("userId", filter.native_ids))
    job: list[Filter] = []
    if filter.company:
        job.append(eq("company", filter.company))
    if filter.status is not None:
        job.append(one_of("emplStatus", _status_codes(filter.status)))
    if job:
        users = await keys(service, "EmpJob", all_of(*job), "userId")
        if not users:
            return None
        conditions.append(one_of("userId", users))
    if filter.name_contains:
        people = await keys(
            service,
            "PerPersonal",
            any_of(
                substringof(filter.name_contains, "firstName", ignore_case=True),
                substringof(filter.name_contains, "lastName", ignore_case=True),
            ),
            "personIdExternal",
        )
        if not people:
            return None
        conditions.append(one_of("personIdExternal", people))
    return conditions
