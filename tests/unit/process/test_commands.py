"""Validation and normal form of a PlaceOrder before anything reaches an ERP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from process_apis.errors import InvalidInput
from process_apis.order_to_invoice.commands import PlaceOrder
from system_apis.contracts.limits import FieldLimits


def parse(*lines: dict[str, object], **fields: object) -> PlaceOrder:
    data: dict[str, object] = {"idempotency_key": "k", "customer_id": "EU01:100"}
    data["lines"] = list(lines) or [{"sku": "TG11", "quantity": "1"}]
    return PlaceOrder.parse(**(data | fields))


def test_strings_are_trimmed_but_keep_their_case() -> None:
    command = parse(
        {"sku": "  tg11-b ", "quantity": "2", "location": " 1010/0001 "},
        idempotency_key=" key-1 ",
        customer_id=" EU01:100 ",
    )
    assert (command.idempotency_key, command.customer_id) == ("key-1", "EU01:100")
    assert (command.lines[0].sku, command.lines[0].location) == ("tg11-b", "1010/0001")


@pytest.mark.parametrize(
    ("given", "normal"),
    [("1e3", "1000"), ("2.50", "2.5"), ("3.0", "3"), ("100", "100"), (3, "3"), (0.5, "0.5")],
)
def test_quantities_are_plain_decimals(given: object, normal: str) -> None:
    quantity = parse({"sku": "TG11", "quantity": given}).lines[0].quantity
    assert str(quantity) == normal
    assert quantity == Decimal(normal)


def test_the_same_order_written_differently_has_one_fingerprint() -> None:
    assert parse({"sku": " TG11", "quantity": "1E1"}).fingerprint() == (
        parse({"sku": "TG11", "quantity": "10"}).fingerprint()
    )


def test_the_order_of_lines_does_not_change_the_fingerprint() -> None:
    one, two = {"sku": "TG11", "quantity": "3"}, {"sku": "TG12", "quantity": "1.0"}
    assert parse(one, two).fingerprint() == parse(two, one).fingerprint()
    assert (
        parse(one, two).fingerprint() != parse(one, {"sku": "TG12", "quantity": "2"}).fingerprint()
    )


@pytest.mark.parametrize(
    ("line", "fields", "field", "message"),
    [
        ({"sku": "TG11", "quantity": "0"}, {}, "lines.0.quantity", "must be greater than 0"),
        ({"sku": "TG11", "quantity": "1.2345"}, {}, "lines.0.quantity", "at most 3 decimal"),
        ({"sku": "TG11", "quantity": "12345678901"}, {}, "lines.0.quantity", "10 digits"),
        ({"sku": "TG11", "quantity": "NaN"}, {}, "lines.0.quantity", "finite"),
        ({"sku": "TG11", "quantity": "two"}, {}, "lines.0.quantity", "decimal number"),
        ({"sku": "", "quantity": "1"}, {}, "lines.0.sku", "must not be empty"),
        ({"sku": "TG\n11", "quantity": "1"}, {}, "lines.0.sku", "control characters"),
        ({"sku": "T" * 41, "quantity": "1"}, {}, "lines.0.sku", "at most 40 characters"),
        ({"sku": "TG11", "quantity": "1", "location": ""}, {}, "lines.0.location", "empty"),
        ({"sku": "TG11", "quantity": "1", "lot": "A"}, {}, "lines.0.lot", "not a field"),
        (
            {"sku": "TG11", "quantity": "1"},
            {"idempotency_key": "a\tb"},
            "idempotency_key",
            "control",
        ),
        (
            {"sku": "TG11", "quantity": "1"},
            {"customer_id": None},
            "customer_id",
            "must be a string",
        ),
        ({"sku": "TG11", "quantity": "1"}, {"lines": []}, "lines", "must not be empty"),
    ],
)
def test_errors_name_the_field_in_plain_words(
    line: dict[str, object], fields: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(line, **fields)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")
    assert message in caught.value.message


def test_missing_field() -> None:
    with pytest.raises(InvalidInput, match=r"^customer_id: is required$"):
        PlaceOrder.parse(idempotency_key="k", lines=[{"sku": "TG11", "quantity": "1"}])


def test_the_external_reference_fits_the_erps_field_and_stays_as_it_was() -> None:
    command = PlaceOrder.parse(
        idempotency_key="k-1", customer_id="EU01:1", lines=[{"sku": "X", "quantity": "1"}]
    )
    # Orders placed before are found again by this reference: it must not change.
    known = "GW7c35c5a1785d20704e44d5de4beb81c1"
    assert command.external_reference(FieldLimits()) == known
    assert command.external_reference(FieldLimits(order_reference=35)) == known
    assert command.external_reference(FieldLimits(order_reference=20)) == known[:20]


def test_an_erp_field_too_short_for_a_safe_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="order_reference"):
        FieldLimits(order_reference=17)
    with pytest.raises(ValueError, match="movement_reference"):
        FieldLimits(movement_reference=15)
