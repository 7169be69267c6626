"""The ``$filter`` parser and evaluator of the sandbox's OData engine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from erp_sandbox.odata.edm import EntityType, boolean, date, decimal, key_string, string, timestamp
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.odata.filter import parse_filter

ORDER = EntityType(
    name="OrderType",
    keys=("Order",),
    properties=(
        key_string("Order", 10, alpha=True),
        string("Customer", 10),
        string("Name", 40, display_format=None),
        decimal("Amount", 16, 3),
        boolean("Blocked"),
        date("Created"),
        timestamp("Changed"),
    ),
)

ROWS = [
    {
        "Order": "9",
        "Customer": "C1",
        "Name": "O'Brien Ltd",
        "Amount": Decimal("10.50"),
        "Blocked": False,
        "Created": datetime(2024, 1, 31),
        "Changed": None,
    },
    {
        "Order": "10",
        "Customer": "",
        "Name": "Müller GmbH",
        "Amount": Decimal("200"),
        "Blocked": True,
        "Created": datetime(2024, 2, 1),
        "Changed": None,
    },
    {
        "Order": "11",
        "Customer": "C2",
        "Name": "müller & Co",
        "Amount": Decimal("1.5"),
        "Blocked": False,
        "Created": datetime(2024, 3, 15),
        "Changed": None,
    },
]


def matching(expression: str) -> list[str]:
    parsed = parse_filter(expression, ORDER)
    return [str(row["Order"]) for row in ROWS if parsed.matches(row)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Customer eq 'C1'", ["9"]),
        ("Customer ne ''", ["9", "11"]),
        ("Amount gt 10", ["9", "10"]),
        ("Amount ge 10.5M", ["9", "10"]),
        ("Amount lt 1.6", ["11"]),
        ("Amount le 1.5m", ["11"]),
        ("Order gt '9'", ["10", "11"]),
        ("Order eq '0000000010'", ["10"]),
        ("Blocked eq true", ["10"]),
        ("Blocked", ["10"]),
        ("not Blocked", ["9", "11"]),
        ("Blocked eq false and Amount gt 2", ["9"]),
        ("Customer eq 'C1' or Customer eq 'C2'", ["9", "11"]),
        ("(Customer eq 'C1' or Customer eq 'C2') and Amount lt 5", ["11"]),
        ("not (Customer eq 'C1')", ["10", "11"]),
        ("substringof('ller', Name)", ["10", "11"]),
        ("substringof('ller', Name) eq true", ["10", "11"]),
        ("startswith(Name, 'Mü')", ["10"]),
        ("endswith(Name,'Co')", ["11"]),
        ("tolower(Name) eq 'müller gmbh'", ["10"]),
        ("toupper(Customer) eq 'C2'", ["11"]),
        ("Name eq 'O''Brien Ltd'", ["9"]),
        ("Created ge datetime'2024-02-01T00:00:00'", ["10", "11"]),
        ("Created lt datetime'2024-02-01T00:00'", ["9"]),
        ("Created gt datetimeoffset'2024-01-31T23:00:00Z'", ["10", "11"]),
        ("Created gt datetimeoffset'2024-02-01T00:30:00+01:00'", ["10", "11"]),
        ("Changed eq null", ["9", "10", "11"]),
        ("Changed ne null", []),
        ("year(Created) eq 2024 and month(Created) eq 3", ["11"]),
        ("length(Customer) eq 0", ["10"]),
    ],
)
def test_filter_selects_the_expected_rows(expression: str, expected: list[str]) -> None:
    assert matching(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "Customer eq",
        "Customer eq 'C1' and",
        "Unknown eq 'x'",
        "Customer eq 1",
        "Amount eq 'x'",
        "Blocked gt true",
        "Customer eq 'open",
        "Customer eq 'C1' Amount gt 1",
        "Amount add 1 eq 2",
        "to_Item/Material eq 'X'",
        "nosuchfunction(Name)",
        "substringof(Name)",
        "Customer",
        "(Customer eq 'C1'",
        "Created eq datetime'2024-13-45'",
        "Customer eq 'C1' # x",
    ],
)
def test_invalid_filter_is_a_400(expression: str) -> None:
    with pytest.raises(ODataError) as raised:
        parse_filter(expression, ORDER)
    assert raised.value.status == 400
    assert raised.value.message
