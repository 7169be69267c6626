"""Tryton's failures → the project's errors (error members of JSON-RPC answers, HTTP statuses)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    ErpError,
    NotFound,
    NotSupported,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.tryton.errors import error_from_rpc, error_from_status
from tests.unit.tryton.tryton_payloads import BUTTON_ERROR, GENERIC_ERROR, MISSING, error

pytestmark = pytest.mark.unit


def test_missing_record_is_not_found() -> None:
    failure = error_from_rpc(error(MISSING), connection="T1")
    assert type(failure) is NotFound
    assert "9999" in failure.message
    assert failure.connection == "T1"


def test_refused_button_is_rejected_with_trytons_message() -> None:
    failure = error_from_rpc(error(BUTTON_ERROR), connection=None)
    assert type(failure) is ValidationRejected
    assert failure.message == 'You can not call "pick" on "3" of "Stock Shipment Out".'
    assert failure.code == "UserError"


def test_user_error_description_is_kept() -> None:
    failure = error_from_rpc(
        ["UserError", ["The field is required.", "Fill in the party.", None]], connection=None
    )
    assert failure.message == "The field is required. Fill in the party."


def test_warning_is_rejected_with_its_name() -> None:
    failure = error_from_rpc(
        ["UserWarning", ["invoice_date_1", "The invoice date is in the future.", ""]],
        connection=None,
    )
    assert type(failure) is ValidationRejected
    assert failure.code == "invoice_date_1"
    assert failure.message == "The invoice date is in the future."


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (["ConcurrencyException", "Records were modified in the meanwhile"], Conflict),
        (["LoginException", ["password", "Password", "password"]], AuthenticationFailed),
        (["'no.model'", ""], Unavailable),
        ("boom", Unavailable),
        ([], Unavailable),
    ],
)
def test_other_rpc_errors(payload: Any, expected: type[ErpError]) -> None:
    assert type(error_from_rpc(payload, connection=None)) is expected


def test_server_exception_names_the_cause() -> None:
    failure = error_from_rpc(error(GENERIC_ERROR), connection=None)
    assert "'no.model'" in failure.message


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, text="")


@pytest.mark.parametrize(
    ("status", "write", "expected"),
    [
        (400, True, ValidationRejected),
        (401, False, AuthenticationFailed),
        (403, False, NotSupported),
        (404, False, Unavailable),
        (413, True, ValidationRejected),
        (422, False, ValidationRejected),
        (429, False, Throttled),
        (500, True, Unavailable),
        (502, True, UnknownOutcome),
        (502, False, Unavailable),
        (503, True, Unavailable),
        (504, True, UnknownOutcome),
        (504, False, Unavailable),
    ],
)
def test_statuses(status: int, write: bool, expected: type[ErpError]) -> None:
    failure = error_from_status(response(status), write=write, connection="T1")
    assert type(failure) is expected
    assert str(status) in failure.message


def test_throttled_carries_retry_after() -> None:
    failure = error_from_status(response(429, **{"Retry-After": "7"}), write=False, connection=None)
    assert isinstance(failure, Throttled)
    assert failure.retry_after == 7.0
