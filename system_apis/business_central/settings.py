"""``BusinessCentralSettings``: what one Business Central connection is configured with."""

from __future__ import annotations

from pydantic import Field

from system_apis.contracts.connector import Credentials

API_HOST = "https://api.businesscentral.dynamics.com"
LOGIN_HOST = "https://login.microsoftonline.com"


class BusinessCentralSettings(Credentials):
    """One Business Central environment and company, reached over API v2.0 with an Entra ID
    app registration (OAuth 2.0 client credentials: ``client_id`` and the password as the
    client secret); without ``tenant`` the gateway serves it from its built-in emulator.

    ``currency`` is the company's local currency (BC leaves a document's currency code empty
    for it). ``page_size`` is the ``Prefer: odata.maxpagesize`` of whole-set reads.
    """

    tenant: str | None = Field(default=None, min_length=1, description="Entra ID tenant id")
    environment: str = Field(default="production", min_length=1)
    company: str = Field(default="CRONUS International Ltd.", min_length=1)
    client_id: str | None = None
    api_url: str = Field(default=API_HOST, pattern=r"^https?://\S+$")
    login_url: str = Field(default=LOGIN_HOST, pattern=r"^https?://\S+$")
    currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$")
    timeout_seconds: float = Field(default=30.0, gt=0, description="per HTTP request")
    page_size: int = Field(default=1000, ge=1, le=20000)

    @property
    def embedded(self) -> bool:
        return self.tenant is None
