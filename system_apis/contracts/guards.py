"""The boundary around a connector's mapping of native payloads, the same for every ERP.

A payload the ERP should not have sent (a mapping raising ``KeyError``, ``IndexError``,
``TypeError``, ``ValueError``, a ``decimal`` error or pydantic's ``ValidationError``)
becomes :class:`~system_apis.contracts.errors.Unavailable` on a read and
:class:`~system_apis.contracts.errors.UnknownOutcome` after a write the ERP accepted: the
caller must not take an accepted write for one that failed, and retry it. Likewise a
failure to read back what a write created. The native exception stays the cause, for
operators; callers see only the port's errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

from system_apis.contracts.errors import ErpError, Unavailable, UnknownOutcome

T = TypeVar("T")

MAPPING_ERRORS: tuple[type[Exception], ...] = (
    LookupError,
    TypeError,
    ValueError,
    ArithmeticError,
    ValidationError,
)
"""What a mapping raises on a payload that is not what the ERP documents."""


@dataclass(frozen=True)
class MappingGuard:
    """Runs one connection's mappings; ``erp`` names the ERP in messages (``"SAP"``)."""

    erp: str
    connection: str | None = None

    def mapped(self, convert: Callable[[], T]) -> T:
        """Runs a mapping of what the ERP answered to a read."""
        try:
            return convert()
        except MAPPING_ERRORS as exc:
            raise Unavailable(
                f"{self.erp} answered a payload the adapter cannot read: {exc}",
                connection=self.connection,
            ) from exc

    def written(self, convert: Callable[[], T]) -> T:
        """Runs a mapping of what the ERP answered to a write it accepted."""
        try:
            return convert()
        except MAPPING_ERRORS as exc:
            raise UnknownOutcome(
                f"{self.erp} accepted the write but answered a payload the adapter cannot "
                f"read: {exc}",
                connection=self.connection,
            ) from exc

    async def read_back(self, read: Awaitable[T], what: str) -> T:
        """Reads the result of a write the ERP accepted; failing that, the outcome is unknown.

        Reporting such a failure as plain Unavailable would invite a retry of the write.
        """
        try:
            return await read
        except ErpError as exc:
            raise UnknownOutcome(
                f"{self.erp} accepted {what} but reading it back failed: {exc.message}",
                code=exc.code,
                connection=self.connection,
            ) from exc
