"""The console's routes: the overview, the quarantine review, webhooks, the audit chain,
and the stylesheet.

Every page needs the admin scope (:func:`~experience_api.console.guard.admin`); a refusal
is answered with a page saying why, in the status it names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from experience_api.console import quarantine, sign_in, snapshot
from experience_api.console.guard import CONSOLE_PATH, Refused, admin
from experience_api.console.pages import STATIC_PATH, render
from experience_api.gateway import Gateway
from experience_api.security.audit_key import load_audit_key
from experience_api.security.principal import Principal
from process_apis.audit.verification import verify_chain

Handler = Callable[[Request], Awaitable[Response]]


class AuditKey:
    """The audit log's key (to check the chain), loaded from the settings on first use."""

    def __init__(self, key: SecretStr | None, key_file: Path | None, data_dir: Path):
        self._where = (key, key_file, data_dir)
        self._key: bytes | None = None

    def get(self) -> bytes:
        if self._key is None:
            self._key = load_audit_key(*self._where)
        return self._key


def console_routes(audit_key: AuditKey) -> list[BaseRoute]:
    """The routes to add to the app under ``/console``."""

    async def overview(request: Request) -> Response:
        shown = await snapshot.overview(_gateway(request), admin(request))
        return render(request, "overview.html", overview=shown, connections=shown.connections)

    async def webhooks(request: Request) -> Response:
        _everywhere(admin(request))
        return render(request, "webhooks.html", webhooks=await snapshot.webhooks(_gateway(request)))

    async def audit(request: Request) -> Response:
        _everywhere(admin(request))
        log = _gateway(request).services.audit
        if log is None:
            raise Refused(404, "This gateway keeps no audit log.")
        head = await log.head()
        result = await verify_chain(audit_key.get(), log.entries(), recorded_head=head)
        return render(request, "audit.html", result=result)

    pages: list[tuple[str, Handler, list[str]]] = [
        ("", overview, ["GET"]),
        ("/quarantine", quarantine.listing, ["GET"]),
        ("/quarantine/{record_id}", quarantine.record_page, ["GET"]),
        ("/quarantine/{record_id}/edit", quarantine.edit, ["POST"]),
        ("/quarantine/{record_id}/replay", quarantine.replay, ["POST"]),
        ("/quarantine/{record_id}/discard", quarantine.discard, ["POST"]),
        ("/webhooks", webhooks, ["GET"]),
        ("/audit", audit, ["GET"]),
        ("/sign-in", sign_in.sign_in_page, ["GET"]),
        ("/sign-in", sign_in.sign_in, ["POST"]),
        ("/sign-out", sign_in.sign_out, ["POST"]),
    ]
    routes: list[BaseRoute] = [
        Route(f"{CONSOLE_PATH}{path}", _refusals(handler), methods=methods)
        for path, handler, methods in pages
    ]
    static = StaticFiles(packages=[("experience_api.console", "static")])
    routes.append(Mount(STATIC_PATH, static))
    return routes


def _everywhere(principal: Principal) -> None:
    """Refused (403) unless ``principal`` may use every connection: webhooks and the audit
    log span them all."""
    if principal.connections is not None:
        raise Refused(403, "This page spans every connection; this caller may see only some.")


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _refusals(handler: Handler) -> Handler:
    async def handle(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as refused:
            return render(request, "refused.html", refused.status, message=refused.message)

    return handle
