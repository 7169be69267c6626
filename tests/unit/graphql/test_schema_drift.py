"""The committed SDL matches the code, so every schema change shows up in review."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest

import experience_api
from experience_api.schema import export_sdl
from experience_api.schema.invoices import InvoiceStatus
from experience_api.schema.orders import DocumentStatus, OrderStatus
from system_apis.contracts import models

COMMITTED = Path(experience_api.__file__).parent / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == export_sdl(), (
        f"{COMMITTED} differs from the schema in code; run `make schema` and commit the result"
    )


@pytest.mark.parametrize(
    ("graphql_enum", "canonical"),
    [
        (OrderStatus, models.OrderStatus),
        (DocumentStatus, models.DocumentStatus),
        (InvoiceStatus, models.InvoiceStatus),
    ],
)
def test_enums_cover_the_canonical_model(graphql_enum: type[Enum], canonical: type[Enum]) -> None:
    assert {m.value for m in graphql_enum} == {m.value for m in canonical}
