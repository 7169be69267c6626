"""Security for the HTTP app, from the settings: the authentication middleware and the
authenticator the GraphQL view uses for WebSocket ``connection_init`` tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from starlette.middleware import Middleware

from experience_api.graphiql.assets import STATIC_PREFIX as GRAPHIQL_ASSETS
from experience_api.security.authenticator import Authenticator, Mode, build_authenticator
from experience_api.security.client_address import TrustedProxies
from experience_api.security.config import AuthSettings
from experience_api.security.middleware import AuthMiddleware, CookieToken
from experience_api.security.rate_limit import RateLimiter

GRAPHQL_PATH = "/graphql"
INBOUND_WEBHOOKS_PREFIX = "/webhooks/inbound/"
RESOURCE_METADATA_PREFIX = "/.well-known/oauth-protected-resource"
# The web console: a browser signs in once (its token kept in a cookie); its sign-in page and
# stylesheet are open.
CONSOLE = CookieToken(prefix="/console", cookie="console_token", sign_in="/console/sign-in")
CONSOLE_STATIC_PREFIX = "/console/static/"


class SecuritySettings(Protocol):
    """What the security reads from the gateway's settings (:class:`Settings` has it); a
    protocol, so this package does not depend on the settings that compose its own."""

    @property
    def auth(self) -> AuthSettings: ...
    @property
    def mode(self) -> Mode: ...
    @property
    def data_dir(self) -> Path: ...


class Security:
    """What the app holds for authentication: the authenticator, and the rate limiter to
    close on shutdown."""

    def __init__(self, authenticator: Authenticator, limiter: RateLimiter | None):
        self.authenticator = authenticator
        self.limiter = limiter

    def close(self) -> None:
        if self.limiter is not None:
            self.limiter.close()


def security(settings: SecuritySettings) -> tuple[Middleware, Security]:
    """The middleware to install, and what it holds. ValueError when the security settings
    cannot be honoured (production mode without an issuer, or trusting the development
    key): the gateway must not start then."""
    authenticator = build_authenticator(settings.auth, settings.mode, settings.data_dir)
    limits = settings.auth.rate_limit
    limiter = RateLimiter(limits) if limits.enabled else None
    # The GraphiQL page (GET) and its assets are a developer's tool: open only in local mode.
    local = settings.mode == "local"
    open_get = (GRAPHQL_PATH,) if local else ()
    open_assets = (f"{GRAPHIQL_ASSETS}/",) if local else ()
    middleware = Middleware(
        AuthMiddleware,
        authenticator=authenticator,
        limiter=limiter,
        # Probes and Prometheus' scrapes carry no token (docs/metrics.md: keep /metrics on
        # the internal network).
        open_paths=("/", "/health", "/ready", "/metrics", CONSOLE.sign_in),
        open_get_paths=open_get,
        # Inbound webhooks prove who sent them with their own signature, not a token.
        # Protected Resource Metadata (RFC 9728) tells a caller how to get a token.
        open_prefixes=(
            INBOUND_WEBHOOKS_PREFIX,
            RESOURCE_METADATA_PREFIX,
            CONSOLE_STATIC_PREFIX,
            *open_assets,
        ),
        trusted_proxies=TrustedProxies(settings.auth.trusted_proxies),
        cookie_token=CONSOLE,
    )
    return middleware, Security(authenticator, limiter)


def check_security(settings: SecuritySettings) -> None:
    """ValueError, with what to fix, when the security settings cannot be honoured; for
    refusing to start with a message instead of a traceback."""
    build_authenticator(settings.auth, settings.mode, settings.data_dir)
