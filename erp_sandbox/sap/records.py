"""Row access shared by the business processes: keys, defaults, change stamps, ETag checks and
the SAP messages the processes answer with.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from erp_sandbox.odata.edm import EdmType, EntityType, Row
from erp_sandbox.odata.errors import ErrorDetail, ODataError, not_found
from erp_sandbox.sap.services import ENTITY_TYPES
from erp_sandbox.sap.store import Transaction

CENT = Decimal("0.01")

ETAG_MISSING = "/IWBEP/CM_MGW_RT/174"
ETAG_STALE = "/IWBEP/CM_MGW_RT/175"


def entity_type(entity_set: str) -> EntityType:
    """The entity type of a served entity set."""
    return ENTITY_TYPES[entity_set]


def key_of(entity_set: str, row: Row) -> tuple[Any, ...]:
    """The key of ``row`` in ``entity_set``."""
    return entity_type(entity_set).key_of(row)


def save(tx: Transaction, entity_set: str, row: Row) -> None:
    """Insert or replace ``row`` in ``entity_set``."""
    tx.put(entity_set, key_of(entity_set, row), row)


def load(tx: Transaction, entity_set: str, *key: str) -> Row | None:
    """The row of ``entity_set`` with ``key``, or None."""
    return tx.get(entity_set, tuple(key))


def require(tx: Transaction, entity_set: str, *key: str) -> Row:
    """The row of ``entity_set`` with ``key``; 404 when there is none."""
    row = load(tx, entity_set, *key)
    if row is None:
        raise not_found(entity_set)
    return row


def blank(entity_set: str) -> Row:
    """A row of ``entity_set`` with SAP's initial values (empty strings, zero, false, null)."""
    row: Row = {}
    for prop in entity_type(entity_set).properties:
        if prop.type is EdmType.STRING:
            row[prop.name] = ""
        elif prop.type is EdmType.DECIMAL:
            row[prop.name] = Decimal(0)
        elif prop.type is EdmType.BOOLEAN:
            row[prop.name] = False
        else:
            row[prop.name] = None
    return row


def public(entity_set: str, row: Row) -> Row:
    """``row`` without sandbox-internal fields."""
    names = {prop.name for prop in entity_type(entity_set).properties}
    return {name: value for name, value in row.items() if name in names}


def day(moment: datetime) -> datetime:
    """The date of ``moment`` as SAP holds ``Edm.DateTime`` dates: naive midnight UTC."""
    return moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)


def stamp(previous: datetime | None, now: datetime) -> datetime:
    """A change time stamp after ``previous``: ``now``, or one microsecond after ``previous``."""
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


def money(value: Decimal) -> Decimal:
    """``value`` rounded commercially to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quantity(value: Decimal) -> Decimal:
    """A quantity without trailing zeros (``2``, ``2.5``)."""
    normalized = value.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def item_number(position: int) -> str:
    """The item number of the ``position``-th item (from 1): ``10``, ``20``, ..."""
    return str(position * 10)


def status(done: Decimal, total: Decimal) -> str:
    """``A`` nothing done, ``B`` partly done, ``C`` completely done."""
    if done <= 0:
        return "A"
    return "C" if done >= total else "B"


def overall(statuses: list[str]) -> str:
    """The header status of item statuses."""
    if not statuses or all(value == "A" for value in statuses):
        return "A"
    return "C" if all(value == "C" for value in statuses) else "B"


def business_error(
    code: str, message: str, *, target: str = "", details: tuple[ErrorDetail, ...] = ()
) -> ODataError:
    """400 for input SAP refuses or a business rule that forbids the request."""
    return ODataError(400, code, message, target=target, details=details)


def check_if_match(current: str, if_match: str | None) -> None:
    """428 without ``If-Match``; 412 when it names another version than ``current``."""
    if if_match is None or not if_match.strip():
        raise ODataError(
            428, ETAG_MISSING, "Operation requires an If-Match header with the current ETag"
        )
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    if "*" in candidates:
        return

    def bare(tag: str) -> str:
        return tag[2:] if tag.startswith("W/") else tag

    if bare(current) not in {bare(candidate) for candidate in candidates}:
        raise ODataError(
            412,
            ETAG_STALE,
            "The entity was changed in the meantime; read it again (ETag does not match)",
        )
