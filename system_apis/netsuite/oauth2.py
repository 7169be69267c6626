"""OAuth 2.0 machine-to-machine authentication: the client credentials grant with a JWT
client assertion, as NetSuite's integration records with a certificate use it.

The assertion is signed (PyJWT) with the certificate's private key, ``kid`` = the certificate
id NetSuite assigned when the public certificate was uploaded; claims ``iss`` = the
integration's client id, ``scope`` = ``["rest_webservices"]``, ``aud`` = the token endpoint,
``iat`` and ``exp`` (at most an hour later). The access token NetSuite answers is sent as
``Authorization: Bearer`` until shortly before its ``expires_in``, then fetched anew; a
refused assertion is AuthenticationFailed.
"""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx
import jwt

from system_apis.contracts.errors import AuthenticationFailed

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME = 3600
MARGIN = 60
"""Seconds before its expiry a token is replaced."""


class ClientCredentialsAuth(httpx.Auth):
    """httpx authentication with a NetSuite integration's client id and certificate."""

    requires_response_body = True  # the token answer is read inside the flow

    def __init__(
        self,
        base_url: str,
        client_id: str,
        certificate_id: str,
        private_key: str,
        algorithm: str = "PS256",
    ) -> None:
        self._token_url = base_url.rstrip("/") + TOKEN_PATH
        self._client_id = client_id
        self._certificate_id = certificate_id
        self._private_key = private_key
        self._algorithm = algorithm
        self._token: str | None = None
        self._expires = 0.0

    def assertion(self, now: float) -> str:
        claims = {
            "iss": self._client_id,
            "scope": ["rest_webservices"],
            "aud": self._token_url,
            "iat": int(now),
            "exp": int(now) + LIFETIME,
        }
        return jwt.encode(
            claims,
            self._private_key,
            algorithm=self._algorithm,
            headers={"kid": self._certificate_id, "typ": "JWT"},
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        now = time.time()
        if self._token is None or now >= self._expires - MARGIN:
            answer = yield httpx.Request(
                "POST",
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": self.assertion(now),
                },
            )
            if answer.status_code != 200:
                raise AuthenticationFailed(
                    f"NetSuite refused the client assertion: HTTP {answer.status_code} "
                    f"{answer.text[:200]}"
                )
            try:
                body = answer.json()
                self._token = str(body["access_token"])
                self._expires = now + float(body.get("expires_in", LIFETIME))
            except (ValueError, KeyError, TypeError) as exc:
                raise AuthenticationFailed(
                    "NetSuite answered the token request with no access token"
                ) from exc
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request
