"""``TrytonSession``: one JSON-RPC endpoint of trytond and the login session it needs.

Every call is ``POST <base_url>/<database>/rpc/`` with ``{"id", "method", "params"}``. The
session starts with ``common.db.login`` (``[login, {"password": ...}, language]`` answers
``[user_id, key, bus_url]``); later calls carry ``Authorization: Session
base64("<login>:<user_id>:<key>")``.

trytond checks that header before it dispatches anything (``TrytondWSGI.auth_required``): a key
that expired (``[session] max_age``), was removed by ``common.db.logout`` or by deleting its
``ir.session`` row, or is too old for a method that wants a fresh session answers HTTP 401
with nothing executed. The session then logs in again and sends the same call once more, which
is safe for writes too; a second 401 is AuthenticationFailed. Concurrent calls that hit the
same expired key share one new login.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from system_apis.contracts.errors import (
    AuthenticationFailed,
    ErpError,
    Unavailable,
    UnknownOutcome,
)
from system_apis.tracing import event_hooks
from system_apis.tryton import codec
from system_apis.tryton.errors import error_from_rpc, error_from_status

logger = logging.getLogger(__name__)

LOGIN_METHOD = "common.db.login"
# Failures that prove the request never left: a write that hit one of these did not happen.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


class TrytonSession:
    """JSON-RPC calls to one trytond database as one user, logged in on first use.

    ``connection`` is the connection name set on the errors the session raises.
    """

    def __init__(
        self,
        base_url: str,
        database: str,
        username: str,
        password: str,
        *,
        timeout: float | httpx.Timeout,
        transport: httpx.AsyncBaseTransport | None,
        connection: str | None,
        language: str,
    ) -> None:
        if not database:
            raise ValueError("a Tryton database name is required")
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
            event_hooks=event_hooks(),
        )
        self._path = f"/{quote(database, safe='')}/rpc/"
        self._username = username
        self._password = password
        self._language = language
        self._authorization: str | None = None
        self._login_lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self.connection = connection
        self.user_id: int | None = None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def login(self) -> None:
        """Opens a new session, replacing the current one."""
        async with self._login_lock:
            await self._login()

    async def logout(self) -> None:
        """Ends the session on the server (``common.db.logout``); a later call logs in again."""
        authorization = self._authorization
        if authorization is None:
            return
        self._authorization = None
        await self._post("common.db.logout", [], authorization=authorization, write=False)

    async def call(self, method: str, params: Sequence[Any], *, write: bool) -> Any:
        """The ``result`` of one call; an expired session is renewed and the call sent again."""
        authorization = await self._current_authorization()
        response = await self._post(method, params, authorization=authorization, write=write)
        if response.status_code == 401:
            logger.info("Tryton session refused on %s; logging in again", method)
            authorization = await self._renew(authorization)
            response = await self._post(method, params, authorization=authorization, write=write)
            if response.status_code == 401:
                raise AuthenticationFailed(
                    "Tryton refused a freshly opened session", connection=self.connection
                )
        return self._result(response, write=write)

    async def _current_authorization(self) -> str:
        if self._authorization is not None:
            return self._authorization
        async with self._login_lock:
            return self._authorization or await self._login()

    async def _renew(self, stale: str) -> str:
        async with self._login_lock:
            if self._authorization is None or self._authorization == stale:
                return await self._login()
            return self._authorization

    async def _login(self) -> str:
        self._authorization = None
        params = [self._username, {"password": self._password}, self._language]
        response = await self._post(LOGIN_METHOD, params, authorization=None, write=False)
        if response.status_code == 401:
            raise AuthenticationFailed(
                "Tryton refused the login of the gateway user", connection=self.connection
            )
        result = self._result(response, write=False)
        if (
            not isinstance(result, list)
            or len(result) < 2
            or not isinstance(result[0], int)
            or not isinstance(result[1], str)
        ):
            raise AuthenticationFailed(
                "Tryton answered the login without a session", connection=self.connection
            )
        user_id, key = result[0], result[1]
        token = f"{self._username}:{user_id}:{key}".encode()
        self._authorization = "Session " + base64.b64encode(token).decode("ascii")
        self.user_id = user_id
        return self._authorization

    async def _post(
        self, method: str, params: Sequence[Any], *, authorization: str | None, write: bool
    ) -> httpx.Response:
        body = codec.encode({"id": next(self._ids), "method": method, "params": list(params)})
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            return await self._http.post(self._path, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise self._transport_error(exc, write, method, "timed out") from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, write, method, "failed") from exc
        except httpx.InvalidURL as exc:
            raise Unavailable(f"invalid Tryton URL: {exc}", connection=self.connection) from exc

    def _result(self, response: httpx.Response, *, write: bool) -> Any:
        if response.status_code != 200:
            raise error_from_status(response, write=write, connection=self.connection)
        try:
            answer = codec.decode(response.content)
        except ValueError as exc:
            raise self._unreadable(write, "is not JSON") from exc
        if not isinstance(answer, dict):
            raise self._unreadable(write, "is not a JSON-RPC answer")
        if "error" in answer and answer["error"] is not None:
            raise error_from_rpc(answer["error"], connection=self.connection)
        if "result" not in answer:
            raise self._unreadable(write, "has neither result nor error")
        return answer["result"]

    def _unreadable(self, write: bool, what: str) -> ErpError:
        message = f"Tryton's answer {what}"
        if write:
            return UnknownOutcome(
                f"{message}; the write may have happened", connection=self.connection
            )
        return Unavailable(message, connection=self.connection)

    def _transport_error(
        self, exc: httpx.HTTPError, write: bool, method: str, what: str
    ) -> ErpError:
        name = type(exc).__name__
        if write and not isinstance(exc, _NOT_SENT):
            return UnknownOutcome(
                f"Tryton call {method} {what} after it was sent ({name}); "
                "the write may have happened",
                connection=self.connection,
            )
        return Unavailable(f"Tryton call {method} {what} ({name})", connection=self.connection)
