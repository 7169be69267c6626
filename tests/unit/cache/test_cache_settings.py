"""The cache settings docs/cache.md shows load as written; a Redis cache needs its URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from experience_api.settings import Settings, load_settings
from system_apis.caching import RecordKind
from tests.support.docs import ROOT, blocks


def test_the_documented_cache_settings_load_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ERP_GATEWAY_CONFIG_FILE", raising=False)
    where, ttls = (example.text for example in blocks(ROOT / "docs" / "cache.md", "toml"))
    config = tmp_path / "gateway.toml"
    config.write_text(f'{where}\n[[connections]]\nname = "EU01"\n{ttls}', encoding="utf-8")

    settings = load_settings(config, data_dir=tmp_path)

    assert settings.cache.backend == "redis"
    [eu01] = settings.connections
    assert eu01.cache.ttl(RecordKind.INVENTORY) == 10
    assert eu01.cache.ttl(RecordKind.PRODUCTS) == 300


def test_a_redis_cache_without_its_url_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"cache\.redis_url is required"):
        Settings(data_dir=tmp_path, cache={"backend": "redis"})  # type: ignore[arg-type]


def test_a_connection_with_its_cache_off_caches_nothing(tmp_path: Path) -> None:
    connection = {"name": "EU01", "cache": {"enabled": False, "products_ttl": 60}}
    settings = Settings(data_dir=tmp_path, connections=[connection])  # type: ignore[list-item]

    assert all(settings.connections[0].cache.ttl(kind) == 0 for kind in RecordKind)
