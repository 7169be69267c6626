"""The README's configuration examples are settings the gateway takes as written: each
```toml block loads (the resilience table under the SAP connection before it), and the
README opens with the two commands a newcomer types first."""

from __future__ import annotations

from pathlib import Path

import pytest

from experience_api.settings import load_settings
from tests.support.docs import ROOT, blocks

README = ROOT / "README.md"


def test_the_readme_starts_with_make_run_and_make_test() -> None:
    first = blocks(README, "sh")[0].text.splitlines()
    assert README.read_text(encoding="utf-8").split("```")[0].strip() == "# ERP gateway"
    assert [line.split("#")[0].strip() for line in first] == ["make run", "make test"]


def test_the_toml_examples_load_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERP_GATEWAY_CONFIG_FILE", raising=False)
    sap, successfactors, tryton, resilience = (example.text for example in blocks(README, "toml"))
    assert "[connections.resilience]" in resilience
    config = tmp_path / "gateway.toml"
    config.write_text(sap + resilience + successfactors + tryton, encoding="utf-8")

    settings = load_settings(config, data_dir=tmp_path)

    eu01, sf01, us01 = settings.connections
    assert (eu01.name, eu01.kind, eu01.erp.embedded) == ("EU01", "sap", False)
    assert eu01.erp.employees_from == sf01.name
    assert (sf01.name, sf01.kind, sf01.erp.embedded) == ("SF01", "successfactors", False)
    assert (us01.name, us01.kind, us01.erp.embedded) == ("US01", "tryton", False)
    assert eu01.resilience.read_attempts == 3
    assert "list_inventory" in eu01.resilience.stale_reads
