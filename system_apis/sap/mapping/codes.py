"""SAP codes shared by several documents: processing statuses and plant/storage locations."""

from __future__ import annotations

from system_apis.contracts.models import DocumentStatus

_DOCUMENT_STATUS = {
    "": DocumentStatus.NOT_RELEVANT,
    "A": DocumentStatus.OPEN,
    "B": DocumentStatus.PARTIAL,
    "C": DocumentStatus.COMPLETE,
}
_STATUS_CODE = {status: code for code, status in _DOCUMENT_STATUS.items()}


def document_status(code: str | None) -> DocumentStatus:
    """SAP's processing status codes: ``''`` not relevant, ``A`` open, ``B`` partial, ``C`` done."""
    try:
        return _DOCUMENT_STATUS[(code or "").strip()]
    except KeyError:
        raise ValueError(f"unknown SAP status code {code!r}") from None


def status_code(status: DocumentStatus) -> str:
    """Inverse of :func:`document_status`."""
    return _STATUS_CODE[status]


def location_of(plant: str | None, storage_location: str | None) -> str | None:
    """``"<Plant>/<StorageLocation>"``, or the plant alone, or None."""
    if not plant:
        return None
    return f"{plant}/{storage_location}" if storage_location else plant


def split_location(location: str) -> tuple[str, str | None]:
    """Inverse of :func:`location_of`; raises ValueError for another shape."""
    plant, sep, storage_location = location.partition("/")
    if not plant or (sep and not storage_location) or "/" in storage_location:
        raise ValueError(f"a location is '<plant>' or '<plant>/<storage location>': {location!r}")
    return plant, storage_location or None
