"""The function imports of the sandbox and what they answer, as SAP's metadata declares.

``PickAllItems`` and ``PostGoodsIssue`` of a delivery answer a collection of
``PickingReport`` messages, ``Cancel`` of a billing document a collection of
``CancelResult``, ``GetPDF`` one ``GetPDFResult`` (see :mod:`erp_sandbox.sap.schema_functions`);
none answers the document, so a client reads it again for its new state and ETag.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_sandbox.odata.edm import ComplexType, Service
from erp_sandbox.odata.errors import ODataError, bad_request, not_found
from erp_sandbox.odata.tokens import parse_literal
from erp_sandbox.sap.billing import BILLING_DOCUMENTS, cancel_billing_document
from erp_sandbox.sap.operations import METHOD_NOT_ALLOWED, json_response, sap_message
from erp_sandbox.sap.records import require
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.shipping import pick_all_items, post_goods_issue


def _document_parameter(request: Request, name: str) -> str:
    raw = request.query_params.get(name)
    if raw is None:
        raise bad_request(f"Parameter '{name}' of the function import is missing")
    literal = parse_literal(raw)
    if literal.kind != "string" or not literal.value:
        raise bad_request(f"Parameter '{name}' must be a string literal such as '80000000'")
    value = str(literal.value)
    return (value.lstrip("0") or "0") if value.isdigit() else value


def _typed(service: Service, complex_type: ComplexType, values: dict[str, Any]) -> dict[str, Any]:
    """An instance of ``complex_type``: every property (empty when not given), in order."""
    record: dict[str, Any] = {"__metadata": {"type": f"{service.name}.{complex_type.name}"}}
    for prop in complex_type.properties:
        record[prop.name] = values.get(prop.name, "")
    return record


def _message(code: str, variable: str) -> dict[str, str]:
    area, number = code.split("/")
    return {
        "SystemMessageIdentification": area,
        "SystemMessageNumber": number,
        "SystemMessageType": "S",
        "SystemMessageVariable1": variable,
    }


def _pdf(document: str) -> bytes:
    """A one-page PDF naming the billing document (the sandbox prints no real output)."""
    text = f"Billing document {document}".encode("latin-1")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return body + trailer.encode()


def call_function(request: Request, sandbox: Sandbox, service: Service, name: str) -> Response:
    """``PickAllItems``/``PostGoodsIssue`` of a delivery, ``Cancel``/``GetPDF`` of a billing
    document, answered with the complex type SAP declares for each."""
    function = service.function(name)
    if function is None or function.returns is None:
        raise not_found(name)
    if request.method != function.http_method:
        raise ODataError(
            405, METHOD_NOT_ALLOWED, f"Function import '{name}' needs {function.http_method}"
        )
    now = sandbox.now()
    if_match = request.headers.get("If-Match")
    if name in ("PickAllItems", "PostGoodsIssue"):
        delivery = _document_parameter(request, "DeliveryDocument")
        with sandbox.store.write() as tx:
            if name == "PickAllItems":
                pick_all_items(tx, delivery, if_match, now)
            else:
                post_goods_issue(tx, delivery, if_match, now)
        code, text = "VL/311", f"Outbound Delivery {delivery} has been saved"
        values = {**_message(code, delivery), "DeliveryDocument": delivery}
    elif name == "Cancel":
        document = _document_parameter(request, "BillingDocument")
        with sandbox.store.write() as tx:
            cancel_billing_document(tx, document, now)
        code, text = "VF/311", f"Document {document} has been cancelled"
        values = {
            **_message(code, document),
            "BillingDocument": document,
            "SystemMessageText": text,
        }
    else:
        document = _document_parameter(request, "BillingDocument")
        with sandbox.store.read() as tx:
            require(tx, BILLING_DOCUMENTS, document)
        binary = base64.b64encode(_pdf(document)).decode("ascii")
        record = _typed(service, function.returns, {"BillingDocumentBinary": binary})
        return json_response({"d": {name: record}})
    results = [_typed(service, function.returns, values)]
    return json_response(
        {"d": {"results": results}}, headers={"sap-message": sap_message(code, text)}
    )
