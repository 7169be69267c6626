"""Business Central's error answers: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

import uuid


class BcError(Exception):
    """An error answer: HTTP status, BC's error code and message."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        # BC appends the correlation id to every message.
        text = f"{self.message}  CorrelationId:  {uuid.uuid4()}."
        return {"error": {"code": self.code, "message": text}}


def not_found(entity: str, key: str) -> BcError:
    return BcError(
        404,
        "BadRequest_NotFound",
        f"The {entity} does not exist. Identification fields and values: {key}",
    )


def bad_request(message: str) -> BcError:
    return BcError(400, "BadRequest", message)


def dialog(message: str) -> BcError:
    """A business rule refused the change (BC raises a dialog: nothing is committed)."""
    return BcError(400, "Application_DialogException", message)


def field_error(entity: str, field: str, message: str) -> BcError:
    return BcError(400, "Application_FieldValidationException", f"{field}: {message}")
