"""Employees: SuccessFactors Employee Central's ``EmpEmployment`` and its navigations → Employee.

The employment is read with ``personNav/personalInfoNav`` (names), ``jobInfoNav`` (company,
department, title, status) and, only when asked for, ``compInfoNav/empPayCompRecurringNav``
(the base-pay component) and ``paymentInformationNav/toPaymentInformationDetailV3`` (the
main bank account). Effective-dated records are taken as of their latest ``startDate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from system_apis.contracts.models import Money, Source, canonical_id
from system_apis.contracts.people import (
    BankAccount,
    Compensation,
    Employee,
    EmploymentStatus,
    PayPeriod,
)
from system_apis.sap.mapping.readers import (
    JsonObject,
    expanded,
    optional_text,
    required_decimal,
    required_text,
)
from system_apis.sap.odata import parse_date

BASE_PAY_COMPONENT = "BASE_SALARY"

FREQUENCIES: Mapping[str, PayPeriod] = {
    "ANN": PayPeriod.ANNUAL,
    "MON": PayPeriod.MONTHLY,
    "HOURLY": PayPeriod.HOURLY,
}
"""Codes of SuccessFactors' frequency foundation object (``FOFrequency``) the gateway knows."""

STATUSES: Mapping[str, EmploymentStatus] = {
    "A": EmploymentStatus.ACTIVE,
    "U": EmploymentStatus.ON_LEAVE,
    "P": EmploymentStatus.ON_LEAVE,
    "S": EmploymentStatus.ON_LEAVE,
    "T": EmploymentStatus.TERMINATED,
    "R": EmploymentStatus.TERMINATED,
}
"""External codes of the ``employee-status`` picklist."""

MAIN_PAY_TYPE = "MAIN"


def _latest(records: Iterable[JsonObject], date_field: str = "startDate") -> JsonObject | None:
    """The effective record: the one with the latest start date."""
    dated = [(parse_date(r.get(date_field)) or dt.date.min, r) for r in records]
    if not dated:
        return None
    return max(dated, key=lambda pair: pair[0])[1]


def _to_one(entity: JsonObject, navigation: str) -> JsonObject | None:
    value = entity.get(navigation)
    return value if isinstance(value, dict) and "results" not in value else None


def compensation_from_sf(
    compensations: list[JsonObject], component: str = BASE_PAY_COMPONENT
) -> Compensation | None:
    """The base pay of the effective ``EmpCompensation``; None when it has none.

    A frequency the gateway does not know is an error of the payload (ValueError), never a
    guessed period.
    """
    current = _latest(compensations)
    if current is None:
        return None
    parts = [
        p
        for p in expanded(current, "empPayCompRecurringNav") or []
        if optional_text(p, "payComponent") == component
    ]
    pay = _latest(parts)
    if pay is None:
        return None
    frequency = required_text(pay, "frequency")
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown pay frequency {frequency!r}")
    return Compensation(
        amount=Money(
            amount=required_decimal(pay, "paycompvalue"),
            currency=required_text(pay, "currencyCode"),
        ),
        period=FREQUENCIES[frequency],
        valid_from=parse_date(pay.get("startDate")),
    )


def _country(value: str | None) -> str | None:
    return value.upper() if value and len(value) == 2 and value.isalpha() else None


def bank_account_from_sf(payment_information: list[JsonObject]) -> BankAccount | None:
    """The main account of the effective ``PaymentInformationV3``; None when there is none."""
    current = _latest(payment_information, "effectiveStartDate")
    if current is None:
        return None
    details = expanded(current, "toPaymentInformationDetailV3") or []
    main = [d for d in details if optional_text(d, "payType") in (None, MAIN_PAY_TYPE)]
    if not main:
        return None
    detail = main[0]
    return BankAccount(
        iban=optional_text(detail, "iban"),
        account_number=optional_text(detail, "accountNumber"),
        bank_code=optional_text(detail, "routingNumber"),
        bank_name=optional_text(detail, "bank"),
        bic=optional_text(detail, "businessIdentifierCode"),
        country=_country(optional_text(detail, "bankCountry")),
        holder=optional_text(detail, "accountOwner"),
    )


def employee_from_sf(entity: JsonObject, source: Source) -> Employee:
    """``EmpEmployment`` with its expanded navigations → Employee.

    The native id and personnel number are the ``userId``. Salary and bank account are set
    only when their navigations were expanded (read), else None.
    """
    user_id = required_text(entity, "userId")
    person = _to_one(entity, "personNav") or {}
    personal = _latest(expanded(person, "personalInfoNav") or []) or {}
    job = _latest(expanded(entity, "jobInfoNav") or []) or {}
    status_code = optional_text(job, "emplStatus")
    if status_code is not None and status_code not in STATUSES:
        raise ValueError(f"unknown employee status {status_code!r}")
    compensations = expanded(entity, "compInfoNav")
    payment = expanded(entity, "paymentInformationNav")
    return Employee(
        id=canonical_id(source.connection, user_id),
        native_id=user_id,
        source=source,
        personnel_number=user_id,
        first_name=optional_text(personal, "firstName"),
        last_name=optional_text(personal, "lastName") or user_id,
        job_title=optional_text(job, "jobTitle"),
        department=optional_text(job, "department"),
        company=optional_text(job, "company"),
        hire_date=parse_date(entity.get("startDate")),
        status=STATUSES[status_code] if status_code else EmploymentStatus.ACTIVE,
        salary=None if compensations is None else compensation_from_sf(compensations),
        bank_account=None if payment is None else bank_account_from_sf(payment),
    )
