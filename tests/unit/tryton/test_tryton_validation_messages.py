"""trytond's field validation messages → ValidationRejected naming the field.

The messages are trytond's own texts (``trytond/ir/message.xml``) filled in as trytond fills them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from importlib import metadata

import pytest

from process_apis.erp_errors import flow_error
from process_apis.errors import InvalidInput
from system_apis.contracts.errors import ValidationRejected
from system_apis.tryton.errors import error_from_rpc
from system_apis.tryton.messages import reword

pytestmark = pytest.mark.unit

DIGITS = (
    'The number of digits in the value "{value!r}" for field "Quantity" in record "Sale Line" '
    'of "Sale Line" exceeds the limit of "{digits!r}".'
).format(value=Decimal("1.5"), digits=(None, 0))


@pytest.mark.parametrize("value", ["1.5", Decimal("1.5"), 1.5])
def test_the_value_is_shown_as_the_client_sent_it(value: object) -> None:
    message = DIGITS.replace(repr(Decimal("1.5")), repr(value))
    failure = error_from_rpc(["UserError", [message, "", None]], connection=None)
    assert failure.message.startswith("1.5 has more decimal places")


def test_too_many_decimals_name_the_field_and_the_value() -> None:
    failure = error_from_rpc(["UserError", [DIGITS, "", None]], connection="T1")
    assert type(failure) is ValidationRejected
    assert failure.field == "Quantity"
    assert failure.message == '1.5 has more decimal places than Sale Line "Quantity" accepts'
    assert "(None, 0)" not in failure.message
    assert failure.connection == "T1"


@pytest.mark.parametrize(
    ("message", "field", "expected"),
    [
        (
            'A value is required for field "Party" in "Sale".',
            "Party",
            'Sale "Party" is required',
        ),
        (
            'A value is required for field "Unit" in record "Sale Line" of "Sale Line".',
            "Unit",
            'Sale Line "Unit" is required',
        ),
        (
            'The value "ABCDEFGHIJK" for field "Code" in record "P1" of "Product" '
            "is too long (11 > 10).",
            "Code",
            'Product "Code" is too long: 11 characters, at most 10',
        ),
        (
            'The value "a\nb" for field "Reference" in record "S1" of "Sale" '
            'contains some invalid chars "\n".',
            "Reference",
            'Sale "Reference" contains characters Tryton does not accept: "a\nb"',
        ),
        (
            'The value "weekly" for field "Invoice Method" in record "S1" of "Sale" '
            "is not one of the allowed options.",
            "Invoice Method",
            '"weekly" is not one of the allowed options of Sale "Invoice Method"',
        ),
        (
            'The value "Lost" for field "Warehouse" in record "S1" of "Sale" '
            "is not valid according to its domain.",
            "Warehouse",
            '"Lost" is not an allowed value of Sale "Warehouse"',
        ),
    ],
)
def test_validation_messages_name_the_field(message: str, field: str, expected: str) -> None:
    failure = error_from_rpc(["UserError", [message, "", None]], connection=None)
    assert (type(failure), failure.field, failure.message) == (ValidationRejected, field, expected)


def test_other_user_errors_keep_trytons_text_and_name_no_field() -> None:
    failure = error_from_rpc(["UserError", ["The sale is not quoted.", "", None]], connection=None)
    assert (failure.message, failure.field) == ("The sale is not quoted.", None)


def test_the_field_reaches_the_flow_error() -> None:
    failure = error_from_rpc(["UserError", [DIGITS, "", None]], connection="T1")
    flow = flow_error(failure)
    assert isinstance(flow, InvalidInput)
    assert flow.field == "Quantity"
    assert 'Sale Line "Quantity"' in str(flow)


def _installed_validation_texts() -> dict[str, str]:
    try:
        files = metadata.distribution("trytond").locate_file("trytond/ir/message.xml")
    except metadata.PackageNotFoundError:
        pytest.skip("trytond is not installed (the project's tryton extra)")
    root = ET.parse(str(files)).getroot()
    texts = {}
    for record in root.iter("record"):
        name = record.get("id", "")
        text = record.find("field[@name='text']")
        if name.endswith(("_validation", "_validation_record")) and text is not None:
            texts[name] = text.text or ""
    return texts


def test_every_validation_message_of_the_installed_trytond_is_recognised() -> None:
    texts = _installed_validation_texts()
    assert texts
    values = {"value": "x", "field": "Label", "record": "R1", "model": "Model"}
    for name, text in texts.items():
        filled = re.sub(r"%\((\w+)\)[sri]", lambda m: values.get(m[1], "7"), text)
        found = reword(filled)
        assert found is not None, f"{name}: {filled}"
        assert found.field == "Label", name
        assert "Model" in found.message, name
