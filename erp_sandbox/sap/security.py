"""CSRF tokens bound to SAP session cookies (basic auth: :mod:`erp_sandbox.basic_auth`)."""

from __future__ import annotations

import base64
import hmac
import secrets
import threading


class CsrfSessions:
    """Sessions (by cookie value) and the CSRF token of each; thread-safe."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch(self, session: str | None) -> tuple[str, str, bool]:
        """The session, its token and whether the session is new (needs a cookie)."""
        with self._lock:
            if session is not None and session in self._tokens:
                return session, self._tokens[session], False
            session = secrets.token_urlsafe(48)
            token = base64.b64encode(secrets.token_bytes(16)).decode()
            self._tokens[session] = token
            return session, token, True

    def valid(self, session: str | None, token: str | None) -> bool:
        """Whether ``token`` is the token of ``session``."""
        if not session or not token:
            return False
        with self._lock:
            expected = self._tokens.get(session)
        return expected is not None and hmac.compare_digest(expected, token)

    def expire_all(self) -> None:
        """Forget every session and token."""
        with self._lock:
            self._tokens.clear()
