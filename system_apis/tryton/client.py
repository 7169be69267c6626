"""``TrytonClient``: the model methods of trytond over JSON-RPC, for the Tryton adapter.

Why JSON-RPC with a login session rather than Tryton 8.x's REST API
(``/<db>/rest/model/...``, ``trytond.protocols.rest``):

* REST authenticates only with the key of a ``res.user.application`` of application ``rest``
  in state ``validated`` (as bearer token or basic password). A key requested anonymously
  (``POST /<db>/user/application/``) starts ``requested`` and someone must validate it in
  Tryton, so every deployment needs that manual step; the gateway's login cannot do it.
* REST calls a model method with keyword arguments, on the class or on one saved record: it
  never builds a record from values, so ``on_change`` (how a sale being filled in gets its
  addresses, payment term, methods, unit prices and taxes from the party and the products)
  cannot run, and buttons (``quote``, ``assign_try``, ``post``...) take one record per
  request. Totals come in ``Content-Range`` and turn into ``*`` beyond ten times
  ``offset + limit``.
* JSON-RPC is what Tryton's own clients and ``proteus`` speak: every method a model exposes in
  ``__rpc__`` (``search_read`` with dotted fields such as ``"lines.product.code"``,
  ``search_count``, ``on_change``, buttons on many ids), and errors keep Tryton's kinds
  (``UserError``, ``UserWarning``, ``ConcurrencyException``).
* The session costs one ``common.db.login`` per process; trytond answers 401 when it expires and
  :class:`~system_apis.tryton.session.TrytonSession` logs in again and repeats the call once.

Calls run with the user's preferences as context (``res.user.get_preferences``, fetched once
after the first login: company, language...), which multi-company fields and defaults need.
Every failure leaves as a :mod:`system_apis.contracts.errors` exception (see
:mod:`system_apis.tryton.errors`), never as an httpx exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from system_apis.contracts.errors import Unavailable
from system_apis.tryton.session import TrytonSession

Domain = Sequence[Any]
Row = dict[str, Any]

READ_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "read",
        "on_change",
        "on_change_with",
        "default_get",
        "fields_get",
        "get_preferences",
    }
)
"""Model methods that change nothing: a lost answer to one of them is merely Unavailable."""


class TrytonClient:
    """Async JSON-RPC client of one trytond database (``<base_url>/<database>/rpc/``).

    ``username``/``password`` log in with the password method; ``language`` is sent with the
    login. ``transport`` replaces the network (``httpx.MockTransport``, an ASGI/WSGI bridge).
    ``connection`` names the connection on the errors raised.
    """

    def __init__(
        self,
        base_url: str,
        database: str,
        username: str,
        password: str,
        *,
        timeout: float | httpx.Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        connection: str | None = None,
        language: str = "en",
    ) -> None:
        self._session = TrytonSession(
            base_url,
            database,
            username,
            password,
            timeout=timeout,
            transport=transport,
            connection=connection,
            language=language,
        )
        self._preferences: dict[str, Any] | None = None

    @property
    def connection(self) -> str | None:
        """The connection name set on the errors this client raises."""
        return self._session.connection

    @connection.setter
    def connection(self, name: str | None) -> None:
        self._session.connection = name

    async def aclose(self) -> None:
        await self._session.aclose()

    async def login(self) -> None:
        """Opens a session now (calls otherwise log in on first use)."""
        await self._session.login()

    async def logout(self) -> None:
        """Ends the session on the server; the next call logs in again."""
        await self._session.logout()

    async def call(self, method: str, params: Sequence[Any], *, write: bool | None = None) -> Any:
        """The result of any RPC method, e.g. ``model.sale.sale.search_read``.

        ``write`` says whether a lost answer leaves the outcome unknown; by default every model
        method except :data:`READ_METHODS` counts as a write.
        """
        if write is None:
            write = method.rsplit(".", 1)[-1] not in READ_METHODS
        return await self._session.call(method, params, write=write)

    async def context(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The user's preferences merged with ``extra``: the context of a model call."""
        if self._preferences is None:
            preferences = await self.call("model.res.user.get_preferences", [True, {}])
            if not isinstance(preferences, dict):
                raise Unavailable(
                    "Tryton answered the user preferences with no object",
                    connection=self.connection,
                )
            self._preferences = preferences
        return {**self._preferences, **(extra or {})}

    async def model(
        self,
        model: str,
        method: str,
        *args: Any,
        context: Mapping[str, Any] | None = None,
        write: bool | None = None,
    ) -> Any:
        """``model.<model>.<method>`` with ``args`` and the call context appended last."""
        params = [*args, await self.context(context)]
        return await self.call(f"model.{model}.{method}", params, write=write)

    async def search_read(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: Sequence[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[Row]:
        """Rows of the matching records; dotted fields (``"lines.product.code"``) come nested."""
        order_param = [list(item) for item in order] if order else None
        rows = await self.model(
            model,
            "search_read",
            list(domain),
            offset,
            limit,
            order_param,
            list(fields),
            context=context,
        )
        return self._rows(rows, model)

    async def search_count(
        self, model: str, domain: Domain, *, context: Mapping[str, Any] | None = None
    ) -> int:
        count = await self.model(model, "search_count", list(domain), context=context)
        if not isinstance(count, int):
            raise Unavailable(f"Tryton counted {model} as {count!r}", connection=self.connection)
        return count

    async def read(
        self,
        model: str,
        ids: Sequence[int],
        fields: Sequence[str],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[Row]:
        """Rows of ``ids``; a missing id raises NotFound (Tryton's read error)."""
        rows = await self.model(model, "read", list(ids), list(fields), context=context)
        return self._rows(rows, model)

    async def create(
        self,
        model: str,
        values: Sequence[Mapping[str, Any]],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        """Ids of the records created from ``values`` (x2many as ``[["create", [...]]]``)."""
        ids = await self.model(model, "create", [dict(v) for v in values], context=context)
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise Unavailable(f"Tryton created {model} as {ids!r}", connection=self.connection)
        return ids

    async def write(
        self,
        model: str,
        ids: Sequence[int],
        values: Mapping[str, Any],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        await self.model(model, "write", list(ids), dict(values), context=context)

    async def delete(
        self, model: str, ids: Sequence[int], *, context: Mapping[str, Any] | None = None
    ) -> None:
        await self.model(model, "delete", list(ids), context=context)

    async def button(
        self,
        model: str,
        name: str,
        ids: Sequence[int],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        """A workflow button (``quote``, ``confirm``, ``assign_try``, ``post``...) on ``ids``."""
        return await self.model(model, name, list(ids), context=context, write=True)

    async def on_change(
        self,
        model: str,
        values: Mapping[str, Any],
        fieldnames: Sequence[str],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Row:
        """The values Tryton's client would fill in after ``fieldnames`` changed in ``values``."""
        changes = await self.model(
            model, "on_change", dict(values), list(fieldnames), context=context
        )
        if not isinstance(changes, dict):
            raise Unavailable(
                f"Tryton answered {model}.on_change with {changes!r}", connection=self.connection
            )
        return changes

    def _rows(self, rows: Any, model: str) -> list[Row]:
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise Unavailable(
                f"Tryton answered a read of {model} with no rows", connection=self.connection
            )
        return rows
