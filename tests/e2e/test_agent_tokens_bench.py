"""The agent token bench meets its targets: on every question the MCP answer costs at most
a tenth of the raw ERP responses and half of the GraphQL JSON."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
BENCH = Path(__file__).parents[2] / "bench" / "agent_tokens.py"


def test_mcp_answers_are_a_tenth_of_the_erp_payload_and_half_the_graphql_json() -> None:
    # The bench takes seconds. Should it ever hang, SIGABRT makes faulthandler print every
    # thread's stack, so the failure says where.
    bench = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", str(BENCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        bench.send_signal(signal.SIGABRT)
        stdout, stderr = bench.communicate()
        pytest.fail(f"the bench did not finish in 300 s:\n{stdout}\n{stderr}")

    assert bench.returncode == 0, stdout + stderr
    rows = [line for line in stdout.splitlines() if line and line[0].islower()]
    assert len(rows) >= 6  # five questions and the verdict
    assert "MISSED" not in stdout
    assert stdout.rstrip().endswith("met")
