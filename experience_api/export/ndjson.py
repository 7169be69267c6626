"""Records as NDJSON: one JSON object per line, UTF-8, in the canonical model's field names.

Each chunk the ERP answered becomes one block of bytes, so a stream writes once per chunk;
fields the caller may not see are left out (absent, not null), as everywhere else.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from process_apis.export import ExportPlan

Progress = Callable[[int], None]


async def lines(plan: ExportPlan, progress: Progress | None = None) -> AsyncIterator[bytes]:
    """The plan's records as NDJSON blocks; ``progress`` hears the count after each block."""
    excluded = set(plan.excluded) or None
    count = 0
    async for chunk in plan.chunks():
        block = b"".join(
            record.__pydantic_serializer__.to_json(record, exclude=excluded) + b"\n"
            for record in chunk
        )
        count += len(chunk)
        if progress is not None:
            progress(count)
        yield block


def error_line(code: str, message: str) -> bytes:
    """The last line of an export that failed after its first record: ``{"error": ...}``."""
    return json.dumps({"error": {"code": code, "message": message}}).encode() + b"\n"
