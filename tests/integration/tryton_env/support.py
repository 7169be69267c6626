"""Helpers of the Tryton sandbox tests."""

from __future__ import annotations

import json
from pathlib import Path

from erp_sandbox.tryton import TrytonDatabase, copy_database
from erp_sandbox.tryton.build import build_fingerprint


def stamped_copy(template: TrytonDatabase, data_dir: Path) -> TrytonDatabase:
    """A copy in ``data_dir`` stamped as a finished build, as ``ensure_database`` leaves one."""
    copied = copy_database(template, data_dir)
    stamp = build_fingerprint(copied.name, copied.admin_password)
    (data_dir / f"{copied.name}.build.json").write_text(json.dumps(stamp), encoding="utf-8")
    return copied
