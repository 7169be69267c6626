"""An order the ERP could not take for now is placed by the gateway itself once the ERP is
back: no operator, one order in the ERP, and the client's retry gets it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from process_apis.quarantine.port import QuarantineStatus
from process_apis.quarantine.retrier import RETRIED_BY
from tests.e2e.test_quarantine import ORDER, gateway, orders_with_reference, sap_back, sap_down

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    status
    order { id number }
    pending { id retryAt reason }
    errors { __typename code message }
  }
}"""
QUICK = {"pending_retry_base_seconds": 0.05, "pending_retry_interval_seconds": 0.05}


async def test_a_pending_order_is_placed_once_when_the_erp_is_back(tmp_path: Path) -> None:
    down_settings = sap_down(tmp_path).model_copy(update={"pending_retries": True, **QUICK})
    async with gateway(down_settings) as down:
        first = (await down.gql(PLACE, {"input": ORDER}))["data"]["placeOrder"]
        assert (first["status"], first["order"], first["errors"]) == ("PENDING", None, [])
        record_id = first["pending"]["id"]

    async with gateway(sap_back(tmp_path).model_copy(update=QUICK)) as back:
        quarantine = back.gateway.services.quarantine
        for _ in range(200):
            record = await quarantine.get(record_id)
            if record.status is not QuarantineStatus.PENDING:
                break
            await asyncio.sleep(0.05)
        assert record.status is QuarantineStatus.REPLAYED
        assert record.resolved_by == RETRIED_BY
        again: dict[str, Any] = (await back.gql(PLACE, {"input": ORDER}))["data"]["placeOrder"]
        assert again["status"] == "PLACED"
        assert again["order"]["id"] == record.resolution_result
        assert len(orders_with_reference(back)) == 1
