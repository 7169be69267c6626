"""``SapSettings``: what one SAP S/4HANA connection is configured with."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from system_apis.contracts.connector import Credentials
from system_apis.sap.cancellation import DEFAULT_REJECTION_REASON
from system_apis.sap.client import DEFAULT_ODATA4_PATH, DEFAULT_SERVICE_PATH
from system_apis.sap.successfactors import SuccessFactorsSettings


class SapSettings(Credentials):
    """One SAP S/4HANA system, reached over its OData v2 APIs with a user's basic
    authentication; without ``base_url`` the gateway serves it from its built-in emulator.

    New sales orders get ``order_type`` in the sales area ``sales_organization`` /
    ``distribution_channel`` / ``division``; ``currency`` is used where SAP leaves a document's
    currency empty; ``language`` picks product descriptions. ``unit_decimals`` maps a unit
    code to the decimal places its quantities may have, added to SAP's standard units (PC, EA
    0; KG 3; ...), which SAP's public APIs do not offer to read. Employees are read from the
    SuccessFactors connection named by ``employees_from`` (``successfactors``, a block with
    that system's settings, is its deprecated older form; an embedded connection with
    neither reads its emulator's); a connection with none reads no employees. A cancelled
    order's items get the reason for rejection ``rejection_reason``.
    """

    base_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    username: str | None = None
    sap_client: str | None = Field(
        default=None, pattern=r"^\d{3}$", description="the SAP client (sap-client, e.g. 100)"
    )
    service_path: str = Field(
        default=DEFAULT_SERVICE_PATH, pattern=r"^/\S*$", description="where the OData services are"
    )
    odata4_path: str = Field(
        default=DEFAULT_ODATA4_PATH,
        pattern=r"^/\S*$",
        description="where the OData v4 services are (billing documents are created there)",
    )
    timeout_seconds: float = Field(default=15.0, gt=0, description="per HTTP request")
    batch: bool = Field(
        default=True,
        description="send reads that go together in one OData $batch (false where it is blocked)",
    )
    sales_organization: str = Field(default="1010", min_length=1, max_length=4)
    distribution_channel: str = Field(default="10", min_length=1, max_length=2)
    division: str = Field(default="00", min_length=1, max_length=2)
    order_type: str = Field(default="OR", min_length=1, max_length=4)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    language: str = Field(default="EN", pattern=r"^[A-Za-z]{1,2}$")
    receipt_movement_type: Literal["501", "561"] = Field(
        default="501", description="stock adjustments that add stock (receipt w/o order)"
    )
    issue_movement_type: Literal["201", "551"] = Field(
        default="551", description="stock adjustments that take stock (201 needs a cost center)"
    )
    issue_cost_center: str | None = Field(default=None, min_length=1, max_length=10)
    unit_decimals: dict[str, Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=dict,
        description='decimal places per unit code, over SAP\'s standard ones (e.g. {"PC": 0})',
    )
    employees_from_connection: str | None = Field(
        default=None,
        alias="employees_from",
        min_length=1,
        description="the successfactors connection employees are read from",
    )
    successfactors: SuccessFactorsSettings | None = Field(
        default=None,
        description="deprecated: the SuccessFactors system employees are read from "
        "(use a successfactors connection and employees_from)",
    )
    time_zone: str = Field(
        default="UTC", description="the SAP system's time zone (material document entry times)"
    )
    rejection_reason: str = Field(
        default=DEFAULT_REJECTION_REASON,
        pattern=r"^[0-9A-Z]{1,2}$",
        description="reason for rejection (TVAG code) a cancelled order's items get",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _one_employee_source(self) -> SapSettings:
        if self.employees_from_connection is not None and self.successfactors is not None:
            raise ValueError(
                "employees_from and the deprecated successfactors block exclude each other"
            )
        return self

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def employees_from(self) -> str | None:
        return self.employees_from_connection
