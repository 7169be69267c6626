"""NetSuite's error bodies to the port's errors, the Token-Based Authentication header, and
the SuiteQL literals the adapter writes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from oauthlib.oauth1.rfc5849 import signature, utils

from system_apis.contracts import errors
from system_apis.netsuite.auth import TokenAuth
from system_apis.netsuite.errors import error_from_response
from system_apis.netsuite.suiteql import contains, numeric, text


def answer(status: int, code: str | None, detail: str, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code, **extra}],
    }
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("response", "write", "expected"),
    [
        (answer(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. "
                "Request blocked."), False, errors.Throttled),
        (answer(400, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded."),
         True, errors.Throttled),
        (answer(401, "INVALID_LOGIN", "Invalid login attempt."), False,
         errors.AuthenticationFailed),
        (answer(404, "NONEXISTENT_ID", "The record instance does not exist."), False,
         errors.NotFound),
        (answer(400, "DUP_RCRD", "A record with the specified external ID already exists."),
         True, errors.Conflict),
        (answer(400, "USER_ERROR", "Insufficient inventory: 2 on hand, 5 to fulfill."), True,
         errors.InsufficientStock),
        (answer(400, "INVALID_KEY_OR_REF", "Invalid item reference key 99.",
                **{"o:errorPath": "item"}), True, errors.ValidationRejected),
        (answer(500, "UNEXPECTED_ERROR", "An unexpected error occurred."), True,
         errors.UnknownOutcome),
        (answer(503, None, "Service unavailable"), False, errors.Unavailable),
    ],
)  # fmt: skip
def test_error_bodies_map_to_the_port_errors(
    response: httpx.Response, write: bool, expected: type[errors.ErpError]
) -> None:
    error = error_from_response(response, write=write, connection="NS01")
    assert type(error) is expected
    assert error.connection == "NS01"
    assert error.message == response.json()["o:errorDetails"][0]["detail"]


def test_a_refused_field_is_named_and_retry_after_is_read() -> None:
    refused = error_from_response(
        answer(
            400, "INVALID_KEY_OR_REF", "Invalid item reference key 99.", **{"o:errorPath": "item"}
        ),
        write=True,
        connection=None,
    )
    assert (refused.code, refused.field) == ("INVALID_KEY_OR_REF", "item")
    throttled = error_from_response(
        httpx.Response(429, headers={"Retry-After": "3"}, text="busy"), write=False, connection=None
    )
    assert isinstance(throttled, errors.Throttled)
    assert throttled.retry_after == 3


def test_the_authorization_header_is_tba_with_hmac_sha256_and_verifies() -> None:
    auth = TokenAuth("1234567_SB1", "ck", "cs", "tk", "ts")
    request = httpx.Request(
        "POST",
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=5",
    )
    signed = next(auth.auth_flow(request))
    header = signed.headers["Authorization"]
    fields = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
    assert fields["realm"] == "1234567_SB1"
    assert fields["oauth_signature_method"] == "HMAC-SHA256"
    assert (fields["oauth_consumer_key"], fields["oauth_token"]) == ("ck", "tk")
    assert abs(int(fields["oauth_timestamp"]) - time.time()) < 600
    rfc: Any = signature
    base = rfc.signature_base_string(
        "POST",
        rfc.base_string_uri(str(request.url)),
        rfc.normalize_parameters(
            rfc.collect_parameters(uri_query="limit=5", headers={"Authorization": header})
        ),
    )
    assert "limit%3D5" in base
    assert rfc.sign_hmac_sha256_with_client(base, _Secrets()) == fields["oauth_signature"]
    again = next(auth.auth_flow(httpx.Request("GET", "https://x.test/")))
    assert "oauth_nonce" in again.headers["Authorization"]
    assert again.headers["Authorization"] != header


class _Secrets:
    client_secret = "cs"
    resource_owner_secret = "ts"


def test_literals_cannot_leave_their_quotes() -> None:
    assert text("O'Brien") == "'O''Brien'"
    assert contains("c.companyname", "50%_o'k") == (
        "UPPER(c.companyname) LIKE '%50\\%\\_O''K%' ESCAPE '\\'"
    )
    assert numeric(["12", "0000000000-missing", "12", "7 OR 1=1", "3"]) == ["12", "3"]
