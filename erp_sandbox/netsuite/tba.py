"""Token-Based Authentication as NetSuite checks it: an OAuth 1.0a ``Authorization`` header
(RFC 5849) with ``realm`` = the account id, ``oauth_signature_method="HMAC-SHA256"``, the
integration's consumer key and the access token, a fresh nonce and a current timestamp.

The signature base string is RFC 5849's (method, base string URI, normalised parameters of
the header and the query; a JSON body takes no part), computed and compared by oauthlib.
Every refusal is NetSuite's one 401 ``INVALID_LOGIN`` answer: the reason is only written to
the login audit trail (here :attr:`TokenVerifier.audit`).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils

from erp_sandbox.netsuite.errors import INVALID_LOGIN, NsError
from erp_sandbox.netsuite.settings import SandboxSettings

METHOD = "HMAC-SHA256"


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused (the sandbox's login audit trail)."""

    reason: str
    at: float


class TokenVerifier:
    """Checks TBA headers against one integration and token; remembers nonces."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._settings = settings
        # oauthlib signs with a client's two secrets (the integration's and the token's).
        self._secrets = Client(
            settings.consumer_key,
            client_secret=settings.consumer_secret,
            resource_owner_key=settings.token_id,
            resource_owner_secret=settings.token_secret,
        )
        self._nonces: dict[str, float] = {}
        self._lock = threading.Lock()
        self.audit: deque[Refusal] = deque(maxlen=100)

    def verify(self, method: str, url: str, header: str | None) -> None:
        """Raises the 401 NsError unless the request is signed as NetSuite requires."""
        reason = self._check(method, url, header)
        if reason is not None:
            self.audit.append(Refusal(reason, time.time()))
            raise NsError(401, "INVALID_LOGIN", INVALID_LOGIN)

    def _check(self, method: str, url: str, header: str | None) -> str | None:
        settings = self._settings
        if not header or not header.lower().startswith("oauth "):
            return "no OAuth authorization header"
        try:
            fields = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        except ValueError:
            return "malformed authorization header"
        expected = {
            "realm": settings.account_id,
            "oauth_signature_method": METHOD,
            "oauth_consumer_key": settings.consumer_key,
            "oauth_token": settings.token_id,
        }
        for name, value in expected.items():
            if fields.get(name) != value:
                return f"{name} is {fields.get(name)!r}"
        if fields.get("oauth_version", "1.0") != "1.0":
            return "oauth_version is not 1.0"
        stamp, nonce = fields.get("oauth_timestamp", ""), fields.get("oauth_nonce", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > settings.timestamp_window:
            return "timestamp outside the allowed window"
        if not nonce:
            return "no nonce"
        # oauthlib's stubs type these functions narrower than they work (lists of pairs).
        rfc: Any = signature
        params = rfc.collect_parameters(
            uri_query=url.partition("?")[2], headers={"Authorization": header}
        )
        base = rfc.signature_base_string(
            method.upper(), rfc.base_string_uri(url), rfc.normalize_parameters(params)
        )
        expected_signature = str(rfc.sign_hmac_sha256_with_client(base, self._secrets))
        if not hmac.compare_digest(expected_signature, fields.get("oauth_signature", "")):
            return "signature does not match"
        return self._fresh(nonce)

    def _fresh(self, nonce: str) -> str | None:
        now = time.time()
        with self._lock:
            window = self._settings.timestamp_window
            for old in [n for n, seen in self._nonces.items() if now - seen > 2 * window]:
                del self._nonces[old]
            if nonce in self._nonces:
                return "nonce already used"
            self._nonces[nonce] = now
        return None
