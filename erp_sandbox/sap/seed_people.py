"""Deterministic employee data: 24 employees, twelve in company 1010 and twelve in 1710.

Company ``1010`` (Hamburg) pays in EUR into German IBANs, company ``1710`` (Palo Alto) in USD
into US accounts (account and ABA routing number, no IBAN). Salaries are annual except for a
few monthly ones; two employees are on leave and one has left. The data uses its own random
generator, so it changes nothing else the seed produces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from erp_sandbox.sap.records import blank, day, save
from erp_sandbox.sap.store import Transaction

PEOPLE_SEED = 1717
BASE_PAY_COMPONENT = "BASE_SALARY"
"""The pay component of the base salary; other recurring components are allowances."""


@dataclass(frozen=True)
class Company:
    code: str
    currency: str
    country: str
    banks: tuple[tuple[str, str, str], ...]
    """(bank name, bank code, BIC) of the banks employees use."""


COMPANIES = (
    Company(
        "1010",
        "EUR",
        "DE",
        (
            ("Hamburger Sparkasse", "20050550", "HASPDEHHXXX"),
            ("Commerzbank Hamburg", "20040000", "COBADEHHXXX"),
            ("Deutsche Bank Hamburg", "20070000", "DEUTDEHHXXX"),
        ),
    ),
    Company(
        "1710",
        "USD",
        "US",
        (
            ("Bank of America", "121000358", "BOFAUS3N"),
            ("Wells Fargo Bank", "121042882", "WFBIUS6S"),
        ),
    ),
)

FIRST_NAMES = (
    "Anna", "Lukas", "Marie", "Jonas", "Sophie", "Felix", "Lea", "Paul", "Mia", "Ben",
    "Emma", "Noah", "Olivia", "Liam", "Ava", "Ethan", "Isabella", "Mason", "Harper", "Lucas",
    "Amelia", "Logan", "Evelyn", "James",
)  # fmt: skip
LAST_NAMES = (
    "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch",
    "Richter", "Klein", "Wolf", "Neumann", "Johnson", "Garcia", "Miller", "Davis", "Martinez",
    "Lopez", "Wilson", "Anderson", "Thomas", "Moore", "Jackson", "Lee",
)  # fmt: skip
JOBS = (
    ("SALES", "Sales Representative", 52000, 78000),
    ("SALES", "Key Account Manager", 70000, 98000),
    ("FIN", "Accountant", 48000, 68000),
    ("FIN", "Controller", 65000, 90000),
    ("HR", "HR Business Partner", 60000, 82000),
    ("LOG", "Warehouse Clerk", 34000, 44000),
    ("LOG", "Logistics Planner", 50000, 66000),
    ("IT", "Software Engineer", 72000, 120000),
)
STATUSES = {5: "U", 14: "P", 20: "T"}
"""Employee status picklist codes by employee index; everyone else is ``A`` (active)."""


def german_iban(bank_code: str, account: str) -> str:
    """A German IBAN with valid check digits (ISO 13616, mod 97-10)."""
    bban = bank_code + account.rjust(10, "0")
    numeric = int(bban + "131400")  # "DE" is 13 14, then check digits 00
    return f"DE{98 - numeric % 97:02d}{bban}"


def seed_employees(tx: Transaction, anchor: datetime) -> None:
    """Store the employees with job, pay and bank data, hired before ``anchor``."""
    rng = random.Random(PEOPLE_SEED)
    for index in range(len(FIRST_NAMES)):
        company = COMPANIES[index % 2]
        user_id = f"{100001 + index}"
        hired = day(anchor - timedelta(days=rng.randint(200, 4000)))
        department, title, low, high = JOBS[rng.randrange(len(JOBS))]
        annual = Decimal(rng.randrange(low, high, 500))
        _person(tx, user_id, FIRST_NAMES[index], LAST_NAMES[index], hired)
        status = STATUSES.get(index, "A")
        _employment(tx, user_id, hired, anchor if status == "T" else None)
        _job(tx, user_id, hired, company.code, department, title, status)
        monthly = index % 5 == 3
        amount = (annual / 12).quantize(Decimal("0.01")) if monthly else annual
        _pay(tx, user_id, hired, amount, company.currency, "MON" if monthly else "ANN")
        bank = company.banks[rng.randrange(len(company.banks))]
        account = str(rng.randrange(10**9, 10**10))
        _bank(
            tx, user_id, hired, company, bank, account, f"{FIRST_NAMES[index]} {LAST_NAMES[index]}"
        )


def _person(tx: Transaction, user_id: str, first: str, last: str, hired: datetime) -> None:
    save(tx, "PerPerson", {"personIdExternal": user_id})
    row = blank("PerPersonal")
    row.update(personIdExternal=user_id, startDate=hired, firstName=first, lastName=last)
    save(tx, "PerPersonal", row)


def _employment(tx: Transaction, user_id: str, hired: datetime, left: datetime | None) -> None:
    row = blank("EmpEmployment")
    row.update(
        personIdExternal=user_id,
        userId=user_id,
        startDate=hired,
        endDate=None if left is None else day(left),
    )
    save(tx, "EmpEmployment", row)


def _job(
    tx: Transaction,
    user_id: str,
    hired: datetime,
    company: str,
    department: str,
    title: str,
    status: str,
) -> None:
    row = blank("EmpJob")
    row.update(
        seqNumber=1,
        startDate=hired,
        userId=user_id,
        company=company,
        department=department,
        jobTitle=title,
        emplStatus=status,
    )
    save(tx, "EmpJob", row)


def _pay(
    tx: Transaction, user_id: str, hired: datetime, amount: Decimal, currency: str, frequency: str
) -> None:
    save(
        tx,
        "EmpCompensation",
        {"seqNumber": 1, "startDate": hired, "userId": user_id, "endDate": None},
    )
    row = blank("EmpPayCompRecurring")
    row.update(
        payComponent=BASE_PAY_COMPONENT,
        seqNumber=1,
        startDate=hired,
        userId=user_id,
        paycompvalue=float(amount),
        currencyCode=currency,
        frequency=frequency,
    )
    save(tx, "EmpPayCompRecurring", row)


def _bank(
    tx: Transaction,
    user_id: str,
    hired: datetime,
    company: Company,
    bank: tuple[str, str, str],
    account: str,
    owner: str,
) -> None:
    save(tx, "PaymentInformationV3", {"effectiveStartDate": hired, "worker": user_id})
    name, code, bic = bank
    row = blank("PaymentInformationDetailV3")
    row.update(
        PaymentInformationV3_effectiveStartDate=hired,
        PaymentInformationV3_worker=user_id,
        externalCode=1,
        payType="MAIN",
        bank=name,
        businessIdentifierCode=bic,
        bankCountry=company.country,
        accountOwner=owner,
        currency=company.currency,
    )
    if company.country == "DE":
        row["iban"] = german_iban(code, account)
    else:
        row.update(accountNumber=account, routingNumber=code)
    save(tx, "PaymentInformationDetailV3", row)
