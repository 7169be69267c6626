"""The SuccessFactors connector: builds a :class:`SuccessFactorsAdapter` from
:class:`SuccessFactorsSettings`.

A ``paired`` kind: the composition root builds one adapter per S/4HANA connection that names
this one in ``employees_from``, under that connection's name, so its employees carry the
S/4HANA connection's ids as they always did.
"""

from __future__ import annotations

import httpx

from system_apis.contracts.connector import Connector, Endpoint
from system_apis.sap.client import SapODataClient
from system_apis.sap.successfactors import API_ROOT, EMBEDDED_USER
from system_apis.successfactors.adapter import ERP_KIND, SuccessFactorsAdapter
from system_apis.successfactors.settings import SuccessFactorsSettings


def successfactors_adapter(
    connection: str, settings: SuccessFactorsSettings, endpoint: Endpoint | None
) -> SuccessFactorsAdapter:
    """The adapter of one SuccessFactors tenant: at ``base_url`` as
    ``<username>@<company_id>``, or at the emulator's endpoint as its API user."""
    if endpoint is not None:
        client = SapODataClient(
            base_url=endpoint.base_url,
            username=EMBEDDED_USER,
            password=endpoint.password,
            timeout=settings.timeout_seconds,
            transport=endpoint.transport,
            service_path=API_ROOT,
        )
    else:
        client = tenant_client(settings)
    return SuccessFactorsAdapter(connection, client)


def tenant_client(
    settings: SuccessFactorsSettings, transport: httpx.AsyncBaseTransport | None = None
) -> SapODataClient:
    """The client of a configured tenant, basic authentication as ``<username>@<company_id>``."""
    if settings.base_url is None:
        raise ValueError("an embedded SuccessFactors connection has no tenant to reach")
    return SapODataClient(
        base_url=settings.base_url,
        username=f"{settings.username}@{settings.company_id}",
        password=settings.secret() or "",
        timeout=settings.timeout_seconds,
        transport=transport,
        service_path=API_ROOT,
    )


CONNECTOR = Connector(
    kind=ERP_KIND, settings=SuccessFactorsSettings, factory=successfactors_adapter, paired=True
)
