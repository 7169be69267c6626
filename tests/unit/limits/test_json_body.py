"""The bounded JSON decoder: what it refuses, with which code, and what it lets through."""

from __future__ import annotations

from decimal import Decimal

import pytest

from experience_api.limits.json_body import (
    MAX_NUMBER_LENGTH,
    UnsafeJson,
    check_value,
    decode_json,
)

pytestmark = pytest.mark.unit


def refused(data: bytes | str, max_depth: int = 8) -> UnsafeJson:
    with pytest.raises(UnsafeJson) as caught:
        decode_json(data, max_depth=max_depth)
    return caught.value


def test_ordinary_bodies_read_as_json() -> None:
    body = '{"query": "{ a }", "variables": {"x": [1, 2.5, true, null, "\\ud83d\\ude00 \u05d0"]}}'
    assert decode_json(body.encode(), max_depth=8) == {
        "query": "{ a }",
        "variables": {"x": [1, 2.5, True, None, "\U0001f600 \u05d0"]},
    }


def test_depth_counts_the_body_itself() -> None:
    assert decode_json("[[[]]]", max_depth=3) == [[[]]]
    error = refused("[[[[]]]]", max_depth=3)
    assert error.code == "JSON_TOO_DEEP"
    assert error.extensions == {"limit": 3, "actual": 4}
    assert error.message.startswith("body[0][0][0]: ")


def test_depth_names_where_the_nesting_is() -> None:
    error = refused('{"variables": {"x": {"y": {"z": {}}}}}', max_depth=4)
    assert error.message.startswith("body.variables.x.y.z: ")


def test_nesting_beyond_the_parser_is_refused_without_recursion_error() -> None:
    error = refused(b"[" * 49_000 + b"]" * 49_000, max_depth=32)
    assert error.code == "JSON_TOO_DEEP"
    assert error.extensions["limit"] == 32


def test_deep_values_are_measured_without_recursion() -> None:
    value: list[object] = []
    for _ in range(50_000):
        value = [value]
    with pytest.raises(UnsafeJson, match="nested more than 10 levels"):
        check_value(value, max_depth=10)


@pytest.mark.parametrize(
    "body",
    [b'{"q": "\xff"}', b'{"q": "\xc0\xaf"}', b'{"q": "\xed\xa0\x80"}', b"\xfe\xff\x00{"],
    ids=["invalid byte", "overlong slash", "encoded surrogate", "utf-16 bom"],
)
def test_only_utf8_is_read(body: bytes) -> None:
    error = refused(body)
    assert error.code == "BAD_REQUEST_BODY"
    assert error.message.startswith("body: not UTF-8: byte 0x")


@pytest.mark.parametrize("body", ["{not json", "", "[1,]", '{"a": NaN}', "[Infinity]", "-Infinity"])
def test_what_is_not_json_is_refused(body: str) -> None:
    error = refused(body)
    assert error.code == "BAD_REQUEST_BODY"
    assert error.message.startswith("body: not valid JSON")


def test_long_numbers_are_refused_before_conversion() -> None:
    assert decode_json("9" * MAX_NUMBER_LENGTH, max_depth=1) == int("9" * MAX_NUMBER_LENGTH)
    error = refused('{"v": ' + "9" * 5000 + "}")
    assert error.code == "NUMBER_TOO_LARGE"
    assert error.extensions == {"limit": MAX_NUMBER_LENGTH, "actual": 5000}
    assert refused("1." + "5" * 200).code == "NUMBER_TOO_LARGE"


def test_numbers_beyond_a_double_are_refused() -> None:
    assert refused("[1e999]").code == "NUMBER_TOO_LARGE"
    assert refused("[-1e400]").code == "NUMBER_TOO_LARGE"
    assert decode_json("[1e-999]", max_depth=2) == [0.0]


def test_reals_may_read_as_decimals() -> None:
    assert decode_json('{"q": 1.10}', max_depth=2, parse_float=Decimal) == {"q": Decimal("1.10")}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"variables": {"c": "EU01:\\ud800"}}', "body.variables.c: "),
        ('["ok", "\\udfff"]', "body[1]: "),
        ('{"a\\u0000": 1}', "body (a key): "),
        ('{"query": "x\\u0000"}', "body.query: "),
    ],
)
def test_lone_surrogates_and_nul_are_refused(body: str, where: str) -> None:
    error = refused(body)
    assert error.code == "UNSUPPORTED_CHARACTER"
    assert error.message.startswith(where)
    # The answer itself must be valid UTF-8.
    error.message.encode("utf-8")


def test_long_keys_are_cut_short_in_messages() -> None:
    error = refused('{"' + "k" * 1000 + '": [[[[[[[[[]]]]]]]]]}')
    assert "k" * 40 + "..." in error.message
    assert len(error.message) < 200
