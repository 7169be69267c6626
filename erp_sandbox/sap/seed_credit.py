"""Deterministic credit accounts for the seeded customers ``10100001`` to ``10100028``.

Customers in Europe have an account in the main credit segment ``0000`` (EUR); the German
ones also one in segment ``1010`` (company 1010, EUR) with a smaller limit. Customers in the
US have only an account in segment ``1710`` (company 1710, USD). Organisations get limits
of tens to hundreds of thousands, persons a few thousand; two persons have no credit account
at all, and the customer blocked for sales is blocked in credit management too, with limit 0.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from erp_sandbox.sap.records import blank, day, save
from erp_sandbox.sap.seed_data import Partner, customers
from erp_sandbox.sap.store import Transaction

CREDIT_SEED = 4711
MAIN_SEGMENT = "0000"
WITHOUT_ACCOUNT = frozenset({"10100017", "10100020"})
"""Customers credit management knows nothing about (Oliver Bennett, Sanne de Vries)."""


def _limit(rng: random.Random, partner: Partner) -> Decimal:
    if partner.blocked:
        return Decimal("0.00")
    if partner.category == "1":
        return Decimal(rng.randrange(1_000, 8_001, 500))
    return Decimal(rng.randrange(25_000, 500_001, 5_000))


def _account(
    tx: Transaction,
    number: str,
    segment: str,
    currency: str,
    amount: Decimal,
    changed: datetime,
    valid_to: datetime | None,
    blocked: bool,
) -> None:
    row = blank("CreditManagementAccount")
    row.update(
        BusinessPartner=number,
        CreditSegment=segment,
        CreditLimitAmount=amount.quantize(Decimal("0.01")),
        CreditSegmentCurrency=currency,
        CreditLimitValidityEndDate=None if valid_to is None else day(valid_to),
        CreditLimitLastChangeDate=day(changed),
        CreditLimitCalculatedAmount=Decimal("0.00"),
        CreditLimitIsZero=amount == 0,
        CreditAccountIsBlocked=blocked,
        CreditAccountBlockReason="01" if blocked else "",
        BusinessPartnerIsCritical=blocked,
    )
    save(tx, "CreditManagementAccount", row)


def seed_credit_accounts(tx: Transaction, anchor: datetime) -> None:
    """One to two credit accounts per customer, dated relative to ``anchor``."""
    rng = random.Random(CREDIT_SEED)
    for number, partner in customers():
        if number in WITHOUT_ACCOUNT:
            continue
        amount = _limit(rng, partner)
        changed = anchor - timedelta(days=rng.randint(10, 400))
        # Every third limit is granted for a year from its last change; the rest without end.
        valid_to = changed + timedelta(days=365) if rng.randrange(3) == 0 else None
        if partner.country == "US":
            _account(tx, number, "1710", "USD", amount, changed, valid_to, partner.blocked)
            continue
        _account(tx, number, MAIN_SEGMENT, "EUR", amount, changed, valid_to, partner.blocked)
        if partner.country == "DE":
            share = (amount * Decimal("0.6")).quantize(Decimal("1"))
            _account(tx, number, "1010", "EUR", share, changed, valid_to, partner.blocked)
