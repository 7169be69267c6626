"""What SAP's function imports answer: the complex types of their results.

Checked against SAP's published metadata (public copies of ``API_OUTBOUND_DELIVERY_SRV``
v0002 and ``API_BILLING_DOCUMENT_SRV``): the delivery's picking and goods-issue functions
answer ``Collection(PickingReport)``, the billing document's ``Cancel`` answers
``Collection(CancelResult)`` and ``GetPDF`` (a ``GET``) one ``GetPDFResult``; none of them
answers the document itself.
"""

from __future__ import annotations

from erp_sandbox.odata.edm import ComplexType, EdmType, Property, decimal, string


def _messages(*names: str) -> tuple[Property, ...]:
    lengths = {
        "SystemMessageIdentification": 20,
        "SystemMessageNumber": 3,
        "SystemMessageType": 1,
        "SystemMessageText": 256,
    }
    return tuple(string(name, lengths.get(name, 50), nullable=False) for name in names)


_VARIABLES = tuple(f"SystemMessageVariable{n}" for n in range(1, 5))

PICKING_REPORT = ComplexType(
    "PickingReport",
    (
        *_messages("SystemMessageIdentification", "SystemMessageNumber", "SystemMessageType"),
        *_messages(*_VARIABLES),
        string("Batch", 10),
        string("DeliveryQuantityUnit", 3),
        decimal("ActualDeliveryQuantity", 13, 3),
        string("DeliveryDocumentItemText", 40, display_format=None),
        string("Material", 40),
        string("DeliveryDocumentItem", 6),
        string("DeliveryDocument", 10),
    ),
)
"""One message of ``PickAllItems``/``PostGoodsIssue`` (per delivery item, or for all)."""

CANCEL_RESULT = ComplexType(
    "CancelResult",
    (
        string("BillingDocument", 10, nullable=False),
        string("CancellationBillingDocument", 10, nullable=False),
        *_messages(
            "SystemMessageType",
            "SystemMessageIdentification",
            "SystemMessageNumber",
            "SystemMessageText",
            *_VARIABLES,
        ),
    ),
)
"""One message of ``Cancel`` of a billing document."""

GET_PDF_RESULT = ComplexType(
    "GetPDFResult", (Property("BillingDocumentBinary", EdmType.STRING, nullable=False),)
)
"""The billing document's output as a PDF, base64-encoded."""
