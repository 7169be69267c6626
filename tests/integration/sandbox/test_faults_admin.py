"""The fault plan over the sandbox's admin endpoints, from settings, and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from erp_sandbox.faults import Fault, FaultPlan, FaultPlanError, fault_plan_argument
from erp_sandbox.sap import Sandbox, SandboxSettings, create_app
from erp_sandbox.sap.server import main
from tests.integration.sandbox.support import ANCHOR, PASSWORD, SO, USER

ORDERS = f"{SO}/A_SalesOrder"


async def test_admin_endpoints(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    plan = {"seed": 5, "faults": [{"kind": "down", "retry_after": 60}]}
    posted = await client.post("/sandbox/faults", json=plan)
    assert posted.status_code == 200
    assert posted.json()["plan"]["faults"][0]["kind"] == "down"
    assert sandbox.faults.plan == FaultPlan((Fault("down", retry_after=60),), seed=5)
    assert (await client.get(ORDERS)).status_code == 503
    assert (await client.get("/sandbox/health")).status_code == 200
    assert (await client.get("/sandbox/stats")).json()["request_count"] == 1
    state = (await client.get("/sandbox/faults")).json()
    assert state["plan"] == FaultPlan.from_json(plan).to_json()
    assert state["stats"]["injected"]["down"] == 1
    assert state["stats"]["requests_seen"] == 1
    cleared = await client.delete("/sandbox/faults")
    assert cleared.json()["plan"]["faults"] == []
    assert (await client.get(ORDERS)).status_code == 200


@pytest.mark.parametrize(
    "plan",
    [
        {"faults": [{"kind": "meltdown"}]},
        {"faults": [{"kind": "slow"}]},
        {"faults": [{"kind": "down", "probability": 2}]},
        {"faults": [{"kind": "error_burst", "statuses": [404]}]},
        {"faults": [{"kind": "down", "colour": "red"}]},
        {"faults": {"kind": "down"}},
        ["down"],
    ],
)
async def test_admin_rejects_invalid_plans(
    client: httpx.AsyncClient, sandbox: Sandbox, plan: object
) -> None:
    answer = await client.post("/sandbox/faults", json=plan)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("invalid fault plan")
    assert sandbox.faults.plan == FaultPlan()
    with pytest.raises(FaultPlanError):
        FaultPlan.from_json(plan)


async def test_admin_needs_credentials(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sandbox/faults", auth=(USER, "wrong"))).status_code == 401
    denied = await client.post("/sandbox/faults", json={"faults": []}, auth=(USER, "wrong"))
    assert denied.status_code == 401
    assert (await client.post("/sandbox/faults", content=b"{")).status_code == 400


async def test_initial_plan_from_settings() -> None:
    plan = FaultPlan((Fault("throttle", count=1),))
    app: Starlette = create_app(SandboxSettings(seed_anchor=ANCHOR, faults=plan))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://sandbox.test",
            auth=(USER, PASSWORD),
        ) as http:
            assert (await http.get(ORDERS)).status_code == 429
            assert (await http.get(ORDERS)).status_code == 200
    finally:
        app.state.sandbox.close()


def test_plan_json_round_trip() -> None:
    plan = FaultPlan(
        (
            Fault("slow", delay_ms=5, scope="reads", path="A_Product"),
            Fault("error_burst", probability=0.25, count=4, statuses=(502, 503)),
            Fault("malformed", body="html", csrf_fetch=False),
        ),
        seed=9,
    )
    assert FaultPlan.from_json(json.loads(json.dumps(plan.to_json()))) == plan


def test_module_command_reads_a_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = FaultPlan((Fault("down", disconnect=True, count=2),), seed=3)
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(plan.to_json()), encoding="utf-8")
    assert fault_plan_argument(f"@{path}") == plan
    assert fault_plan_argument(json.dumps(plan.to_json())) == plan
    with pytest.raises(SystemExit):
        main(["--faults", '{"faults": [{"kind": "meltdown"}]}'])
    assert "invalid fault plan: kind must be one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--faults", f"@{tmp_path / 'missing.json'}"])
    assert "invalid fault plan" in capsys.readouterr().err
