"""``SuccessFactorsSettings``: what one SuccessFactors connection is configured with."""

from __future__ import annotations

from pydantic import Field, model_validator

from system_apis.contracts.connector import Credentials


class SuccessFactorsSettings(Credentials):
    """One SuccessFactors tenant: its API server (``https://<api-server>``, the OData v2 API
    is at ``/odata/v2``), company id and an API user, authenticated as
    ``<username>@<company_id>``. Without ``base_url`` the gateway serves it from its
    built-in emulator."""

    base_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="the API server, e.g. https://api4.successfactors.com",
    )
    company_id: str | None = Field(
        default=None, min_length=1, description="the SuccessFactors company id"
    )
    username: str | None = Field(
        default=None, min_length=1, description="the API user (without @company_id)"
    )
    timeout_seconds: float = Field(default=15.0, gt=0, description="per HTTP request")

    @model_validator(mode="after")
    def _tenant_named(self) -> SuccessFactorsSettings:
        if self.base_url is not None:
            missing = [n for n in ("company_id", "username") if getattr(self, n) is None]
            if missing:
                raise ValueError(f"{' and '.join(missing)} required with base_url")
        return self

    @property
    def embedded(self) -> bool:
        return self.base_url is None
