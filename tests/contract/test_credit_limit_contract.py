"""Customer credit limits every adapter must honour (memory, SAP; Tryton holds none).

Tryton's installed modules (sale, account_invoice_stock) keep no credit limit on a party, so
its adapter answers None for every customer; the others answer the ERP's limit, and only when
the list asks for it.
"""

from __future__ import annotations

import pytest

from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.queries import CustomerFilter, PageRequest
from tests.contract.conftest import Subject

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)
CREDIT = frozenset({CustomerDetail.CREDIT_LIMIT})


def _keeps_credit_limits(subject: Subject) -> bool:
    return subject.adapter.source.erp != "tryton"


async def test_limits_are_absent_unless_asked_for(subject: Subject) -> None:
    plain = await subject.adapter.list_customers(CustomerFilter(), ALL)
    assert plain.items
    assert all(c.credit_limit is None for c in plain.items)


async def test_asked_limits_come_with_the_same_customers(subject: Subject) -> None:
    plain = await subject.adapter.list_customers(CustomerFilter(), ALL)
    asked = await subject.adapter.list_customers(CustomerFilter(details=CREDIT), ALL)
    assert [c.id for c in asked.items] == [c.id for c in plain.items]
    assert [c.model_copy(update={"credit_limit": None}) for c in asked.items] == list(plain.items)
    limits = [c.credit_limit for c in asked.items if c.credit_limit is not None]
    if not _keeps_credit_limits(subject):
        assert limits == []
        return
    assert limits, "an ERP with credit management answers limits"
    assert any(limit.amount.amount > 0 for limit in limits)
    assert all(len(limit.amount.currency) == 3 for limit in limits)


async def test_a_page_and_an_ids_read_agree_with_the_whole_list(subject: Subject) -> None:
    whole = await subject.adapter.list_customers(CustomerFilter(details=CREDIT), ALL)
    second = await subject.adapter.list_customers(
        CustomerFilter(details=CREDIT), PageRequest(offset=1, limit=2)
    )
    assert second.items == whole.items[1:3]
    wanted = [c.native_id for c in whole.items[:3]]
    by_id = await subject.adapter.list_customers(
        CustomerFilter(native_ids=wanted, details=CREDIT), ALL
    )
    assert by_id.items == whole.items[:3]
