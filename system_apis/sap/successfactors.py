"""``SuccessFactorsSettings``: the SAP SuccessFactors system an S/4HANA connection reads
employees from.

SuccessFactors Employee Central is its own system beside S/4HANA: its OData v2 API lives at
``https://<api-server>/odata/v2/<EntitySet>``, with its own users (basic authentication as
``<user>@<companyId>``). An S/4HANA connection is paired with one in its ``successfactors``
block; an embedded connection without one reads the emulator's SuccessFactors API as
:data:`EMBEDDED_USER`.
"""

from __future__ import annotations

from pydantic import Field

from system_apis.contracts.connector import Credentials, Endpoint
from system_apis.sap.client import SapODataClient

API_ROOT = "/odata"
"""SuccessFactors' OData API root; the OData v2 API is its service ``v2`` (see
:data:`system_apis.sap.people.EMPLOYEE_SERVICE`)."""

EMBEDDED_USER = "sfapi@SFSANDBOX"
"""The SuccessFactors user the embedded emulator accepts (the sandbox's default
``sf_username``, with the sandbox password)."""


class SuccessFactorsSettings(Credentials):
    """One SuccessFactors tenant: its API server, company id and an API user."""

    base_url: str = Field(
        pattern=r"^https?://\S+$",
        description="the API server, e.g. https://api4.successfactors.com",
    )
    company_id: str = Field(min_length=1, description="the SuccessFactors company id")
    username: str = Field(min_length=1, description="the API user (without @company_id)")
    timeout_seconds: float = Field(default=15.0, gt=0, description="per HTTP request")


def successfactors_client(
    settings: SuccessFactorsSettings | None, endpoint: Endpoint | None, timeout: float
) -> SapODataClient | None:
    """The client of the paired SuccessFactors system: the configured one, else the embedded
    emulator's (``endpoint``); None when the connection has neither."""
    if settings is not None:
        return SapODataClient(
            base_url=settings.base_url,
            username=f"{settings.username}@{settings.company_id}",
            password=settings.secret() or "",
            timeout=settings.timeout_seconds,
            service_path=API_ROOT,
        )
    if endpoint is not None:
        return SapODataClient(
            base_url=endpoint.base_url,
            username=EMBEDDED_USER,
            password=endpoint.password,
            timeout=timeout,
            transport=endpoint.transport,
            service_path=API_ROOT,
        )
    return None
