"""``NetSuiteSettings``: what one NetSuite account connection is configured with."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from system_apis.contracts.connector import ConnectorSettings

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _secret(value: SecretStr | None, env: str | None, what: str) -> str:
    if env is not None:
        found = os.environ.get(env)
        if found is None:
            raise ValueError(f"environment variable {env} is not set")
        return found
    if value is None:
        raise ValueError(f"no {what} configured")
    return value.get_secret_value()


class NetSuiteSettings(ConnectorSettings):
    """One NetSuite account reached over SuiteTalk REST with Token-Based Authentication;
    without ``account_id`` the gateway serves it from its built-in emulator.

    ``consumer_key``/``consumer_secret`` are the integration record's, ``token_id``/
    ``token_secret`` the access token's (each secret given as a value or as the name of an
    environment variable holding it). With ``auth = "oauth2"`` the connection uses the client
    credentials grant instead: ``consumer_key`` is the integration's client id,
    ``certificate_id`` and ``private_key_file`` the certificate uploaded for it. ``base_url``
    defaults to the account's own ``https://<account>.suitetalk.api.netsuite.com``.
    ``time_zone`` is the time zone of the integration user's preferences (SuiteQL answers and
    compares timestamps in it).
    ``location`` is the location (by name) of order lines that name none (unset: NetSuite's
    default); ``adjustment_account`` the internal id of the account stock adjustments post
    to (unset: no stock adjustments).
    """

    account_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]+$")
    auth: Literal["tba", "oauth2"] = Field(
        default="tba",
        description="tba: Token-Based Authentication; oauth2: client credentials (M2M) with "
        "a certificate",
    )
    certificate_id: str | None = Field(
        default=None, min_length=1, description="oauth2: the id NetSuite gave the certificate"
    )
    private_key_file: Path | None = Field(
        default=None, description="oauth2: PEM private key of the uploaded certificate"
    )
    base_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    consumer_key: str | None = Field(default=None, min_length=1)
    consumer_secret: SecretStr | None = None
    consumer_secret_env: str | None = Field(default=None, pattern=ENV_NAME)
    token_id: str | None = Field(default=None, min_length=1)
    token_secret: SecretStr | None = None
    token_secret_env: str | None = Field(default=None, pattern=ENV_NAME)
    timeout_seconds: float = Field(default=30.0, gt=0, description="per HTTP request")
    time_zone: str = Field(default="UTC", description="the integration user's time zone")
    location: str | None = Field(default=None, min_length=1)
    adjustment_account: str | None = Field(default=None, pattern=r"^\d+$")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _complete(self) -> NetSuiteSettings:
        if self.account_id is None:
            return self
        needed = (
            (
                ("consumer_key", self.consumer_key),
                ("certificate_id", self.certificate_id),
                ("private_key_file", self.private_key_file),
            )
            if self.auth == "oauth2"
            else (
                ("consumer_key", self.consumer_key),
                ("consumer_secret", self.consumer_secret or self.consumer_secret_env),
                ("token_id", self.token_id),
                ("token_secret", self.token_secret or self.token_secret_env),
            )
        )
        missing = [name for name, given in needed if not given]
        if missing:
            raise ValueError(f"a NetSuite account needs {', '.join(missing)}")
        return self

    @property
    def embedded(self) -> bool:
        return self.account_id is None

    def url(self) -> str:
        """Where the account's REST services are."""
        if self.base_url is not None:
            return self.base_url
        assert self.account_id is not None
        host = self.account_id.lower().replace("_", "-")
        return f"https://{host}.suitetalk.api.netsuite.com"

    def consumer(self) -> str:
        return _secret(self.consumer_secret, self.consumer_secret_env, "consumer secret")

    def token(self) -> str:
        return _secret(self.token_secret, self.token_secret_env, "token secret")
