"""Boundaries around the mapping and around the reads that follow a write.

A row Tryton should not have sent (a mapping raising ``KeyError``/``ValueError``/pydantic's
``ValidationError``) becomes Unavailable on a read and UnknownOutcome after a write: the
caller must not take a write that Tryton accepted for one that failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError

from system_apis.contracts.errors import ErpError, Unavailable, UnknownOutcome

T = TypeVar("T")

_MAPPING_ERRORS = (KeyError, TypeError, ValueError, ValidationError)


def mapped(convert: Callable[[], T], connection: str) -> T:
    """Runs a mapping of rows Tryton answered to a read."""
    try:
        return convert()
    except _MAPPING_ERRORS as exc:
        raise Unavailable(
            f"Tryton answered a record the adapter cannot read: {exc}", connection=connection
        ) from exc


def written(convert: Callable[[], T], connection: str) -> T:
    """Runs a mapping of rows read after a write Tryton accepted."""
    try:
        return convert()
    except _MAPPING_ERRORS as exc:
        raise UnknownOutcome(
            f"Tryton accepted the write but answered a record the adapter cannot read: {exc}",
            connection=connection,
        ) from exc


async def read_back(read: Awaitable[T], what: str, connection: str) -> T:
    """Reads the result of a write Tryton accepted; failing that, the outcome is unknown.

    Reporting such a failure as plain Unavailable would invite a retry of the write.
    """
    try:
        return await read
    except ErpError as exc:
        raise UnknownOutcome(
            f"Tryton applied {what} but reading it back failed: {exc.message}",
            code=exc.code,
            connection=connection,
        ) from exc
