"""Shared value types (Money, Quantity, Source) and Relay-style cursor pagination.

A cursor is the URL-safe base64 of ``ks:<list>:`` and a JSON object: for each connection, the
page key of the last record read there (:mod:`system_apis.contracts.keyset`), so one list can
span several ERPs and still page without gaps or repeats, and records created while a client
pages move nothing (an offset would shift by one and repeat a record). The cursor names its
list: a cursor of another list is refused, as is anything that does not decode. Clients must
treat cursors as opaque; the encoding may change.

Cursors of earlier releases, ``at:<connection>=<offset>;...``, are still read (as offsets, for
any list), so a client paging across an upgrade goes on; the next cursor it gets is a key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import orjson
import strawberry

from experience_api.schema.errors import ClientError, client_errors
from process_apis.connections import Connections
from process_apis.merging import Mark, MergedPage, Position, Window
from system_apis.contracts import models
from system_apis.contracts.queries import MAX_KEY_LENGTH

if TYPE_CHECKING:
    from experience_api.services import PagingLimits

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")

First = Annotated[
    int | None,
    strawberry.argument(description="Page size; the server's default when omitted."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return records after this cursor (an `endCursor`)."),
]
ConnectionName = Annotated[
    str | None,
    strawberry.argument(description="ERP connection to read; every connection when omitted."),
]

_CURSOR_PREFIX = "ks:"
_OFFSET_PREFIX = "at:"
_MAX_CURSOR_LENGTH = 4096


@strawberry.type(description="An amount of money in an ISO 4217 currency.")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_model(cls, money: models.Money) -> Money:
        return cls(amount=money.amount, currency=money.currency)

    @classmethod
    def maybe(cls, money: models.Money | None) -> Money | None:
        return None if money is None else cls.from_model(money)


@strawberry.type(description="A quantity with its unit of measure.")
class Quantity:
    value: Decimal
    unit: str

    @classmethod
    def from_model(cls, quantity: models.Quantity) -> Quantity:
        return cls(value=quantity.value, unit=quantity.unit)

    @classmethod
    def maybe(cls, quantity: models.Quantity | None) -> Quantity | None:
        return None if quantity is None else cls.from_model(quantity)


@strawberry.type(description="Where a record lives: the gateway connection and its kind of ERP.")
class Source:
    connection: str
    erp: str

    @classmethod
    def from_model(cls, source: models.Source) -> Source:
        return cls(connection=source.connection, erp=source.erp)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    nodes: list[NodeT] = strawberry.field(
        description="The nodes of `edges`, for clients that need no cursors."
    )
    page_info: PageInfo
    total_count: int = strawberry.field(description="Records matching the filter, all pages.")
    stale_for: float | None = strawberry.field(
        default=None,
        description="Null when read live. While an ERP is unreachable, a connection set up "
        "for degraded reads answers its last good data: this is its age in seconds.",
    )


def encode_cursor(position: Position, list_name: str) -> str:
    text = f"{_CURSOR_PREFIX}{list_name}:".encode("ascii") + _position_json(dict(position))
    return base64.urlsafe_b64encode(text).decode("ascii")


def _position_json(marks: dict[str, Mark]) -> bytes:
    """The position as ASCII JSON. One per edge of every page: orjson writes the usual ASCII
    position in a fraction of the standard library's time; non-ASCII text (escaped, as
    cursors are ASCII) and integers beyond 64 bits go through the standard library."""
    with contextlib.suppress(TypeError):
        body = orjson.dumps(marks)
        if body.isascii():
            return body
    return json.dumps(marks, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def decode_cursor(cursor: str, list_name: str) -> dict[str, Mark]:
    """The position a cursor of ``list_name`` points at; ClientError when it is not one of
    ours, or is one of another list."""
    invalid = ClientError(f"invalid cursor {cursor[:64]!r}", field="after")
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True)
        text = raw.decode("ascii")
    except (UnicodeError, binascii.Error):
        raise invalid from None
    if text.startswith(_OFFSET_PREFIX):
        return _offsets(text.removeprefix(_OFFSET_PREFIX), invalid)
    head, _, rest = text.partition(":")
    name, sep, body = rest.partition(":")
    if f"{head}:" != _CURSOR_PREFIX or not sep:
        raise invalid
    try:
        position = json.loads(body)
    except ValueError:
        raise invalid from None
    if name != list_name:
        raise ClientError(f"the cursor {cursor[:64]!r} belongs to another list", field="after")
    if (
        not isinstance(position, dict)
        or not position
        or not all(isinstance(n, str) and n and _is_mark(m) for n, m in position.items())
    ):
        raise invalid
    return position


def _is_mark(mark: object) -> bool:
    if isinstance(mark, str):
        return 0 < len(mark) <= MAX_KEY_LENGTH
    return type(mark) is int and mark >= 0


def _offsets(body: str, invalid: ClientError) -> dict[str, Mark]:
    """An earlier release's cursor: ``<connection>=<offset>;...``."""
    position: dict[str, Mark] = {}
    for part in body.split(";") if body else ():
        name, sep, digits = part.partition("=")
        if not sep or not name or not digits.isdecimal() or name in position:
            raise invalid
        position[name] = int(digits)
    if not position:
        raise invalid
    return position


def page_request(
    limits: PagingLimits,
    first: int | None,
    after: str | None,
    connections: Connections,
    list_name: str,
) -> Window:
    """The page a client asks for, checked against the configured limits."""
    size = limits.default_page_size if first is None else first
    if not 1 <= size <= limits.max_page_size:
        raise ClientError(
            f"`first` must be between 1 and {limits.max_page_size} "
            f"(the maximum page size), got {size}",
            field="first",
        )
    if after is None:
        return Window(limit=size)
    position = decode_cursor(after, list_name)
    if not set(position) <= set(connections.names):
        raise ClientError("the cursor names a connection that is not configured", field="after")
    return Window(limit=size, start=position)


def connection_from_page(
    page: MergedPage[ModelT], node: Callable[[ModelT], NodeT], list_name: str
) -> Connection[NodeT]:
    """A GraphQL connection over one page of canonical records of ``list_name``."""
    edges = [
        Edge(cursor=encode_cursor(position, list_name), node=node(item))
        for item, position in zip(page.items, page.positions, strict=True)
    ]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
        stale_for=page.stale_for,
    )


class ConnectionScope:
    """The one ERP connection a list query reads, from its argument or the ids in its filter.

    A canonical id names its connection; a filter on a customer of ``EU01`` reads ``EU01``
    unless the query named another connection, which is a contradiction the client must fix.
    """

    def __init__(self, connections: Connections, requested: str | None):
        self._connections = connections
        self.name = requested

    def native_id(self, record_id: str, field: str) -> str:
        with client_errors():
            _, native = self._connections.resolve(record_id, field=field)
        owner, _ = models.split_id(record_id)
        if self.name is None:
            self.name = owner
        elif self.name != owner:
            raise ClientError(
                f"{field} {record_id!r} belongs to connection {owner!r}, not {self.name!r}",
                field=field,
            )
        return native


def check_date_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """ClientError when a date filter ends before it starts."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ClientError("`dateTo` is before `dateFrom`", field="filter.dateTo")
