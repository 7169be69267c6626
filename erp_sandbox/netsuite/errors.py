"""NetSuite's error answers: ``{type, title, status, o:errorDetails: [{detail, o:errorCode}]}``."""

from __future__ import annotations

from typing import Any

TYPES = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1", "Internal Server Error"),
    503: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4", "Service Unavailable"),
}

INVALID_LOGIN = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI "
    "at Setup > Users/Roles > User Management > View Login Audit Trail."
)
NONEXISTENT = "The record instance does not exist. Provide a valid record instance ID."


class NsError(Exception):
    """An error NetSuite answers with its status, error code and detail."""

    def __init__(self, status: int, code: str, detail: str, **extra: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        kind, title = TYPES.get(self.status, TYPES[400])
        detail: dict[str, Any] = {"detail": self.detail, "o:errorCode": self.code}
        detail.update({f"o:{key}": value for key, value in self.extra.items()})
        return {"type": kind, "title": title, "status": self.status, "o:errorDetails": [detail]}


def not_found() -> NsError:
    return NsError(404, "NONEXISTENT_ID", NONEXISTENT)


def bad_reference(field: str, value: object) -> NsError:
    return NsError(
        400,
        "INVALID_KEY_OR_REF",
        f"Invalid {field} reference key {value}.",
        errorPath=field,
    )


def user_error(detail: str) -> NsError:
    return NsError(400, "USER_ERROR", detail)
