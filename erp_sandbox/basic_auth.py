"""Basic authentication of the sandboxes' APIs and admin endpoints."""

from __future__ import annotations

import base64
import binascii
import hmac


def credentials_match(header: str | None, username: str, password: str) -> bool:
    """Whether an ``Authorization`` header carries exactly these basic-auth credentials."""
    if not header:
        return False
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = f"{username}:{password}".encode()
    return hmac.compare_digest(decoded, expected)
