"""Goods issue of an outbound delivery: picking first where it is needed, then the posting.

A delivery whose ``OverallPickingStatus`` is ``A`` (not picked) or ``B`` (partly picked)
cannot be goods-issued: ``PickAllItems`` picks every item in full first (a delivery whose
items are not relevant for picking has an empty status and skips this). Each function import
carries the delivery's current ETag, which SAP derives from ``DeliveryVersion`` and changes
with every change of the delivery, so the delivery is read again between the two.

``PostGoodsIssue`` answers a collection of messages, not the delivery; the adapter reads the
delivery back instead of reading the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from system_apis.sap.answers import ODataEntity
from system_apis.sap.client import SapODataClient
from system_apis.sap.queries import OUTBOUND_DELIVERY

NEEDS_PICKING = frozenset({"A", "B"})
"""``OverallPickingStatus`` values of a delivery that must be picked before its goods issue."""


async def post_goods_issue(
    client: SapODataClient,
    current: ODataEntity,
    reread: Callable[[], Awaitable[ODataEntity]],
) -> None:
    """Picks the delivery ``current`` if needed, then posts its goods issue.

    ``reread`` reads the delivery again (for its new ETag after picking).
    """
    number = str(current.data["DeliveryDocument"])
    if str(current.data.get("OverallPickingStatus") or "") in NEEDS_PICKING:
        await client.send_function(
            OUTBOUND_DELIVERY, "PickAllItems", {"DeliveryDocument": number}, if_match=current.etag
        )
        current = await reread()
    await client.send_function(
        OUTBOUND_DELIVERY, "PostGoodsIssue", {"DeliveryDocument": number}, if_match=current.etag
    )
