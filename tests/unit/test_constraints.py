"""Every installation gets the tested versions: constraints.txt pins each distribution the
project needs, within what pyproject.toml allows, and the Makefile and the Dockerfile install
with it. A dependency added without refreshing the pins fails here, saying how to refresh."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
REFRESH = "refresh it: make .venv/.installed && .venv/bin/python scripts/lock.py"


def _lock_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock", ROOT / "scripts" / "lock.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, version = line.partition("==")
        assert separator, f"constraints.txt: {line!r} is not an exact pin (name==version)"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    declared = _lock_script().project_requirements(ROOT / "pyproject.toml")
    assert len(declared) > 20  # the core and the three extras were read
    unpinned = sorted(r.name for r in declared if canonicalize_name(r.name) not in pins)
    assert unpinned == [], f"constraints.txt has no pin for {unpinned}; {REFRESH}"
    outside = {
        str(requirement): pins[canonicalize_name(requirement.name)]
        for requirement in declared
        if not requirement.specifier.contains(
            Version(pins[canonicalize_name(requirement.name)]), prereleases=True
        )
    }
    assert outside == {}, f"pins outside pyproject.toml's ranges: {outside}; {REFRESH}"


def test_every_distribution_they_pull_in_is_pinned_too() -> None:
    lock = _lock_script()
    try:
        needed = lock.closure(lock.project_requirements(ROOT / "pyproject.toml"))
    except LookupError as exc:  # pyproject.toml changed since .venv was made
        pytest.fail(f"{exc}: run make .venv/.installed, then check the pins", pytrace=False)
    needed.pop("erp-gateway", None)
    missing = sorted(set(needed) - set(_pins()))
    assert missing == [], f"constraints.txt has no pin for {missing}; {REFRESH}"


def test_the_makefile_and_the_image_install_with_the_constraints() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"pip install[^\n]*-e '\.\[[^\n]*", makefile)
    assert installs, "the Makefile installs the project"
    assert all("-c constraints.txt" in line for line in installs), installs
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml README.md constraints.txt" in dockerfile
    assert re.search(r"pip install [^\n]*-c constraints\.txt \"\.\[postgres\]\"", dockerfile)
