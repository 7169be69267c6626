"""Verification keys of a token issuer: a JSON Web Key Set read from a file or a URL.

Keys are found by ``kid``. A remote set is cached; a token naming a kid the cache does not
know makes the set be read again, at most once per ``refresh_min_seconds``, which is how a
rotated key is picked up without letting made-up kids hammer the issuer. When the issuer
cannot be reached the cached keys keep working; only a token whose key was never seen gets
:class:`KeysUnavailable` (the gateway answers 503, not 401: the token may well be good).

Weak keys are refused, with a warning naming their kid: RSA keys under 2,048 bits (NIST SP
800-131A, RFC 7518 3.3), and EC keys on a curve other than P-256, P-384 or P-521. They stay
known by kid, so a token signed with one is told why it is refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from experience_api.security.dev_keys import is_dev_kid

log = logging.getLogger(__name__)
MIN_RSA_BITS = 2048
EC_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


class KeysUnavailable(Exception):
    """The issuer's keys cannot be read right now."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class VerificationKey:
    """A public key and the algorithm its JWK declares (None: any of its family).

    ``refused`` says why a key the issuer publishes must not be used (too weak); such a
    key verifies nothing."""

    key: Any
    key_type: str
    algorithm: str | None
    refused: str | None = None


class KeySource(Protocol):
    """Where the verification keys of one issuer come from."""

    async def key(self, kid: str) -> VerificationKey | None:
        """The key with this id, or None when the issuer has no such key."""
        ...


def parse_jwks(
    document: object, *, refuse_dev_keys: bool, origin: str
) -> dict[str, VerificationKey]:
    """Usable signing keys of a JWKS by kid; keys without a kid, for encryption or of an
    unsupported type are left out. ValueError when the document is not a JWKS."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError(f"{origin} is not a JWKS (an object with a 'keys' list)")
    keys: dict[str, VerificationKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, Mapping) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        if refuse_dev_keys and is_dev_kid(kid):
            raise ValueError(f"{origin} holds the local development key {kid!r}")
        if entry.get("kty") not in ("RSA", "EC"):
            continue  # symmetric (oct) keys would verify HS* tokens: never trusted
        declared = entry.get("alg")
        try:
            jwk = jwt.PyJWK(dict(entry))
        except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
            log.warning("ignoring key %r of %s: %s", kid, origin, exc)
            continue
        refused = weakness(jwk.key)
        if refused is not None:
            log.warning("refusing key %r of %s: %s", kid, origin, refused)
        keys[kid] = VerificationKey(
            key=jwk.key,
            key_type=str(jwk.key_type),
            algorithm=declared if isinstance(declared, str) else None,
            refused=refused,
        )
    return keys


def weakness(key: Any) -> str | None:
    """Why a public key is too weak to trust, or None when it is strong enough."""
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        return f"an RSA key of {key.key_size} bits is too weak (at least {MIN_RSA_BITS})"
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name not in EC_CURVES:
        accepted = ", ".join(EC_CURVES.values())
        return f"an EC key on the curve {key.curve.name} is not accepted ({accepted} are)"
    return None


def curve_name(key: Any) -> str | None:
    """The JOSE name of an EC key's curve (P-256...), None for other keys."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return EC_CURVES.get(key.curve.name, key.curve.name)
    return None


class StaticKeys:
    """Keys fixed at start-up: a JWKS file, or the local development key."""

    def __init__(self, keys: Mapping[str, VerificationKey]):
        self._keys = dict(keys)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StaticKeys:
        return cls(parse_jwks(document, refuse_dev_keys=False, origin="the development JWKS"))

    @classmethod
    def from_file(cls, path: Path, *, refuse_dev_keys: bool) -> StaticKeys:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the JWKS file {path}: {exc}") from exc
        keys = parse_jwks(document, refuse_dev_keys=refuse_dev_keys, origin=str(path))
        if not any(key.refused is None for key in keys.values()):
            weak = "; ".join(f"{kid}: {key.refused}" for kid, key in keys.items())
            raise ValueError(
                f"the JWKS file {path} holds no usable signing key" + (f" ({weak})" if weak else "")
            )
        return cls(keys)

    async def key(self, kid: str) -> VerificationKey | None:
        return self._keys.get(kid)


class RemoteKeys:
    """The issuer's JWKS over HTTP(S), cached for ``cache_seconds``."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float,
        refresh_min_seconds: float,
        timeout_seconds: float,
        refuse_dev_keys: bool,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._url = url
        self._cache_seconds = cache_seconds
        self._refresh_min = refresh_min_seconds
        self._timeout = timeout_seconds
        self._refuse_dev_keys = refuse_dev_keys
        self._transport = transport
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._failure: KeysUnavailable | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> VerificationKey | None:
        now = time.monotonic()
        expired = self._fetched_at is None or now - self._fetched_at >= self._cache_seconds
        if (expired or kid not in self._keys) and self._may_refresh(now):
            await self._refresh(kid)
        elif self._fetched_at is None and self._failure is not None:
            raise self._failure
        return self._keys.get(kid)

    def _may_refresh(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._refresh_min

    async def _refresh(self, kid: str) -> None:
        async with self._lock:
            now = time.monotonic()
            # Another request read the keys (or tried to) while this one waited for the lock.
            if not self._may_refresh(now):
                if self._fetched_at is None and self._failure is not None:
                    raise self._failure
                return
            self._attempted_at = now
            try:
                self._keys = await self._fetch()
            except KeysUnavailable as exc:
                self._failure = exc
                if kid in self._keys:
                    log.warning("%s; using the keys read before", exc.message)
                    return
                raise
            self._fetched_at = time.monotonic()
            self._failure = None

    async def _fetch(self) -> dict[str, VerificationKey]:
        retry = max(self._refresh_min, 1.0)
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport, follow_redirects=False
            ) as client:
                response = await client.get(self._url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailable(
                f"the token issuer's keys cannot be read from {self._url}: {exc}", retry
            ) from exc
        try:
            keys = parse_jwks(document, refuse_dev_keys=self._refuse_dev_keys, origin=self._url)
        except ValueError as exc:
            raise KeysUnavailable(str(exc), retry) from exc
        log.info("read %d signing keys from %s", len(keys), self._url)
        return keys
