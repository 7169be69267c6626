"""The one table that turns the port's errors into the flows' errors."""

from __future__ import annotations

import pytest

from process_apis import errors as flow
from process_apis.erp_errors import FLOW_ERRORS, flow_error, translated
from system_apis.contracts import errors as erp
from system_apis.resilience.breaker import CircuitOpen


class SessionExpired(erp.AuthenticationFailed):
    """A connector's own refinement the table does not name."""


class ReadTimedOut(erp.UnknownOutcome):
    """Another connector's refinement, below a class the table names."""


@pytest.mark.parametrize(
    ("raised", "expected", "code", "message"),
    [
        (erp.NotFound("no such order"), flow.RecordNotFound, "NOT_FOUND", "sales order '7'"),
        (
            erp.ValidationRejected("field X is required"),
            flow.InvalidInput,
            "INVALID_INPUT",
            "the ERP rejected the request: field X is required",
        ),
        (
            erp.InsufficientStock("deficit of 3 PC"),
            flow.StockShortfall,
            "INVALID_INPUT",
            "the ERP rejected the request: deficit of 3 PC",
        ),
        (
            erp.Conflict("stale ETag"),
            flow.ConcurrentChange,
            "CONCURRENT_CHANGE",
            "concurrent change in the ERP: stale ETag",
        ),
        (
            erp.NotSupported("no invoices"),
            flow.InvalidState,
            "INVALID_STATE",
            "not supported by this ERP: no invoices",
        ),
        (
            erp.AuthenticationFailed("bad password"),
            flow.ErpUnavailable,
            "ERP_UNAVAILABLE",
            "the ERP could not process the request",
        ),
        (SessionExpired("gone"), flow.ErpUnavailable, "ERP_UNAVAILABLE", "could not process"),
        (erp.ErpError("odd"), flow.ErpUnavailable, "ERP_UNAVAILABLE", "could not process"),
        (erp.Unavailable("503"), flow.ErpUnavailable, "ERP_UNAVAILABLE", "try again later"),
        (erp.Throttled("429"), flow.ErpThrottled, "ERP_UNAVAILABLE", "try again later"),
        (erp.UnknownOutcome("lost"), flow.OutcomeUnknown, "ERP_UNAVAILABLE", "try again later"),
        (ReadTimedOut("lost"), flow.OutcomeUnknown, "ERP_UNAVAILABLE", "try again later"),
    ],
)
def test_each_port_error_becomes_its_flow_error(
    raised: erp.ErpError, expected: type[flow.FlowError], code: str, message: str
) -> None:
    translated_error = flow_error(raised, "sales order", "7")

    assert type(translated_error) is expected
    assert translated_error.code == code
    assert message in translated_error.message


def test_the_most_specific_entry_wins_whatever_the_order_of_the_table() -> None:
    # InsufficientStock is a ValidationRejected, UnknownOutcome an Unavailable; both are
    # named themselves, and the flows act on the difference (ship, look the order up).
    assert erp.ValidationRejected in FLOW_ERRORS
    assert erp.Unavailable in FLOW_ERRORS
    assert isinstance(flow_error(erp.InsufficientStock("short")), flow.StockShortfall)
    assert isinstance(flow_error(erp.UnknownOutcome("lost")), flow.OutcomeUnknown)
    assert type(flow_error(erp.ValidationRejected("bad"))) is flow.InvalidInput
    assert type(flow_error(erp.Unavailable("down"))) is flow.ErpUnavailable


def test_the_erp_details_travel_as_attributes() -> None:
    raised = erp.Throttled("HTTP 429", code="SY/530", connection="EU01", retry_after=12.5)

    translated_error = flow_error(raised)

    assert isinstance(translated_error, flow.ErpThrottled)
    assert translated_error.retry_after == 12.5
    assert translated_error.erp == flow.ErpDetails(
        kind="Throttled", message="HTTP 429", code="SY/530", connection="EU01"
    )


def test_a_connector_error_keeps_its_own_kind() -> None:
    translated_error = flow_error(SessionExpired("token expired", connection="US01"))

    assert translated_error.erp is not None
    assert (translated_error.erp.kind, translated_error.erp.connection) == (
        "SessionExpired",
        "US01",
    )


def test_an_open_circuit_is_unavailable_with_its_wait() -> None:
    translated_error = flow_error(CircuitOpen("circuit open", connection="EU01", retry_after=4))

    assert type(translated_error) is flow.ErpUnavailable
    assert translated_error.retry_after == 4
    assert translated_error.erp is not None
    assert translated_error.erp.kind == "CircuitOpen"


def test_not_found_names_the_record() -> None:
    with pytest.raises(flow.RecordNotFound) as caught, translated("delivery", "EU01:80000001"):
        raise erp.NotFound("HTTP 404")

    assert caught.value.message == "delivery 'EU01:80000001' does not exist"
    assert caught.value.erp is not None
    assert caught.value.erp.message == "HTTP 404"


def test_translation_keeps_the_erp_error_in_the_traceback() -> None:
    raised = erp.Conflict("precondition failed", code="412")

    with pytest.raises(flow.ConcurrentChange) as caught, translated():
        raise raised

    assert caught.value.__cause__ is raised


def test_other_exceptions_pass_untouched() -> None:
    with pytest.raises(KeyError), translated():
        raise KeyError("a bug, not the ERP")


def test_a_concurrent_change_is_not_an_idempotency_conflict() -> None:
    assert not isinstance(flow_error(erp.Conflict("stale")), flow.IdempotencyConflict)
