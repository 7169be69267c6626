"""The ``[mcp]`` section of the settings: the agent endpoint, its budgets and write mode."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from experience_api.mcp.budget import MIN_BUDGET

TOKEN_ENV = "ERP_GATEWAY_TOKEN"
"""The environment variable ``erp-gateway mcp`` (stdio) reads its bearer token from."""

WriteMode = Literal["off", "approval", "on"]


class McpSettings(BaseModel):
    """How AI agents reach the gateway over the Model Context Protocol."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="serve /mcp (Streamable HTTP)")
    max_tokens: int = Field(
        default=2000,
        ge=MIN_BUDGET,
        le=100_000,
        description="o200k tokens of one tool result; a call's max_tokens may only lower it",
    )
    page_size: int = Field(
        default=50, ge=1, le=1000, description="records a tool reads per page before budgeting"
    )
    tools_dir: Path | None = Field(
        default=None,
        description="a folder of .graphql operation documents that become tools",
    )
    writes: WriteMode = Field(
        default="off",
        description="off: no write tools; approval: a person approves each write; on: direct",
    )
    approval_ttl_hours: float = Field(
        default=24, gt=0, description="a pending write not decided within this expires"
    )
    payment_terms_days: int = Field(
        default=30, ge=0, description="an open invoice older than this counts as overdue"
    )
    public_url: str | None = Field(
        default=None,
        description="the gateway's external base URL (https://...), named in its resource "
        "metadata; default: the URL a request arrived on",
    )
