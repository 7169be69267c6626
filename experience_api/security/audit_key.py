"""The key that seals the audit log's hash chain."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

KEY_FILE_NAME = "audit.key"


def load_audit_key(key: SecretStr | None, key_file: Path | None, data_dir: Path) -> bytes:
    """The audit key from the setting, else from ``key_file``, else from the data directory,
    where one is created (readable by the owner only) on first use.

    Replicas sharing one state database must share the key: set it from a secret (the
    environment or a mounted file) rather than letting each create its own.
    """
    if key is not None:
        raw = key.get_secret_value().encode()
    elif key_file is not None:
        raw = key_file.read_bytes().strip()
    else:
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        raw = path.read_bytes().strip()
    if len(raw) < 32:
        raise ValueError("the audit key must be at least 32 characters long")
    return raw
