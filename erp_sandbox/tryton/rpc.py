"""A small synchronous JSON-RPC client for Tryton, independent of the gateway's adapter.

Tests use it to look at what Tryton itself holds; the server runner uses ``server_version`` to
know when trytond answers. It speaks Tryton's JSON encoding of ``Decimal``, dates, times and
bytes (``{"__class__": "Decimal", "decimal": "30.00"}`` and the like) both ways.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any

import httpx


class TrytonRpcError(Exception):
    """An error answered by Tryton: ``kind`` is e.g. ``UserError``; ``detail`` the rest."""

    def __init__(self, method: str, kind: str, detail: Any) -> None:
        super().__init__(f"{method}: {kind}: {detail!r}")
        self.method = method
        self.kind = kind
        self.detail = detail

    @property
    def message(self) -> str:
        """The first element of the detail (the user-facing message of a UserError)."""
        if isinstance(self.detail, list | tuple) and self.detail:
            return str(self.detail[0])
        return str(self.detail)


def encode(value: Any) -> Any:
    """``json.dumps`` default: Tryton's encoding of the types JSON lacks."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {
            "__class__": "datetime",
            **{
                f: getattr(value, f)
                for f in ("year", "month", "day", "hour", "minute", "second", "microsecond")
            },
        }
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dt.time):
        fields = ("hour", "minute", "second", "microsecond")
        return {"__class__": "time", **{f: getattr(value, f) for f in fields}}
    if isinstance(value, dt.timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(value).decode()}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} for Tryton")


def decode(obj: dict[str, Any]) -> Any:
    """``json.loads`` object hook: back from Tryton's encoding."""
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return dt.datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj["microsecond"],
        )
    if kind == "time":
        return dt.time(obj["hour"], obj["minute"], obj["second"], obj["microsecond"])
    if kind == "timedelta":
        return dt.timedelta(seconds=obj["seconds"])
    if kind == "bytes":
        return base64.b64decode(obj["base64"])
    return obj


def post(client: httpx.Client, path: str, method: str, params: Sequence[Any]) -> Any:
    """One JSON-RPC call; returns the result or raises ``TrytonRpcError`` / ``httpx`` errors."""
    body = json.dumps({"id": 0, "method": method, "params": list(params)}, default=encode)
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    response.raise_for_status()
    answer = json.loads(response.text, object_hook=decode)
    if answer.get("error") is not None:
        error = answer["error"]
        kind = error[0] if isinstance(error, list) and error else "Error"
        detail = error[1] if isinstance(error, list) and len(error) > 1 else error
        raise TrytonRpcError(method, str(kind), detail)
    return answer.get("result")


def server_version(url: str, timeout: float = 5.0) -> str:
    """The server's series (``"8.2"``) from ``common.server.version``; needs no database."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        return str(post(client, "/rpc/", "common.server.version", []))


class TrytonRpc:
    """A logged-in JSON-RPC session on one Tryton database.

    It logs in on first use, sends the user's preferences as context with every model call (as
    Tryton's own client does: company and language come from there) and logs in again once when
    the server answers 401 (sessions expire after 5 idle minutes by default).
    """

    def __init__(
        self,
        url: str,
        database: str,
        login: str = "admin",
        password: str = "",
        *,
        timeout: float = 30.0,
        language: str = "en",
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.login_name = login
        self._password = password
        self._language = language
        self._client = httpx.Client(base_url=self.url, timeout=timeout)
        self._path = f"/{database}/rpc/"
        self.user_id: int | None = None
        self.context: dict[str, Any] = {}
        self._ids = itertools.count(1)

    def __enter__(self) -> TrytonRpc:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def login(self) -> int:
        """Log in with the password; returns the user id and loads the user's context."""
        self._client.headers.pop("Authorization", None)
        method = "common.db.login"
        try:
            answer = post(
                self._client,
                self._path,
                method,
                [self.login_name, {"password": self._password}, self._language],
            )
        except httpx.HTTPStatusError as exc:
            # Tryton answers a refused login with a bare status: 401 wrong credentials,
            # 429 too many attempts, 404 unknown database.
            status = exc.response.status_code
            raise TrytonRpcError(method, "LoginError", f"HTTP {status}") from exc
        user_id, session = int(answer[0]), str(answer[1])
        token = base64.b64encode(f"{self.login_name}:{user_id}:{session}".encode()).decode()
        self._client.headers["Authorization"] = f"Session {token}"
        self.user_id = user_id
        self.context = post(self._client, self._path, "model.res.user.get_preferences", [True, {}])
        return user_id

    def call(self, method: str, params: Sequence[Any]) -> Any:
        """Call ``method`` with ``params`` exactly as given (add the context yourself)."""
        if self.user_id is None:
            self.login()
        try:
            return post(self._client, self._path, method, params)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != httpx.codes.UNAUTHORIZED:
                raise
        self.login()
        return post(self._client, self._path, method, params)

    def model(
        self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None
    ) -> Any:
        """``model.<model>.<method>(*args, context)`` with the user's context merged in."""
        if self.user_id is None:
            self.login()
        return self.call(f"model.{model}.{method}", [*args, {**self.context, **(context or {})}])

    def search_read(
        self,
        model: str,
        domain: Sequence[Any],
        fields: Sequence[str],
        order: Sequence[tuple[str, str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        order_param = [list(item) for item in order] if order is not None else None
        result = self.model(
            model,
            "search_read",
            list(domain),
            offset,
            limit,
            order_param,
            list(fields),
            context=context,
        )
        return list(result)

    def search_count(
        self, model: str, domain: Sequence[Any], context: Mapping[str, Any] | None = None
    ) -> int:
        return int(self.model(model, "search_count", list(domain), context=context))

    def location_id(self, code: str) -> int:
        rows = self.search_read("stock.location", [("code", "=", code)], ["id"], limit=2)
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} stock locations with code {code!r}")
        return int(rows[0]["id"])

    def stock(self, product_code: str, location_code: str = "STO") -> Decimal:
        """On-hand quantity of a product (by code) in a location and its children, today."""
        location = self.location_id(location_code)
        rows = self.search_read(
            "product.product",
            [("code", "=", product_code)],
            ["quantity"],
            limit=2,
            context={"locations": [location], "with_childs": True},
        )
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} products with code {product_code!r}")
        return Decimal(str(rows[0]["quantity"]))
