"""``TrytonSettings``: what one Tryton connection is configured with."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from system_apis.contracts.connector import Credentials


class TrytonSettings(Credentials):
    """One Tryton database, reached over trytond's JSON-RPC API with a user's login.

    ``warehouse`` is the location label (``"WH/STO"`` or ``"WH"``) new orders ship from when
    their lines name none (unset: Tryton's default warehouse); ``currency`` prices products
    (unset: the company's currency); ``invoice_method`` is set on every new sale.
    """

    base_url: str = Field(pattern=r"^https?://\S+$")
    database: str = Field(min_length=1)
    username: str = Field(default="admin", min_length=1)
    language: str = Field(default="en", min_length=2, description="the login's language")
    timeout_seconds: float = Field(default=15.0, gt=0, description="per HTTP request")
    warehouse: str | None = Field(default=None, min_length=1)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    invoice_method: Literal["fulfillment", "order", "manual"] = Field(
        default="fulfillment", description="fulfillment bills what was shipped"
    )
    location_ttl_seconds: float = Field(
        default=300.0, gt=0, description="how long the warehouses read from Tryton are kept"
    )
