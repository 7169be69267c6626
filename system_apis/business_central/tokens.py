"""Access tokens from Microsoft Entra ID (OAuth 2.0 client credentials), cached until shortly
before they expire and then fetched anew; one fetch at a time."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from system_apis.contracts.errors import AuthenticationFailed, ErpError, Unavailable

SCOPE = "https://api.businesscentral.dynamics.com/.default"
REFRESH_MARGIN = 120.0
"""Seconds before its expiry a token is replaced, so no request leaves with one about to lapse."""


class TokenSource:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        connection: str | None = None,
    ) -> None:
        self._http, self._url = http, token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": SCOPE,
        }
        self.connection = connection
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetched = 0

    def forget(self, token: str) -> None:
        """Drops ``token`` (BC refused it), so the next request fetches another."""
        if self._token == token:
            self._token = None

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires - REFRESH_MARGIN:
                self._token, lifetime = await self._fetch()
                self._expires = time.monotonic() + lifetime
            return self._token

    async def _fetch(self) -> tuple[str, float]:
        try:
            response = await self._http.post(self._url, data=self._form)
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"Entra ID could not be reached: {exc}", connection=self.connection
            ) from exc
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise Unavailable(
                f"Entra ID answered HTTP {response.status_code} without JSON",
                connection=self.connection,
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise Unavailable(
                f"Entra ID answered HTTP {response.status_code}", connection=self.connection
            )
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            description = body.get("error_description", "") if isinstance(body, dict) else ""
            error: ErpError = AuthenticationFailed(
                "Entra ID refused the gateway's credentials: "
                + (description.splitlines()[0] if description else str(response.status_code)),
                code=body.get("error") if isinstance(body, dict) else None,
                connection=self.connection,
            )
            raise error
        return str(body["access_token"]), float(body.get("expires_in", 3599))
