"""Who a request speaks for: the bearer token's principal, or in local mode the developer.

Built once from the settings by :func:`build_authenticator`, which also enforces the two
modes: ``local`` creates (once) and trusts the development signing key and lets tokenless
requests act as the local developer; ``production`` requires a token from the configured
issuer and refuses the development key wherever it appears.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from experience_api.security.config import LOCAL_ISSUER, AuthSettings
from experience_api.security.dev_keys import load_dev_key, load_or_create_dev_key
from experience_api.security.jwks import RemoteKeys, StaticKeys
from experience_api.security.permissions import scopes_for
from experience_api.security.principal import Principal
from experience_api.security.tokens import InvalidToken, TokenValidator, TrustedIssuer

Mode = Literal["local", "production"]

NOBODY = Principal(
    subject="anonymous", client_id="anonymous", roles=frozenset(), scopes=frozenset(),
    connections=frozenset(),
)  # fmt: skip
"""No scope on no connection: what a connection that has not authenticated yet acts as."""


class MissingToken(Exception):
    """The request carries no bearer token and the mode does not allow that."""


class MalformedAuthorization(Exception):
    """The Authorization header is not ``Bearer <token>`` (RFC 6750 invalid_request)."""


@dataclass(frozen=True)
class Authenticator:
    """Turns an Authorization header into a Principal."""

    mode: Mode
    validator: TokenValidator
    local_developer: Principal | None
    """Who a tokenless request is in local mode; None when a token is always required."""

    async def authenticate(
        self, authorization: str | None, client_host: str | None = None
    ) -> Principal:
        """The caller; MissingToken, MalformedAuthorization, InvalidToken or KeysUnavailable.

        Without a token, only a caller on this machine (``client_host`` loopback) may be the
        local developer: a local-mode gateway reachable from the network (a container
        listening on 0.0.0.0) does not hand out its developer to everyone.
        """
        token = bearer_token(authorization)
        if token is None:
            developer = self.anonymous(client_host)
            if developer is NOBODY:
                raise MissingToken
            return developer
        return await self.validator.validate(token)

    def anonymous(self, client_host: str | None) -> Principal:
        """Who a caller without credentials acts as (until it presents some)."""
        if self.local_developer is not None and is_loopback(client_host):
            return self.local_developer
        return NOBODY


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without a header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise MalformedAuthorization("the Authorization header must use the Bearer scheme")
    token = token.strip()
    if not token or " " in token:
        raise MalformedAuthorization("the Authorization header must be 'Bearer <token>'")
    return token


def build_authenticator(auth: AuthSettings, mode: Mode, data_dir: Path) -> Authenticator:
    """The authenticator for these settings; ValueError when production mode is asked to
    trust the development key or has no issuer to trust."""
    production = mode == "production"
    issuers: list[TrustedIssuer] = []
    if auth.issuer is not None:
        issuers.append(TrustedIssuer(auth.issuer, _issuer_keys(auth, refuse_dev=production)))
    if production:
        _require_tls(auth.jwks_url)
        if not issuers:
            raise ValueError(
                "production mode needs a token issuer: set auth.issuer and auth.jwks_url "
                "(or auth.jwks_file)"
            )
        _refuse_known_dev_key(auth, data_dir)
    else:
        dev_key = load_or_create_dev_key(data_dir)
        issuers.append(TrustedIssuer(LOCAL_ISSUER, StaticKeys.from_document(dev_key.jwks())))
    validator = TokenValidator(
        issuers,
        audience=auth.audience,
        algorithms=_algorithms(auth.algorithms, production),
        leeway_seconds=auth.leeway_seconds,
        companies_claim=auth.companies_claim,
        refuse_dev_keys=production,
    )
    developer = None
    if not production and auth.local_anonymous:
        roles = [role.value for role in auth.local_roles]
        developer = Principal(
            subject="local-developer",
            client_id="local-developer",
            roles=frozenset(roles),
            scopes=scopes_for(roles),
        )
    return Authenticator(mode=mode, validator=validator, local_developer=developer)


def _algorithms(configured: Sequence[str], production: bool) -> list[str]:
    # The development key signs RS256; local mode accepts it whatever the issuer uses.
    algorithms = list(configured)
    if not production and "RS256" not in algorithms:
        algorithms.append("RS256")
    return algorithms


def _issuer_keys(auth: AuthSettings, *, refuse_dev: bool) -> StaticKeys | RemoteKeys:
    if auth.jwks_file is not None:
        return StaticKeys.from_file(auth.jwks_file, refuse_dev_keys=refuse_dev)
    assert auth.jwks_url is not None
    return RemoteKeys(
        auth.jwks_url,
        cache_seconds=auth.jwks_cache_seconds,
        refresh_min_seconds=auth.jwks_refresh_min_seconds,
        timeout_seconds=auth.jwks_timeout_seconds,
        refuse_dev_keys=refuse_dev,
    )


def _require_tls(url: str | None) -> None:
    # Keys fetched in clear text could be swapped on the way; loopback stays allowed for a
    # sidecar or a local identity provider.
    if url is None:
        return
    parsed = urlsplit(url)
    if parsed.scheme != "https" and parsed.hostname not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError(f"production mode reads the issuer's keys over https only, not {url}")


def _refuse_known_dev_key(auth: AuthSettings, data_dir: Path) -> None:
    """A JWKS file holding this data directory's development key, even under another kid."""
    if auth.jwks_file is None:
        return
    dev_key = load_dev_key(data_dir)
    if dev_key is None:
        return
    modulus = dev_key.public_jwk["n"]
    if modulus in auth.jwks_file.read_text(encoding="utf-8"):
        raise ValueError(
            f"the JWKS file {auth.jwks_file} holds the local development key; production "
            "mode refuses it"
        )


__all__ = [
    "NOBODY",
    "Authenticator",
    "InvalidToken",
    "MalformedAuthorization",
    "MissingToken",
    "build_authenticator",
]
