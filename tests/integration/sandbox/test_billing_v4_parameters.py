"""``CreateFromSDDocument`` takes ``_Control`` and ``_Reference`` as SAP's service model types
them: the properties SAP declares are accepted, anything else is refused and bills nothing."""

from __future__ import annotations

import httpx
import pytest

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import (
    BILLING_V4,
    CREATE_ACTION,
    DELIVERY,
    SO,
    order_body,
)


async def _issued_delivery(writer: httpx.AsyncClient) -> str:
    order = (await writer.post(f"{SO}/A_SalesOrder", json=order_body(TG11="1"))).json()["d"]
    reference = {"ReferenceSDDocument": order["SalesOrder"], "ReferenceSDDocumentItem": "10"}
    created = await writer.post(
        f"{DELIVERY}/A_OutbDeliveryHeader", json={"to_DeliveryDocumentItem": [reference]}
    )
    delivery = created.json()["d"]["DeliveryDocument"]
    for function in ("PickAllItems", "PostGoodsIssue"):
        etag = (await writer.get(f"{DELIVERY}/A_OutbDeliveryHeader('{delivery}')")).headers["etag"]
        answer = await writer.post(
            f"{DELIVERY}/{function}",
            params={"DeliveryDocument": f"'{delivery}'"},
            headers={"If-Match": etag},
        )
        assert answer.status_code == 200, answer.text
    return str(delivery)


@pytest.mark.parametrize(
    ("control", "reference", "refused"),
    [
        ({"Unknown": "X"}, {}, "Property 'Unknown' is not defined in '_Control'"),
        ({}, {"SDDocument": "12345678901"}, "'_Reference/SDDocument' must be a string"),
        ({}, {"Plant": "1010"}, "Property 'Plant' is not defined in '_Reference'"),
        ({"DefaultBillingDocumentDate": "03.06.2024"}, {}, "must be a date"),
        ({"AutomPostingToAcctgIsDisabled": "no"}, {}, "must be true or false"),
    ],
)
async def test_undeclared_or_mistyped_parameters_are_refused_and_bill_nothing(
    writer: httpx.AsyncClient,
    sandbox: Sandbox,
    control: dict[str, object],
    reference: dict[str, object],
    refused: str,
) -> None:
    delivery = await _issued_delivery(writer)
    documents = sandbox.count("A_BillingDocument")
    body = {"_Control": control, "_Reference": [{"SDDocument": delivery, **reference}]}
    answer = await writer.post(f"{BILLING_V4}/{CREATE_ACTION}", json=body)
    assert answer.status_code == 400
    assert refused in answer.json()["error"]["message"]
    assert sandbox.count("A_BillingDocument") == documents


async def test_every_parameter_sap_declares_is_accepted(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    delivery = await _issued_delivery(writer)
    body = {
        "_Control": {
            "DefaultBillingDocumentDate": "2024-06-03",
            "DefaultBillingDocumentType": "F2",
            "AutomPostingToAcctgIsDisabled": False,
            "CutOffBillingDocumentDate": None,
        },
        "_Reference": [
            {
                "SDDocument": delivery,
                "BillingDocumentType": "F2",
                "BillingDocumentDate": "2024-06-03",
                "DestinationCountry": "DE",
                "SalesOrganization": "1010",
                "SDDocumentCategory": "J",
            }
        ],
    }
    answer = await writer.post(f"{BILLING_V4}/{CREATE_ACTION}", json=body)
    assert answer.status_code == 200, answer.text
    metadata = (await writer.get(f"{BILLING_V4}/$metadata")).text
    assert 'Type="SAP__self.D_BillgDocCrteFrmSDDocCtrlPP"' in metadata
    assert 'Type="Collection(SAP__self.D_BillgDocCrteFrmSDDocRefPP)"' in metadata
