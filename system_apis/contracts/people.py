"""People in the canonical model: employees, their pay and the account they are paid into.

Pay and bank data are *details*: a read names the details it wants (``EmployeeDetail``) and
an adapter requests nothing more from its ERP, so a caller without the right to see salaries
never causes a salary to be read, cached or passed on. A detail left out is None on the
record, exactly like a detail the ERP does not hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from system_apis.contracts.models import CountryCode, Frozen, Money, Record


class EmployeeDetail(StrEnum):
    """A sensitive part of an employee record, read only when asked for."""

    SALARY = "salary"
    BANK_ACCOUNT = "bank_account"


class EmploymentStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"


class PayPeriod(StrEnum):
    """What one ``Compensation.amount`` pays for."""

    HOURLY = "hourly"
    MONTHLY = "monthly"
    ANNUAL = "annual"


class Compensation(Frozen):
    """The recurring base pay of an employee: ``amount`` per ``period``."""

    amount: Money
    period: PayPeriod
    valid_from: dt.date | None = None


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


class BankAccount(Frozen):
    """The account salaries are paid into: an IBAN, or (where IBANs are not used, as in the
    US) an account number with its bank code (routing number). ``iban`` is kept compact and
    upper case."""

    iban: str | None = Field(default=None, min_length=15, max_length=34)
    account_number: str | None = None
    bank_code: str | None = None
    bank_name: str | None = None
    bic: str | None = None
    country: CountryCode | None = None
    holder: str | None = None

    @field_validator("iban", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        return _compact(value) if isinstance(value, str) else value

    @field_validator("iban")
    @classmethod
    def _shape(cls, value: str | None) -> str | None:
        if value is not None and not iban_is_valid(value):
            raise ValueError(f"not a valid IBAN: {masked_iban(value)!r}")
        return value

    @model_validator(mode="after")
    def _identified(self) -> BankAccount:
        if self.iban is None and self.account_number is None:
            raise ValueError("a bank account needs an IBAN or an account number")
        return self

    @property
    def masked(self) -> str:
        """The IBAN (else the account number) with all but its last four characters hidden."""
        if self.iban is not None:
            return masked_iban(self.iban)
        number = self.account_number or ""
        return "*" * max(len(number) - 4, 0) + number[-4:]


def iban_is_valid(iban: str) -> bool:
    """Whether ``iban`` has an IBAN's shape and its ISO 7064 mod 97-10 check digits."""
    compact = _compact(iban)
    if not (15 <= len(compact) <= 34 and compact.isalnum() and compact.isascii()):
        return False
    if not (compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def masked_iban(iban: str) -> str:
    """The IBAN with everything but the country code and last four characters hidden."""
    compact = _compact(iban)
    if len(compact) <= 8:
        return "*" * len(compact)
    return compact[:2] + "*" * (len(compact) - 6) + compact[-4:]


class Employee(Record):
    """A person employed by one company (``company``: the ERP's company code)."""

    personnel_number: str
    first_name: str | None = None
    last_name: str
    job_title: str | None = None
    department: str | None = None
    company: str | None = None
    hire_date: dt.date | None = None
    status: EmploymentStatus = EmploymentStatus.ACTIVE
    salary: Compensation | None = None
    bank_account: BankAccount | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class EmployeeFilter(BaseModel):
    """Which employees to list, and which sensitive ``details`` to read with them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    native_ids: Sequence[str] | None = None
    company: str | None = None
    name_contains: str | None = None
    status: EmploymentStatus | None = None
    details: frozenset[EmployeeDetail] = frozenset()
