"""OAuth 2.0 client credentials (machine to machine) as NetSuite's token endpoint answers it.

``POST /services/rest/auth/oauth2/v1/token`` takes ``grant_type=client_credentials``,
``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and a
``client_assertion``: a JWT whose header ``kid`` names an uploaded certificate and which is
signed with its private key (RSA-PSS or EC; NetSuite no longer takes PKCS#1 v1.5 RS256),
with ``iss`` = the integration's client id, ``aud`` = the token endpoint, ``scope``
naming ``rest_webservices``, and ``exp`` at most an hour after ``iat``. The answer is an
access token valid for an hour (``{"access_token", "token_type": "bearer", "expires_in"}``);
refusals are OAuth error bodies (``{"error": "invalid_client" | "invalid_grant" | ...}``).
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import jwt

from erp_sandbox.netsuite.settings import SandboxSettings

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LIFETIME = 3600


class OAuthRefusal(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


class TokenIssuer:
    """Issues access tokens for client assertions signed with a registered certificate."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._settings = settings
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def issue(self, form: dict[str, str], token_url: str) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise OAuthRefusal("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthRefusal("invalid_request", "client_assertion_type must be jwt-bearer")
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
        except jwt.PyJWTError:
            raise OAuthRefusal("invalid_request", "client_assertion is not a JWT") from None
        key = dict(self._settings.m2m_certificates).get(str(kid))
        if key is None:
            raise OAuthRefusal("invalid_client", "unknown certificate (kid)", 401)
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=ALGORITHMS,
                audience=token_url,
                issuer=self._settings.consumer_key,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise OAuthRefusal("invalid_grant", f"client_assertion refused: {error}") from None
        if int(claims["exp"]) - int(claims["iat"]) > LIFETIME:
            raise OAuthRefusal("invalid_grant", "exp is more than an hour after iat")
        scope = claims.get("scope")
        scopes = scope if isinstance(scope, list) else str(scope or "").replace(",", " ").split()
        if "rest_webservices" not in scopes:
            raise OAuthRefusal("invalid_scope", "scope must include rest_webservices")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.time() + LIFETIME
            self.issued += 1
        return {"access_token": token, "token_type": "bearer", "expires_in": LIFETIME}

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and time.time() < expires

    def expire_all(self) -> None:
        """Every token issued so far expires now."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)
