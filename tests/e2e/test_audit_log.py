"""The audit log through the running gateway: mutations are recorded with who, what, which
record and the result; ``erp-gateway audit verify`` passes, and fails once an entry is
edited or removed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from experience_api.cli import main
from tests.e2e.conftest import Running

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { code } }
}"""


async def audit(*args: str) -> int:
    return await asyncio.to_thread(main, ["audit", *args])


def entries(data_dir: Path) -> list[dict[str, object]]:
    with contextlib.closing(sqlite3.connect(data_dir / "gateway.sqlite", timeout=30)) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM audit_log ORDER BY seq")]


def tamper_with(data_dir: Path, statement: str) -> None:
    with contextlib.closing(sqlite3.connect(data_dir / "gateway.sqlite", timeout=30)) as db:
        db.executescript(statement)


async def place(running: Running, key: str, customer: str) -> dict[str, object]:
    body = await running.gql(
        PLACE,
        {
            "input": {
                "idempotencyKey": key,
                "customerId": customer,
                "lines": [{"sku": "TG11", "quantity": "1"}],
            }
        },
    )
    return body["data"]["placeOrder"]  # type: ignore[no-any-return]


async def test_mutations_are_recorded_and_the_chain_verifies(
    running: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = await place(running, "audit-1", "EU01:10100001")
    refused = await place(running, "audit-2", "EU01:99999999")
    assert placed["errors"] == []
    assert refused["errors"]
    await running.gql("{ customers(first: 2) { nodes { id } } }")  # reads are not mutations

    rows = await asyncio.to_thread(entries, tmp_path)
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("mutation:placeOrder", "ok"),
        ("mutation:placeOrder", "rejected"),
    ]
    order_id = placed["order"]["id"]  # type: ignore[index]
    assert rows[0]["record"] == order_id
    assert rows[0]["connection"] == "EU01"
    assert rows[0]["actor"] == rows[1]["actor"] != ""
    # A refused request names the record it was about, and what was asked.
    assert rows[1]["record"] == "EU01:99999999"
    asked = json.loads(str(rows[1]["details"]))
    assert asked["arguments"]["input"]["idempotencyKey"] == "audit-2"
    assert asked["errors"]

    assert await audit("verify", "--progress", "--data-dir", str(tmp_path)) == 0
    printed = capsys.readouterr()
    summary = json.loads(printed.out)
    assert summary["intact"]
    assert summary["entries"] == 2
    # The count of entries checked, on stderr, rewritten in place as the check goes.
    assert printed.err.rsplit("\r", 1)[-1].startswith("audit verify: 2 entries, ")


@pytest.mark.parametrize("tamper", ["edit", "request id", "delete", "cut tail"])
async def test_verify_fails_after_an_entry_is_edited_or_removed(
    running: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str], tamper: str
) -> None:
    for n in range(3):
        await place(running, f"audit-t{n}", "EU01:10100001")
    statement = {
        "edit": "UPDATE audit_log SET outcome = 'rejected' WHERE seq = 2",
        "request id": "UPDATE audit_log SET request_id = 'someone-else' WHERE seq = 2",
        "delete": "DELETE FROM audit_log WHERE seq = 2",
        "cut tail": "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_head SET seq = 2, "
        "hash = (SELECT hash FROM audit_log WHERE seq = 2)",
    }[tamper]
    # In a thread: the gateway's writers need the event loop to finish their transactions.
    await asyncio.to_thread(tamper_with, tmp_path, statement)

    assert await audit("verify", "--data-dir", str(tmp_path)) == 1
    summary = json.loads(capsys.readouterr().out)
    assert not summary["intact"]
    expected = {
        "edit": "entry 2 was altered",
        "request id": "entry 2 was altered",
        "delete": "entries 2..2 are missing",
        "cut tail": "the head (entry 2) does not carry its seal",
    }[tamper]
    assert any(expected in p for p in summary["problems"]), summary["problems"]


async def test_an_entry_carries_the_id_of_the_request_that_caused_it(
    running: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variables = {
        "input": {
            "idempotencyKey": "audit-rid",
            "customerId": "EU01:10100001",
            "lines": [{"sku": "TG11", "quantity": "1"}],
        }
    }
    given = await running.client.post(
        "/graphql",
        json={"query": PLACE, "variables": variables},
        headers={"X-Request-ID": "shop-checkout-7"},
    )
    made = await running.client.post(
        "/graphql",
        json={
            "query": PLACE,
            "variables": {
                **variables,
                "input": {**variables["input"], "idempotencyKey": "audit-rid-2"},
            },
        },
    )

    by_record = {e["record"]: e["request_id"] for e in entries(tmp_path)}
    placed = given.json()["data"]["placeOrder"]["order"]["id"]
    other = made.json()["data"]["placeOrder"]["order"]["id"]
    assert by_record[placed] == "shop-checkout-7"
    assert by_record[other] == made.headers["x-request-id"]
    # The id is part of what the chain seals, and the command shows it.
    assert await audit("verify", "--data-dir", str(tmp_path)) == 0
    capsys.readouterr()
    assert await audit("tail", "--data-dir", str(tmp_path), "-n", "2") == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["request_id"] for e in shown] == ["shop-checkout-7", made.headers["x-request-id"]]
