"""The mapping guard every connector runs its native payload mappings in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from system_apis.contracts.errors import (
    ErpError,
    NotFound,
    Throttled,
    Unavailable,
    UnknownOutcome,
)
from system_apis.contracts.guards import MappingGuard

GUARD = MappingGuard("ACME ERP", "EU01")


class Row(BaseModel):
    qty: int


def missing_key() -> Any:
    return {"id": 1}["name"]


def empty_list() -> Any:
    return [][0]


def not_a_number() -> Any:
    return Decimal("12,5 PC")


def wrong_shape() -> Any:
    return Row.model_validate({"qty": "many"})


def wrong_type() -> Any:
    return len(None)  # type: ignore[arg-type]


FAULTY_MAPPINGS = [missing_key, empty_list, not_a_number, wrong_shape, wrong_type]


@pytest.mark.parametrize("convert", FAULTY_MAPPINGS)
def test_a_payload_the_mapping_cannot_read_is_unavailable_on_a_read(convert: Any) -> None:
    with pytest.raises(Unavailable) as caught:
        GUARD.mapped(convert)

    assert type(caught.value) is Unavailable
    assert caught.value.message.startswith("ACME ERP answered a payload the adapter cannot read")
    assert caught.value.connection == "EU01"
    assert caught.value.__cause__ is not None  # the native failure, for the traceback


@pytest.mark.parametrize("convert", FAULTY_MAPPINGS)
def test_after_an_accepted_write_the_outcome_is_unknown(convert: Any) -> None:
    with pytest.raises(UnknownOutcome, match="accepted the write but answered a payload") as caught:
        GUARD.written(convert)

    assert caught.value.connection == "EU01"


def test_a_good_payload_passes() -> None:
    assert GUARD.mapped(lambda: Row(qty=3)) == Row(qty=3)
    assert GUARD.written(lambda: "4711") == "4711"


def test_the_ports_own_errors_pass_unchanged() -> None:
    refused = NotFound("no such plant", connection="EU01")

    def convert() -> None:
        raise refused

    with pytest.raises(NotFound) as caught:
        GUARD.mapped(convert)
    assert caught.value is refused


def test_a_bug_is_not_disguised_as_the_erps_fault() -> None:
    def convert() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        GUARD.mapped(convert)


async def test_a_failed_read_back_makes_the_write_unknown() -> None:
    async def read() -> str:
        raise Throttled("HTTP 429", code="SY/530", connection="EU01", retry_after=5)

    with pytest.raises(UnknownOutcome) as caught:
        await GUARD.read_back(read(), "sales order 4711")

    assert caught.value.message == (
        "ACME ERP accepted sales order 4711 but reading it back failed: HTTP 429"
    )
    assert (caught.value.code, caught.value.connection) == ("SY/530", "EU01")
    assert isinstance(caught.value.__cause__, ErpError)


async def test_a_read_back_that_works_answers_the_record() -> None:
    async def read() -> str:
        return "4711"

    assert await GUARD.read_back(read(), "sales order 4711") == "4711"
