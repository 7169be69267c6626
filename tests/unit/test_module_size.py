"""Modules of the product stay small: none of the four packages holds a module over 400
lines (split it by concept when it grows)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("system_apis", "process_apis", "experience_api", "erp_sandbox")
MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    modules = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(modules) > 100  # the packages were found where they live
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_bytes().splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules by concept: {too_long}"
