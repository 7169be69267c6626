"""The one reading of ``Retry-After`` that SAP, Tryton, webhooks and inbound share."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from system_apis.contracts.errors import Throttled, Unavailable
from system_apis.contracts.retry_after import MAX_RETRY_AFTER, parse_retry_after
from system_apis.sap.errors import error_from_response
from system_apis.tryton.errors import error_from_status

NOW = dt.datetime(2026, 3, 2, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("1", 1.0),
        (" 120 ", 120.0),
        ("007", 7.0),
        # The three HTTP-date forms RFC 9110 asks a recipient to accept.
        ("Mon, 02 Mar 2026 12:00:30 GMT", 30.0),
        ("Monday, 02-Mar-26 12:01:00 GMT", 60.0),
        ("Mon Mar  2 12:02:00 2026", 120.0),
        ("Mon, 02 Mar 2026 13:00:30 +0100", 30.0),
        # In the past: now.
        ("Mon, 02 Mar 2026 11:59:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        # Absent or garbage: the caller's own backoff applies.
        (None, None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("-5", None),
        ("+5", None),
        ("1.5", None),
        ("1e3", None),
        ("5 seconds", None),
        ("\u00b2", None),  # a digit to str.isdigit, not to HTTP
        ("\u0661\u0662", None),  # Arabic-Indic digits
        ("Mon, 99 Mar 2026 12:00:30 GMT", None),
        ("Mon, 02 Mar 99999999999 12:00:30 GMT", None),
    ],
)
def test_both_forms_and_garbage(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize(
    "header", ["99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "86401"]
)
def test_a_wait_longer_than_a_day_is_capped(header: str) -> None:
    assert parse_retry_after(header, NOW) == MAX_RETRY_AFTER


def test_a_date_counts_from_the_current_time_by_default() -> None:
    in_a_minute = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    header = in_a_minute.strftime("%a, %d %b %Y %H:%M:%S GMT")

    seconds = parse_retry_after(header)

    assert seconds is not None
    assert 55 <= seconds <= 60


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("-1", None), ("later", None)],
)
def test_sap_and_tryton_read_it_alike(header: str, seconds: float | None) -> None:
    answer = httpx.Response(429, headers={"Retry-After": header})

    from_sap = error_from_response(answer, write=False, connection="EU01")
    from_tryton = error_from_status(answer, write=False, connection="US01")

    assert isinstance(from_sap, Throttled)
    assert isinstance(from_tryton, Throttled)
    assert from_sap.retry_after == from_tryton.retry_after == seconds


def test_tryton_reads_a_date_too() -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    answer = httpx.Response(503, headers={"Retry-After": later})

    failure = error_from_status(answer, write=False, connection="US01")

    assert isinstance(failure, Unavailable)
    assert failure.retry_after is not None
    assert 80 <= failure.retry_after <= 90
