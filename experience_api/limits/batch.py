"""What a POST body may hold: one operation (a JSON object) or a batch (an array of them).

A batch is refused as a whole, before any of its operations runs, when batching is off
(``max_batch_operations = 0``), when it is empty, when it holds more operations than
allowed, or when an entry is not an object. Every operation of an accepted batch is then
held to the same limits as a single one.
"""

from __future__ import annotations

from experience_api.limits.errors import (
    BAD_REQUEST_BODY,
    BATCH_TOO_LARGE,
    BATCHING_DISABLED,
    RequestRefused,
)


def check_body(data: object, max_batch_operations: int) -> None:
    """Raise :class:`RequestRefused` unless ``data`` is an operation or an allowed batch."""
    if isinstance(data, dict):
        return
    if not isinstance(data, list):
        raise RequestRefused(
            BAD_REQUEST_BODY,
            "The request body must be a JSON object (one operation) or an array of them (a batch).",
        )
    if max_batch_operations == 0:
        raise RequestRefused(
            BATCHING_DISABLED,
            "Batched requests are disabled on this server; send one operation per request.",
        )
    if not data:
        raise RequestRefused(BAD_REQUEST_BODY, "The batch holds no operation.")
    if len(data) > max_batch_operations:
        raise RequestRefused(
            BATCH_TOO_LARGE,
            f"The batch holds {len(data)} operations; at most {max_batch_operations} are "
            "allowed per request.",
            limit=max_batch_operations,
            actual=len(data),
        )
    if not all(isinstance(entry, dict) for entry in data):
        raise RequestRefused(BAD_REQUEST_BODY, "Every entry of a batch must be a JSON object.")
