"""Security for the HTTP app, from the settings: the authentication middleware and the
authenticator the GraphQL view uses for WebSocket ``connection_init`` tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.middleware import Middleware

from experience_api.security.authenticator import Authenticator, build_authenticator
from experience_api.security.middleware import AuthMiddleware
from experience_api.security.rate_limit import RateLimiter

if TYPE_CHECKING:
    from experience_api.settings import Settings

GRAPHQL_PATH = "/graphql"
INBOUND_WEBHOOKS_PREFIX = "/webhooks/inbound/"


class Security:
    """What the app holds for authentication: the authenticator, and the rate limiter to
    close on shutdown."""

    def __init__(self, authenticator: Authenticator, limiter: RateLimiter | None):
        self.authenticator = authenticator
        self.limiter = limiter

    def close(self) -> None:
        if self.limiter is not None:
            self.limiter.close()


def security(settings: Settings) -> tuple[Middleware, Security]:
    """The middleware to install, and what it holds. ValueError when the security settings
    cannot be honoured (production mode without an issuer, or trusting the development
    key): the gateway must not start then."""
    authenticator = build_authenticator(settings.auth, settings.mode, settings.data_dir)
    limits = settings.auth.rate_limit
    limiter = RateLimiter(limits) if limits.enabled else None
    # The GraphiQL page (GET) is a developer's tool: open only in local mode.
    open_get = (GRAPHQL_PATH,) if settings.mode == "local" else ()
    middleware = Middleware(
        AuthMiddleware,
        authenticator=authenticator,
        limiter=limiter,
        open_get_paths=open_get,
        # Inbound webhooks prove who sent them with their own signature, not a token.
        open_prefixes=(INBOUND_WEBHOOKS_PREFIX,),
    )
    return middleware, Security(authenticator, limiter)


def check_security(settings: Settings) -> None:
    """ValueError, with what to fix, when the security settings cannot be honoured; for
    refusing to start with a message instead of a traceback."""
    build_authenticator(settings.auth, settings.mode, settings.data_dir)
