"""Bearer token validation: a JWT signed by a trusted issuer becomes a :class:`Principal`.

Checks, in order: the header's ``alg`` is one of the configured asymmetric algorithms (so
``none`` and HS* never get as far as a key); the ``iss`` names a trusted issuer; the
``kid`` names one of that issuer's keys, of the family ``alg`` belongs to; the signature;
``exp`` (required), ``nbf`` and ``iat`` with a small leeway; ``aud``. Messages say what was
wrong, never echo the token.

The time claims must be JSON numbers (not strings, not booleans) between 1970 and the year
9999: PyJWT would turn ``"exp": "1900000000"`` into a number and take ``1e20`` as "never
expires", so they are checked here before it sees them.

Claims: ``sub`` (else the client id) is the subject; ``azp`` or ``client_id`` the client;
``roles`` (a list) and ``scope`` (space separated) or ``scp`` (a list) grant scopes; the
companies claim (``companies`` by default) lists the connections the caller may use,
``"*"`` meaning all of them; a token without it may use none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from experience_api.security.dev_keys import is_dev_kid
from experience_api.security.jwks import KeySource, VerificationKey, curve_name
from experience_api.security.permissions import scopes_for
from experience_api.security.principal import Principal

MAX_TOKEN_LENGTH = 16_384
NUMERIC_DATE_CLAIMS = ("exp", "nbf", "iat")
MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z
ALL_COMPANIES = "*"
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


class InvalidToken(Exception):
    """The token cannot be trusted; ``description`` says why (for ``error_description``)."""

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class TrustedIssuer:
    """An ``iss`` value and where its verification keys come from."""

    issuer: str
    keys: KeySource


class TokenValidator:
    """Validates bearer tokens from one or more trusted issuers."""

    def __init__(
        self,
        issuers: Sequence[TrustedIssuer],
        *,
        audience: str,
        algorithms: Sequence[str],
        leeway_seconds: float,
        companies_claim: str = "companies",
        refuse_dev_keys: bool = False,
    ):
        for algorithm in algorithms:
            if algorithm[:2] not in _KEY_TYPES:
                raise ValueError(f"algorithm {algorithm!r} is not an accepted signing algorithm")
        self._issuers = {trusted.issuer: trusted for trusted in issuers}
        self._audience = audience
        self._algorithms = tuple(algorithms)
        self._leeway = leeway_seconds
        self._companies_claim = companies_claim
        self._refuse_dev_keys = refuse_dev_keys

    async def validate(self, token: str) -> Principal:
        """The caller the token speaks for; InvalidToken, or KeysUnavailable when the
        issuer's keys cannot be read."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("the token is too long")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise InvalidToken("the token is not a well-formed JWT") from None
        _check_numeric_dates(unverified)
        algorithm = header.get("alg")
        if algorithm not in self._algorithms:
            raise InvalidToken(
                f"signing algorithm {str(algorithm)[:16]!r} is not accepted; "
                f"accepted: {', '.join(self._algorithms)}"
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token header names no key (kid)")
        if self._refuse_dev_keys and is_dev_kid(kid):
            raise InvalidToken("tokens signed by the local development key are not accepted")
        issuer = unverified.get("iss")
        trusted = self._issuers.get(issuer) if isinstance(issuer, str) else None
        if trusted is None:
            raise InvalidToken("the token's issuer (iss) is not trusted")
        key = await trusted.keys.key(kid)
        if key is None:
            raise InvalidToken("the token is signed with a key the issuer does not publish")
        if key.refused is not None:
            raise InvalidToken(f"the issuer's key {kid[:64]!r} is refused: {key.refused}")
        _check_key_family(key, algorithm)
        claims = self._verified_claims(token, key, algorithm, trusted.issuer)
        return self._principal(claims)

    def _verified_claims(
        self, token: str, key: VerificationKey, algorithm: str, issuer: str
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("the token is not valid yet (nbf or iat in the future)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token has no {exc.claim!r} claim") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(
                f"the token is not meant for this API (aud {self._audience!r})"
            ) from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token's issuer (iss) is not trusted") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature does not verify") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the token is invalid: {type(exc).__name__}") from None
        return claims

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        client_id = claims.get("azp") or claims.get("client_id")
        subject = claims.get("sub") or client_id
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("the token names no subject (sub) and no client (azp)")
        if not isinstance(client_id, str) or not client_id:
            client_id = subject
        roles = _string_list(claims, "roles")
        scope = claims.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise InvalidToken("the 'scope' claim must be a space-separated string")
        names = [*(scope or "").split(), *_string_list(claims, "scp")]
        companies = _string_list(claims, self._companies_claim)
        return Principal(
            subject=subject,
            client_id=client_id,
            roles=frozenset(roles),
            scopes=scopes_for(roles, names),
            connections=None if ALL_COMPANIES in companies else frozenset(companies),
        )


def _string_list(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidToken(f"the {name!r} claim must be a list of strings")
    return value


def _check_numeric_dates(claims: Mapping[str, Any]) -> None:
    """RFC 7519 NumericDate: a JSON number of seconds since the epoch, in a sane range."""
    for name in NUMERIC_DATE_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidToken(
                f"the {name!r} claim must be a number of seconds since 1970 (a NumericDate), "
                f"not {_json_type(value)}"
            )
        if not 0 <= value <= MAX_NUMERIC_DATE:  # also false for NaN, true for no infinity
            raise InvalidToken(
                f"the {name!r} claim is out of range: a NumericDate lies between 0 and "
                f"{MAX_NUMERIC_DATE} (the year 9999)"
            )


def _json_type(value: object) -> str:
    names = {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}
    return "null" if value is None else names.get(type(value), "another type")


def _check_key_family(key: VerificationKey, algorithm: str) -> None:
    if key.algorithm is not None and key.algorithm != algorithm:
        raise InvalidToken(f"the key is for {key.algorithm}, the token says {algorithm}")
    if key.key_type != _KEY_TYPES[algorithm[:2]]:
        raise InvalidToken(f"the key is of type {key.key_type}, which cannot verify {algorithm}")
    curve = curve_name(key.key)
    if curve is not None and _CURVES.get(algorithm) != curve:
        raise InvalidToken(f"the key is on the curve {curve}, which cannot verify {algorithm}")
