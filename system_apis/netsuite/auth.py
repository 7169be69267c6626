"""Token-Based Authentication: every request signed with an OAuth 1.0a header (RFC 5849)
carrying ``realm`` = the account id and ``oauth_signature_method="HMAC-SHA256"``.

oauthlib computes the signature (base string of method, URL and query parameters; a JSON
body takes no part in it) with a fresh nonce and timestamp per request, so a retried
request is signed anew.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client


class TokenAuth(httpx.Auth):
    """httpx authentication with one integration (consumer) and one access token."""

    def __init__(
        self,
        account_id: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
    ) -> None:
        self._client = Client(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=token_id,
            resource_owner_secret=token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            realm=account_id,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        method = cast(Any, request.method)  # the stubs name the methods as literals
        _, headers, _ = self._client.sign(str(request.url), method)
        request.headers["Authorization"] = headers["Authorization"]
        yield request
