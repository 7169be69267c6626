"""The ``auth`` section of the settings: token issuers, the local developer, rate limits.

Signing algorithms are a closed list of asymmetric ones: a symmetric algorithm (HS*) would
let anyone holding the issuer's public key mint tokens, and ``none`` signs nothing, so
neither can be configured at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    field_validator,
    model_validator,
)

from experience_api.security.permissions import Role

Algorithm = Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
_DEFAULT_ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "ES256")
LOCAL_ISSUER = "erp-gateway-local"
"""The ``iss`` of tokens signed by the local development key."""


def _rate(value: str) -> str:
    from limits import parse

    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"not a rate limit like '600/minute': {value!r}") from exc
    return value


class RateLimitSettings(BaseModel):
    """Requests per client (the token's client id, else the caller's address), in a moving
    window. ``per_role`` overrides ``default`` for callers holding that role; a caller with
    several roles gets the most generous of their limits."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    storage_url: str = Field(
        default="memory://",
        description="memory:// (one process) or redis://host:6379/0 (shared by instances)",
    )
    default: str = "3000/minute"
    per_role: dict[Role, str] = Field(default_factory=lambda: {Role.AGENT: "600/minute"})
    failed_auth: str = Field(
        default="60/minute",
        description="invalid tokens per caller address, and per token: beyond it, that "
        "token is refused without being checked and the address's invalid tokens get 429; a "
        "valid token is never refused by this limit",
    )

    @field_validator("default", "failed_auth")
    @classmethod
    def _default_rate(cls, value: str) -> str:
        return _rate(value)

    @field_validator("per_role")
    @classmethod
    def _role_rates(cls, value: dict[Role, str]) -> dict[Role, str]:
        return {role: _rate(rate) for role, rate in value.items()}

    @field_validator("storage_url")
    @classmethod
    def _storage(cls, value: str) -> str:
        scheme = value.partition("://")[0]
        if scheme not in {"memory", "redis", "rediss", "redis+unix"}:
            raise ValueError(f"rate limit storage must be memory:// or redis://..., got {scheme!r}")
        return value


class AuthSettings(BaseModel):
    """How bearer tokens are checked (OAuth2 resource server, RFC 6750)."""

    model_config = ConfigDict(extra="forbid")

    issuer: str | None = Field(
        default=None, description="expected `iss` of tokens from the identity provider"
    )
    audience: str = Field(default="erp-gateway", min_length=1, description="expected `aud`")
    jwks_url: str | None = Field(default=None, description="the issuer's JWKS (https://...)")
    jwks_file: Path | None = Field(default=None, description="a JWKS file instead of a URL")
    algorithms: list[Algorithm] = Field(
        default_factory=lambda: [*_DEFAULT_ALGORITHMS], min_length=1
    )
    leeway_seconds: float = Field(default=30, ge=0, le=300, description="clock skew for exp/nbf")
    jwks_cache_seconds: float = Field(default=3600, gt=0, description="keys are re-read after")
    jwks_refresh_min_seconds: float = Field(
        default=30, ge=0, description="an unknown kid re-reads the keys at most this often"
    )
    jwks_timeout_seconds: float = Field(default=5, gt=0)
    companies_claim: str = Field(
        default="companies", description="claim listing the connections a caller may use"
    )
    local_anonymous: bool = Field(
        default=True, description="local mode: a request without a token acts as local_roles"
    )
    local_roles: list[Role] = Field(
        default_factory=lambda: [Role.SALES, Role.FINANCE, Role.ADMIN],
        description="roles of the tokenless local developer; never hr",
    )
    dev_token_max_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="addresses or CIDRs of the reverse proxies whose X-Forwarded-For or "
        "Forwarded header names the caller; from anyone else these headers are ignored",
    )

    @field_validator("local_roles")
    @classmethod
    def _no_hr(cls, value: list[Role]) -> list[Role]:
        # Payroll and bank data must always be asked for with an explicit hr token.
        if Role.HR in value:
            raise ValueError("local_roles must not include hr; use `erp-gateway token --role hr`")
        return value

    @model_validator(mode="after")
    def _issuer_needs_keys(self) -> AuthSettings:
        has_keys = self.jwks_url is not None or self.jwks_file is not None
        if self.jwks_url is not None and self.jwks_file is not None:
            raise ValueError("give auth.jwks_url or auth.jwks_file, not both")
        if (self.issuer is None) != (not has_keys):
            raise ValueError("auth.issuer and one of auth.jwks_url/auth.jwks_file go together")
        if self.issuer == LOCAL_ISSUER:
            raise ValueError(f"auth.issuer {LOCAL_ISSUER!r} is reserved for the development key")
        return self
