"""Employee Central payloads (as the OData v2 JSON format carries them) → Employee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from system_apis.contracts.models import Source
from system_apis.contracts.people import EmploymentStatus, PayPeriod
from system_apis.sap.mapping.people import employee_from_sf

pytestmark = pytest.mark.unit

SOURCE = Source(connection="EU01", erp="sap")


def _date(day: dt.date) -> str:
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return f"/Date({int((moment - epoch).total_seconds() * 1000)})/"


def payload(**overrides: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "__metadata": {"type": "SFOData.EmpEmployment"},
        "personIdExternal": "100007",
        "userId": "100007",
        "startDate": _date(dt.date(2019, 4, 1)),
        "endDate": None,
        "personNav": {
            "__metadata": {"type": "SFOData.PerPerson"},
            "personIdExternal": "100007",
            "personalInfoNav": {
                "results": [
                    {
                        "startDate": _date(dt.date(2019, 4, 1)),
                        "firstName": "Lea",
                        "lastName": "Koch",
                    },
                    {
                        "startDate": _date(dt.date(2023, 6, 1)),
                        "firstName": "Lea",
                        "lastName": "Wolf",
                    },
                ]
            },
        },
        "jobInfoNav": {
            "results": [
                {
                    "seqNumber": "1",
                    "startDate": _date(dt.date(2019, 4, 1)),
                    "company": "1010",
                    "department": "FIN",
                    "jobTitle": "Accountant",
                    "emplStatus": "A",
                },
                {
                    "seqNumber": "1",
                    "startDate": _date(dt.date(2024, 1, 1)),
                    "company": "1010",
                    "department": "FIN",
                    "jobTitle": "Controller",
                    "emplStatus": "U",
                },
            ]
        },
    }
    entity.update(overrides)
    return entity


COMPENSATION = {
    "results": [
        {
            "__metadata": {"type": "SFOData.EmpCompensation"},
            "startDate": _date(dt.date(2024, 1, 1)),
            "userId": "100007",
            "empPayCompRecurringNav": {
                "results": [
                    {
                        "payComponent": "CAR_ALLOWANCE",
                        "startDate": _date(dt.date(2024, 1, 1)),
                        "paycompvalue": 400.0,
                        "currencyCode": "EUR",
                        "frequency": "MON",
                    },
                    {
                        "payComponent": "BASE_SALARY",
                        "startDate": _date(dt.date(2024, 1, 1)),
                        "paycompvalue": 71500.0,
                        "currencyCode": "EUR",
                        "frequency": "ANN",
                    },
                ]
            },
        }
    ]
}
PAYMENT = {
    "results": [
        {
            "effectiveStartDate": _date(dt.date(2019, 4, 1)),
            "worker": "100007",
            "toPaymentInformationDetailV3": {
                "results": [
                    {
                        "__metadata": {"type": "SFOData.PaymentInformationDetailV3"},
                        "PaymentInformationV3_effectiveStartDate": _date(dt.date(2019, 4, 1)),
                        "PaymentInformationV3_worker": "100007",
                        "externalCode": "1",
                        "payType": "MAIN",
                        "iban": "DE89 3704 0044 0532 0130 00",
                        "bank": "Commerzbank",
                        "businessIdentifierCode": "COBADEFFXXX",
                        "bankCountry": "DE",
                        "accountOwner": "Lea Wolf",
                        "accountNumber": None,
                        "routingNumber": None,
                    }
                ]
            },
        }
    ]
}


def test_base_fields_come_from_the_effective_records() -> None:
    employee = employee_from_sf(payload(), SOURCE)
    assert employee.id == "EU01:100007"
    assert employee.personnel_number == "100007"
    assert (employee.first_name, employee.last_name) == ("Lea", "Wolf")
    assert employee.job_title == "Controller"
    assert employee.company == "1010"
    assert employee.status is EmploymentStatus.ON_LEAVE
    assert employee.hire_date == dt.date(2019, 4, 1)


def test_without_the_detail_navigations_pay_and_bank_are_none() -> None:
    employee = employee_from_sf(payload(), SOURCE)
    assert employee.salary is None
    assert employee.bank_account is None


def test_salary_is_the_base_pay_component() -> None:
    employee = employee_from_sf(payload(compInfoNav=COMPENSATION), SOURCE)
    assert employee.salary is not None
    assert employee.salary.amount.amount == Decimal("71500")
    assert employee.salary.amount.currency == "EUR"
    assert employee.salary.period is PayPeriod.ANNUAL


def test_a_monthly_double_amount_keeps_its_cents() -> None:
    monthly = {"results": [{**COMPENSATION["results"][0]}]}
    monthly["results"][0]["empPayCompRecurringNav"] = {
        "results": [
            {
                "payComponent": "BASE_SALARY",
                "startDate": _date(dt.date(2024, 1, 1)),
                "paycompvalue": 5416.67,
                "currencyCode": "EUR",
                "frequency": "MON",
            }
        ]
    }
    salary = employee_from_sf(payload(compInfoNav=monthly), SOURCE).salary
    assert salary is not None
    assert salary.amount.amount == Decimal("5416.67")
    assert salary.period is PayPeriod.MONTHLY


def test_bank_account_is_the_main_payment_detail() -> None:
    account = employee_from_sf(payload(paymentInformationNav=PAYMENT), SOURCE).bank_account
    assert account is not None
    assert account.iban == "DE89370400440532013000"
    assert account.bic == "COBADEFFXXX"
    assert account.country == "DE"
    assert account.masked == "DE****************3000"


def test_an_unknown_frequency_or_status_is_a_payload_error() -> None:
    odd = {"results": [{**COMPENSATION["results"][0]}]}
    odd["results"][0]["empPayCompRecurringNav"] = {
        "results": [
            {
                "payComponent": "BASE_SALARY",
                "startDate": _date(dt.date(2024, 1, 1)),
                "paycompvalue": 10.0,
                "currencyCode": "EUR",
                "frequency": "FORTNIGHTLY",
            }
        ]
    }
    with pytest.raises(ValueError, match="frequency"):
        employee_from_sf(payload(compInfoNav=odd), SOURCE)
    job = payload()["jobInfoNav"]["results"][0] | {"emplStatus": "36789"}
    with pytest.raises(ValueError, match="status"):
        employee_from_sf(payload(jobInfoNav={"results": [job]}), SOURCE)


def test_an_invalid_iban_is_rejected() -> None:
    bad = {"results": [{**PAYMENT["results"][0]}]}
    bad["results"][0]["toPaymentInformationDetailV3"] = {
        "results": [{"payType": "MAIN", "iban": "DE89370400440532013001"}]
    }
    with pytest.raises(ValueError, match="IBAN"):
        employee_from_sf(payload(paymentInformationNav=bad), SOURCE)
