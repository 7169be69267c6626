"""The shipped alert rules and the metrics documentation name exactly what the gateway exports.

promtool is not part of the toolchain, so the rule file is read as YAML: every rule is
complete, and every series an expression names is one a replica exposes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

from process_apis.events.status import OutboxStatus
from process_apis.metrics.connections import ConnectionsCollector
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.metrics.state import StateCollector, StateFigures
from system_apis.resilience import ResiliencePolicy, ResilientAdapter
from tests.fakes.memory_erp import MemoryErp

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yaml"
DOCS = ROOT / "docs" / "metrics.md"
SERIES = re.compile(r"\berp_gateway_[a-z0-9_]+")
SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_count", "_sum"),
    "gauge": ("",),
}


def families() -> list[Metric]:
    """Every metric family one replica exposes (with connections and a lease holder)."""
    now = dt.datetime.now(dt.UTC)
    guarded = {"EU01": ResilientAdapter(MemoryErp("EU01"), ResiliencePolicy())}
    state = StateFigures(
        at=now,
        backlog={},
        oldest_waiting={},
        outbox=OutboxStatus(0, None, 0, None, "gw:1:ab", now),
    )
    scraped = CollectorRegistry()
    scraped.register(ConnectionsCollector(guarded))
    scraped.register(StateCollector(state, ["place_order"], tuple(guarded)))
    return [*GatewayMetrics().registry.collect(), *scraped.collect()]


def exported() -> set[str]:
    return {f.name + suffix for f in families() for suffix in SUFFIXES[f.type]}


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_rule_file_covers_the_seeds_of_trouble() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)), "alert names are unique"
    watched = " ".join(rule["expr"] for rule in rules())
    for series in (
        "erp_gateway_quarantine_backlog",
        "erp_gateway_outbox_lag_seconds",
        'erp_gateway_erp_breaker_state{state="open"}',
        'erp_gateway_data_latency_seconds_bucket{path="erp_to_event"}',
        'erp_gateway_data_latency_seconds_bucket{path="inbound_to_erp"}',
    ):
        assert series in watched


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: str(rule["alert"]))
def test_each_rule_is_complete_and_names_exported_series(rule: dict[str, Any]) -> None:
    assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
    assert rule["labels"]["severity"] in ("warning", "critical")
    assert rule["annotations"]["summary"]
    named = set(SERIES.findall(rule["expr"]))
    assert named, "the expression names a gateway series"
    assert named <= exported(), f"not exported: {sorted(named - exported())}"
    assert rule["expr"].count("(") == rule["expr"].count(")")


def test_every_exported_series_is_documented() -> None:
    documented = set(SERIES.findall(DOCS.read_text()))
    shown = {f.name + ("_total" if f.type == "counter" else "") for f in families()}
    assert shown <= documented, f"undocumented: {sorted(shown - documented)}"
    assert documented <= shown | exported(), f"documented, not exported: {documented - shown}"
