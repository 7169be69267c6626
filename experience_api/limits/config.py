"""The ``graphql`` section of the settings: abuse limits, introspection, persisted operations."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from experience_api.limits.json_body import DEFAULT_MAX_JSON_DEPTH


class GraphQLSettings(BaseModel):
    """Limits every GraphQL request must stay under; each is checked before anything runs.

    ``introspection`` left unset follows the mode: on in local mode, off in production.
    ``persisted_only`` takes effect in production mode; local mode runs registered and raw
    documents alike.
    """

    model_config = ConfigDict(extra="forbid")

    max_depth: int = Field(default=10, ge=1, description="levels of nested fields")
    max_aliases: int = Field(default=20, ge=0, description="aliases per operation")
    max_tokens: int = Field(default=2000, ge=1, description="lexical tokens per document")
    max_cost: int = Field(
        default=5000, ge=1, description="object fields, lists multiplied by their page size"
    )
    max_batch_operations: int = Field(
        default=0,
        ge=0,
        description="operations per batched request; 0: batching off (rate limits count "
        "requests, so a batch would multiply what a client may run)",
    )
    max_request_bytes: int = Field(default=100_000, ge=1024, description="POST body size")
    max_json_depth: int = Field(
        default=DEFAULT_MAX_JSON_DEPTH,
        ge=4,
        le=256,
        description="arrays and objects nested in a body or WebSocket message, the body "
        "itself counted",
    )
    introspection: bool | None = None
    persisted_operations: Path | None = Field(
        default=None,
        description="JSON file {sha256: document} or a directory of .graphql files",
    )
    persisted_only: bool = False
