"""The SAP connector: builds a :class:`SapAdapter` from :class:`SapSettings`."""

from __future__ import annotations

import logging

import httpx

from system_apis.contracts.connector import Connector, Endpoint
from system_apis.sap.adapter import ERP_KIND, SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.defaults import STANDARD_UNIT_DECIMALS
from system_apis.sap.settings import SapSettings
from system_apis.sap.successfactors import successfactors_client

logger = logging.getLogger(__name__)


def sap_adapter(connection: str, settings: SapSettings, endpoint: Endpoint | None) -> SapAdapter:
    """The adapter of one SAP connection: at ``base_url``, or at the emulator's endpoint.

    Employees come from the connection ``employees_from`` names, which the composition root
    pairs with the adapter; else from the deprecated ``successfactors`` block; else, for an
    embedded connection, from the emulator's SuccessFactors API."""
    if settings.successfactors is not None:
        logger.warning(
            "connection %s: the successfactors block is deprecated; configure a connection "
            "of kind successfactors and name it in employees_from",
            connection,
        )
    if endpoint is not None:
        base_url, transport = endpoint.base_url, endpoint.transport
        username, password = endpoint.username, endpoint.password
    else:
        assert settings.base_url is not None
        base_url, transport = settings.base_url, None
        username, password = settings.username or "", settings.secret() or ""
    client = SapODataClient(
        base_url=base_url,
        auth=httpx.BasicAuth(username, password),
        sap_client=settings.sap_client,
        timeout=settings.timeout_seconds,
        transport=transport,
        service_path=settings.service_path,
        odata4_path=settings.odata4_path,
        batch=settings.batch,
    )
    return SapAdapter(
        connection=connection,
        client=client,
        sales_organization=settings.sales_organization,
        distribution_channel=settings.distribution_channel,
        division=settings.division,
        order_type=settings.order_type,
        currency=settings.currency,
        language=settings.language,
        receipt_movement_type=settings.receipt_movement_type,
        issue_movement_type=settings.issue_movement_type,
        issue_cost_center=settings.issue_cost_center,
        time_zone=settings.time_zone,
        rejection_reason=settings.rejection_reason,
        unit_decimals={**STANDARD_UNIT_DECIMALS, **settings.unit_decimals},
        successfactors=(
            None
            if settings.employees_from is not None
            else successfactors_client(settings.successfactors, endpoint, settings.timeout_seconds)
        ),
    )


CONNECTOR = Connector(kind=ERP_KIND, settings=SapSettings, factory=sap_adapter)
