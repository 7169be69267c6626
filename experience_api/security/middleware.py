"""The ASGI middleware in front of the API: authentication (RFC 6750) and rate limiting.

Every HTTP request outside the open paths needs a valid bearer token (local mode: or none,
acting as the local developer). Failures are answered before anything runs:

- no token: 401 with ``WWW-Authenticate: Bearer realm="erp-gateway"``;
- a header that is not ``Bearer <token>``, or two Authorization headers: 400
  ``error="invalid_request"``;
- a token that does not validate: 401 ``error="invalid_token"`` with ``error_description``;
- a valid token granting no scope of this API at all: 403 ``error="insufficient_scope"``;
- the issuer's keys unreachable for a key never seen before: 503 with ``Retry-After``;
- over the client's rate limit: 429 with ``Retry-After`` (and ``RateLimit-*`` on every
  answer).

Invalid tokens are counted per caller address and per token (a fingerprint of it). A token
refused too often is answered 429 without being checked again; an address that sent too
many invalid tokens gets 429 for its next invalid ones, but its valid tokens are served:
clients behind one NAT or proxy cannot lock each other out. The caller's address is the
peer, or the client a trusted proxy names (:mod:`client_address`); it replaces the
scope's ``client`` so everything after this middleware sees the same caller.

Under the paths of a :class:`CookieToken` (the web console), a request without an
Authorization header may carry its bearer token in a cookie instead, set by the console's
sign-in page; a page asked for there without a valid token is redirected to sign-in.

The principal is left in the ASGI scope's ``state`` (``request.state.principal``). A
WebSocket may also authenticate later, in its ``connection_init`` payload; a bad token in
its upgrade request closes it before it is accepted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from experience_api.security.authenticator import (
    Authenticator,
    MalformedAuthorization,
    MissingToken,
)
from experience_api.security.client_address import TrustedProxies
from experience_api.security.jwks import KeysUnavailable
from experience_api.security.permissions import Scope as ApiScope
from experience_api.security.principal import Principal
from experience_api.security.rate_limit import Decision, RateLimiter
from experience_api.security.tokens import InvalidToken

log = logging.getLogger(__name__)
REALM = "erp-gateway"
PRINCIPAL_KEY = "principal"
WS_UNAUTHORIZED = 4401


@dataclass(frozen=True)
class CookieToken:
    """Browser pages under ``prefix`` whose bearer token may come in the ``cookie``; a
    page (GET of HTML) there without a valid token is sent to ``sign_in``."""

    prefix: str
    cookie: str
    sign_in: str

    def covers(self, path: str) -> bool:
        return path == self.prefix or path.startswith(f"{self.prefix}/")


class AuthMiddleware:
    """Authenticates and rate-limits every request outside ``open_paths``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticator: Authenticator,
        limiter: RateLimiter | None,
        open_paths: Collection[str] = ("/", "/health", "/ready"),
        open_get_paths: Collection[str] = (),
        open_prefixes: Collection[str] = (),
        trusted_proxies: TrustedProxies | None = None,
        cookie_token: CookieToken | None = None,
    ):
        self.app = app
        self.cookie_token = cookie_token
        self.trusted_proxies = trusted_proxies or TrustedProxies()
        self.authenticator = authenticator
        self.limiter = limiter
        self.open_paths = frozenset(open_paths)
        self.open_get_paths = frozenset(open_get_paths)
        self.open_prefixes = tuple(open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted_proxies:
            scope = self._resolve_client(scope)
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if (
            path in self.open_paths
            or path.startswith(self.open_prefixes)
            or (path in self.open_get_paths and _asks_for_a_page(scope))
        ):
            await self.app(scope, receive, send)
            return
        address = _client(scope) or "unknown"
        try:
            authorization = _authorization(scope)
        except MalformedAuthorization as exc:
            await self._count_failure(f"addr:{address}")
            await _reply(send, 400, str(exc), "UNAUTHENTICATED", _invalid_request(exc))
            return
        cookie = self.cookie_token if self.cookie_token and self.cookie_token.covers(path) else None
        if authorization is None and cookie is not None:
            token = _cookie(scope, cookie.cookie)
            authorization = None if token is None else f"Bearer {token}"
        fingerprint = _fingerprint(authorization)
        if self.limiter is not None and fingerprint is not None:
            refused = await self.limiter.failures_exhausted(fingerprint)
            if refused is not None:
                message = "this token was refused too often; try again later"
                await _reply(send, 429, message, "RATE_LIMITED", refused.headers())
                return
        try:
            principal = await self.authenticator.authenticate(authorization, _client(scope))
        except MissingToken:
            if cookie is not None and _asks_for_a_page(scope):
                await _redirect(send, cookie.sign_in)
                return
            await _reply(send, 401, "a bearer token is required", "UNAUTHENTICATED", _challenge())
            return
        except MalformedAuthorization as exc:
            await self._count_failure(f"addr:{address}")
            await _reply(send, 400, str(exc), "UNAUTHENTICATED", _invalid_request(exc))
            return
        except InvalidToken as exc:
            log.info("rejected a bearer token from %s: %s", address, exc.description)
            refused = await self._address_exhausted(address)
            await self._count_failure(f"addr:{address}", *filter(None, [fingerprint]))
            if refused is not None:
                message = "too many invalid tokens from this address; try again later"
                await _reply(send, 429, message, "RATE_LIMITED", refused.headers())
                return
            if cookie is not None and _asks_for_a_page(scope):
                await _redirect(send, cookie.sign_in)  # an expired sign-in, most often
                return
            challenge = _challenge("invalid_token", exc.description)
            await _reply(send, 401, exc.description, "UNAUTHENTICATED", challenge)
            return
        except KeysUnavailable as exc:
            log.warning("%s", exc.message)
            retry = [(b"retry-after", str(max(1, round(exc.retry_after))).encode())]
            message = "the token issuer's keys cannot be read right now; try again later"
            await _reply(send, 503, message, "AUTH_UNAVAILABLE", retry)
            return
        if not principal.scopes:
            needed = " ".join(sorted(s.value for s in ApiScope))
            challenge = _challenge("insufficient_scope", "the token grants no scope", needed)
            await _reply(send, 403, "the token grants no scope of this API", "FORBIDDEN", challenge)
            return
        scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
        decision = await self._limit(scope, principal)
        if decision is not None and not decision.allowed:
            message = f"rate limit exceeded; retry in {max(decision.reset_seconds, 1)} s"
            await _reply(send, 429, message, "RATE_LIMITED", decision.headers())
            return
        await self.app(scope, receive, _with_headers(send, decision))

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            authorization = _authorization(scope)
        except MalformedAuthorization as exc:
            log.info("refused a WebSocket from %s: %s", _client(scope), exc)
            await send({"type": "websocket.close", "code": WS_UNAUTHORIZED})
            return
        if authorization is not None:
            try:
                principal = await self.authenticator.authenticate(authorization, _client(scope))
            except (MalformedAuthorization, InvalidToken, KeysUnavailable) as exc:
                log.info("refused a WebSocket from %s: %s", _client(scope), exc)
                await send({"type": "websocket.close", "code": WS_UNAUTHORIZED})
                return
            scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
        decision = await self._limit(scope, scope.get("state", {}).get(PRINCIPAL_KEY))
        if decision is not None and not decision.allowed:
            await send({"type": "websocket.close", "code": 4429})
            return
        await self.app(scope, receive, send)

    def _resolve_client(self, scope: Scope) -> Scope:
        peer = _client(scope)
        client = self.trusted_proxies.client(peer, scope.get("headers", []))
        if client == peer:
            return scope
        return {**scope, "client": (client, 0)}

    async def _address_exhausted(self, address: str) -> Decision | None:
        if self.limiter is None:
            return None
        return await self.limiter.failures_exhausted(f"addr:{address}")

    async def _count_failure(self, *who: str) -> None:
        if self.limiter is not None:
            await self.limiter.count_failure(*who)

    async def _limit(self, scope: Scope, principal: Principal | None) -> Decision | None:
        if self.limiter is None:
            return None
        anonymous = principal is None or principal is self.authenticator.local_developer
        key = f"addr:{_client(scope)}" if anonymous else f"client:{principal.client_id}"  # type: ignore[union-attr]
        return await self.limiter.hit(key, principal)


def _asks_for_a_page(scope: Scope) -> bool:
    """A GET for an HTML page (GraphiQL), not an operation: no ``query`` parameter, and
    HTML accepted, as the GraphQL view decides it. A query sent with GET is authenticated
    and rate-limited like any other request."""
    if scope["method"] != "GET" or "query" in parse_qs(scope.get("query_string", b"").decode()):
        return False
    accept = b",".join(
        bytes(v) for k, v in scope.get("headers", []) if bytes(k).lower() == b"accept"
    )
    return b"text/html" in accept or b"*/*" in accept


def _authorization(scope: Scope) -> str | None:
    """The one Authorization header; MalformedAuthorization when there are several (which
    one a proxy or framework would pick differs, so none is taken: RFC 6750 3.1)."""
    values = [v for k, v in scope.get("headers", []) if bytes(k).lower() == b"authorization"]
    if len(values) > 1:
        raise MalformedAuthorization("the request carries more than one Authorization header")
    return bytes(values[0]).decode("latin-1") if values else None


def _cookie(scope: Scope, name: str) -> str | None:
    """The value of the cookie ``name``; None when absent, empty or unreadable."""
    for key, value in scope.get("headers", []):
        if bytes(key).lower() != b"cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(bytes(value).decode("latin-1"))
        except CookieError:
            continue
        if name in jar and jar[name].value.strip():
            return jar[name].value.strip()
    return None


async def _redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1")),
                (b"content-length", b"0"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _fingerprint(authorization: str | None) -> str | None:
    """What identifies a presented token in the failure counts, without holding it."""
    if authorization is None:
        return None
    return "token:" + hashlib.sha256(authorization.strip().encode("latin-1")).hexdigest()[:32]


def _invalid_request(exc: MalformedAuthorization) -> list[tuple[bytes, bytes]]:
    return _challenge("invalid_request", str(exc))


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _challenge(
    error: str | None = None, description: str | None = None, scope: str | None = None
) -> list[tuple[bytes, bytes]]:
    parts = [f'Bearer realm="{REALM}"']
    if error is not None:
        parts.append(f'error="{error}"')
    if description is not None:
        parts.append(f'error_description="{_quoted(description)}"')
    if scope is not None:
        parts.append(f'scope="{scope}"')
    return [(b"www-authenticate", ", ".join(parts).encode("latin-1", "replace"))]


def _quoted(text: str) -> str:
    # RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E in error_description.
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "'" for c in text)


async def _reply(
    send: Send, status: int, message: str, code: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send, decision: Decision | None) -> Send:
    if decision is None:
        return send
    extra = decision.headers()

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
