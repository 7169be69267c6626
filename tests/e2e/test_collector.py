"""While it serves, the gateway keeps start-up's objects out of the garbage collector's reach
and collects the youngest generation less often; stopping gives both back."""

from __future__ import annotations

import gc
from pathlib import Path

from experience_api.app import YOUNG_GENERATION_THRESHOLD
from experience_api.settings import Settings
from tests.e2e.conftest import started


async def test_serving_tunes_the_collector_and_stopping_restores_it(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    async with started(Settings(data_dir=tmp_path)) as running:
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
        assert gc.get_freeze_count() > 10_000
        body = await running.gql("{ customers(first: 2) { nodes { name } } }")
        assert len(body["data"]["customers"]["nodes"]) == 2
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
