"""The local development signing key: tokens for ``erp-gateway token`` in local mode.

The key pair is created once in the data directory (``dev-signing-key.pem``, mode 0600)
and kept, so tokens survive restarts. Its key id starts with :data:`DEV_KID_PREFIX`: that
marker lets production mode recognise the key wherever it turns up (a JWKS file, a token
header) and refuse it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from experience_api.security.config import LOCAL_ISSUER

log = logging.getLogger(__name__)
DEV_KID_PREFIX = "erp-gateway-dev-"
KEY_FILE = "dev-signing-key.pem"
ALGORITHM = "RS256"


def is_dev_kid(kid: object) -> bool:
    return isinstance(kid, str) and kid.startswith(DEV_KID_PREFIX)


@dataclass(frozen=True)
class DevKey:
    """The development key pair; signs tokens the local mode trusts."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key()))
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def issue(
        self,
        *,
        audience: str,
        subject: str,
        roles: Iterable[str] = (),
        scopes: Iterable[str] = (),
        companies: Iterable[str] = (),
        ttl_seconds: int = 3600,
        client_id: str = "erp-gateway-cli",
    ) -> str:
        """A signed token with the claims an identity provider would put in one."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": LOCAL_ISSUER,
            "aud": audience,
            "sub": subject,
            "azp": client_id,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "roles": list(roles),
            "companies": list(companies),
        }
        scope = " ".join(scopes)
        if scope:
            claims["scope"] = scope
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


def _kid_of(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")
    return DEV_KID_PREFIX + digest


def load_dev_key(data_dir: Path) -> DevKey | None:
    """The key kept in ``data_dir``, or None when there is none yet."""
    path = data_dir / KEY_FILE
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    if path.stat().st_mode & 0o077:
        # A private key others can read signs tokens for them too.
        log.warning("%s was readable by others; restricting it to its owner", path)
        path.chmod(0o600)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return DevKey(private_key=key, kid=_kid_of(key.public_key()))


def load_or_create_dev_key(data_dir: Path) -> DevKey:
    """The key kept in ``data_dir``, created (readable by its owner only) on first use."""
    existing = load_dev_key(data_dir)
    if existing is not None:
        return existing
    data_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = data_dir / KEY_FILE
    # O_EXCL: when another process (the CLI, a second server) created it first, use theirs.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            found = _try_load(data_dir)
            if found is not None:
                return found
            time.sleep(0.02)
        raise
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return DevKey(private_key=key, kid=_kid_of(key.public_key()))


def _try_load(data_dir: Path) -> DevKey | None:
    # The creator may still be writing the file.
    with contextlib.suppress(ValueError):
        return load_dev_key(data_dir)
    return None
