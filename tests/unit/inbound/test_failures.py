"""Retry or quarantine: which failures pass, and how long the processor waits."""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.errors import ErpUnavailable, InvalidInput
from process_apis.inbound.failures import classify
from process_apis.inbound.processor import RetryPolicy
from system_apis.contracts import errors as erp


@pytest.mark.parametrize(
    "exc",
    [
        erp.Unavailable("down"),
        erp.Throttled("slow down", retry_after=30),
        erp.UnknownOutcome("no answer"),
        erp.Conflict("stale"),
        erp.AuthenticationFailed("refused"),
        ErpUnavailable("circuit open"),
    ],
)
def test_outages_are_retried(exc: Exception) -> None:
    failure = classify(exc)
    assert failure is not None
    assert failure.transient


@pytest.mark.parametrize(
    "exc",
    [
        erp.NotFound("product X does not exist"),
        erp.ValidationRejected("bad unit"),
        erp.InsufficientStock("3 left"),
        erp.NotSupported("no stock postings"),
        InvalidInput("data.sku: bad"),
    ],
)
def test_refusals_are_not_retried(exc: Exception) -> None:
    failure = classify(exc)
    assert failure is not None
    assert not failure.transient


def test_the_erps_error_is_kept_without_secrets() -> None:
    failure = classify(
        erp.NotFound("see https://u:pw@erp.example/x?token=1 for M_123", code="M7/123")
    )
    assert failure is not None
    assert failure.erp_error is not None
    assert failure.erp_error.code == "M7/123"
    assert "pw" not in failure.erp_error.message
    assert "token" not in failure.reason
    assert failure.reason.startswith("the ERP refused the event: ")


def test_a_bug_is_not_classified() -> None:
    assert classify(KeyError("x")) is None
    assert classify(erp.ErpError("base")) is None


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=dt.timedelta(seconds=2), max_delay=dt.timedelta(seconds=60))
    first, third = policy.delay(1), policy.delay(3)
    assert dt.timedelta(seconds=1.6) <= first <= dt.timedelta(seconds=2)
    assert dt.timedelta(seconds=6.4) <= third <= dt.timedelta(seconds=8)
    assert policy.delay(20) <= dt.timedelta(seconds=60)
    assert policy.delay(1, retry_after=45) == dt.timedelta(seconds=45)
    assert classify(erp.Throttled("slow", retry_after=45)).retry_after == 45  # type: ignore[union-attr]
