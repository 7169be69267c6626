"""process_apis.sensitivity: what events, webhooks and exports may carry."""

from __future__ import annotations

import copy

import pytest

from process_apis.sensitivity import redact, redact_all, redacted_paths, required_scope

pytestmark = pytest.mark.unit

PAYLOAD = {
    "id": "EU01:100001",
    "name": "Anna Schneider",
    "salary": {"amount": "55000", "currency": "EUR"},
    "bankAccount": {"iban": "DE89370400440532013000"},
    "customer": {"id": "EU01:17100001", "credit_limit": "250000"},
    "lines": [{"sku": "TG11", "pay": "12"}, {"sku": "TG12", "IBAN": "x"}],
}


def test_without_scopes_every_sensitive_field_is_absent_at_any_depth() -> None:
    before = copy.deepcopy(PAYLOAD)
    out = redact(PAYLOAD, ())
    assert out == {
        "id": "EU01:100001",
        "name": "Anna Schneider",
        "customer": {"id": "EU01:17100001"},
        "lines": [{"sku": "TG11"}, {"sku": "TG12"}],
    }
    assert before == PAYLOAD
    assert redact_all(PAYLOAD) == out


def test_each_scope_reveals_only_its_fields() -> None:
    payroll = redact(PAYLOAD, ["payroll:read"])
    assert payroll["salary"] == PAYLOAD["salary"]
    assert "bankAccount" not in payroll
    assert "credit_limit" not in payroll["customer"]
    bank = redact(PAYLOAD, ["bank:read"])
    assert "salary" not in bank
    assert bank["bankAccount"] == PAYLOAD["bankAccount"]
    assert bank["lines"][1]["IBAN"] == "x"
    credit = redact(PAYLOAD, ["credit:read", "orders:read"])
    assert credit["customer"]["credit_limit"] == "250000"
    assert "salary" not in credit


def test_every_scope_keeps_the_payload_whole() -> None:
    assert redact(PAYLOAD, ["payroll:read", "bank:read", "credit:read"]) == PAYLOAD


def test_paths_name_what_would_be_removed() -> None:
    assert redacted_paths(PAYLOAD, ["bank:read"]) == [
        "salary",
        "customer.credit_limit",
        "lines[0].pay",
    ]


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("salary", "payroll:read"),
        ("bank_account", "bank:read"),
        ("bankAccount", "bank:read"),
        ("creditLimit", "credit:read"),
        ("account-number", "bank:read"),
        ("name", None),
        ("netAmount", None),
    ],
)
def test_names_match_in_any_case_style(name: str, scope: str | None) -> None:
    assert required_scope(name) == scope
