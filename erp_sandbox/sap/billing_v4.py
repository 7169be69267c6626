"""The OData v4 billing document API's ``CreateFromSDDocument`` action.

S/4HANA creates billing documents through the OData v4 service ``api_billingdocument``
(``/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001/``); the OData
v2 ``API_BILLING_DOCUMENT_SRV`` only reads, cancels and prints them. The sandbox serves:

* ``GET <root>/``: the service document (``X-CSRF-Token: Fetch`` hands out a token, as on v2);
* ``GET <root>/$metadata``: the CSDL of the action and the entity type it answers;
* ``POST <root>/BillingDocument/SAP__self.CreateFromSDDocument`` with
  ``{"_Control": {...}, "_Reference": [{"SDDocument": "80000000"}, ...]}``: bills what is due
  of the referenced outbound deliveries in one billing document and answers
  ``{"value": [<billing document>]}`` (see :mod:`erp_sandbox.sap.billing`).

Errors are answered in OData v4's shape, ``{"error": {"code", "message", "details"}}``.
Authentication and CSRF tokens are those of the v2 services; faults are not injected here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.odata.values import timestamp_etag
from erp_sandbox.sap.billing import create_from_sd_document
from erp_sandbox.sap.gateway import check_csrf, unauthorized
from erp_sandbox.sap.sandbox import Sandbox

ROOT = "/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001/"
ACTION = "BillingDocument/SAP__self.CreateFromSDDocument"
JSON_TYPE = "application/json;odata.metadata=minimal;charset=utf-8"
NAMESPACE = "com.sap.gateway.srvd_a2x.api_billingdocument.v0001"

FIELDS = (
    "BillingDocument",
    "BillingDocumentType",
    "SDDocumentCategory",
    "BillingDocumentDate",
    "SoldToParty",
    "TotalNetAmount",
    "TaxAmount",
    "TotalGrossAmount",
    "TransactionCurrency",
    "CompanyCode",
    "LastChangeDateTime",
)

_EDM = {
    "BillingDocumentDate": "Edm.Date",
    "LastChangeDateTime": "Edm.DateTimeOffset",
    "TotalNetAmount": "Edm.Decimal",
    "TaxAmount": "Edm.Decimal",
    "TotalGrossAmount": "Edm.Decimal",
}

CONTROL_TYPE = "D_BillgDocCrteFrmSDDocCtrlPP"
CONTROL: dict[str, tuple[str, int | None]] = {
    "DefaultBillingDocumentDate": ("Edm.Date", None),
    "DefaultBillingDocumentType": ("Edm.String", 4),
    "AutomPostingToAcctgIsDisabled": ("Edm.Boolean", None),
    "CutOffBillingDocumentDate": ("Edm.Date", None),
}
"""``_Control``: its properties, EDM types and lengths, as SAP's service model declares."""

REFERENCE_TYPE = "D_BillgDocCrteFrmSDDocRefPP"
REFERENCE: dict[str, tuple[str, int | None]] = {
    "SDDocument": ("Edm.String", 10),
    "BillingDocumentType": ("Edm.String", 4),
    "BillingDocumentDate": ("Edm.Date", None),
    "DestinationCountry": ("Edm.String", 3),
    "SalesOrganization": ("Edm.String", 4),
    "SDDocumentCategory": ("Edm.String", 4),
}
"""One ``_Reference`` entry, as SAP's service model declares it."""


def _complex_type(name: str, properties: dict[str, tuple[str, int | None]]) -> str:
    declared = "".join(
        f'<Property Name="{prop}" Type="{edm}"'
        + (f' MaxLength="{length}"' if length else "")
        + "/>"
        for prop, (edm, length) in properties.items()
    )
    return f'<ComplexType Name="{name}">{declared}</ComplexType>'


def _check(value: Any, where: str, properties: dict[str, tuple[str, int | None]]) -> None:
    """400 for what an OData v4 service refuses in a complex-typed parameter: a property the
    type does not declare, or a value not of its type (string too long, date not a date)."""
    if not isinstance(value, dict):
        raise _invalid(f"'{where}' must be a JSON object")
    for prop, given in value.items():
        if prop not in properties:
            raise _invalid(f"Property '{prop}' is not defined in '{where}'")
        if given is None:
            continue
        edm, length = properties[prop]
        if edm == "Edm.Boolean" and not isinstance(given, bool):
            raise _invalid(f"'{where}/{prop}' must be true or false")
        if edm == "Edm.String" and (not isinstance(given, str) or len(given) > (length or 0)):
            raise _invalid(f"'{where}/{prop}' must be a string of at most {length} characters")
        if edm == "Edm.Date":
            try:
                date.fromisoformat(given if isinstance(given, str) and len(given) == 10 else "")
            except ValueError:
                raise _invalid(f"'{where}/{prop}' must be a date such as 2024-06-03") from None


METADATA = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
    "<edmx:DataServices>"
    f'<Schema Namespace="{NAMESPACE}" Alias="SAP__self" '
    'xmlns="http://docs.oasis-open.org/odata/ns/edm">'
    '<EntityType Name="BillingDocumentType"><Key><PropertyRef Name="BillingDocument"/></Key>'
    + "".join(
        f'<Property Name="{name}" Type="{_EDM.get(name, "Edm.String")}"'
        + (' Nullable="false"/>' if name == "BillingDocument" else "/>")
        for name in FIELDS
    )
    + "</EntityType>"
    + _complex_type(CONTROL_TYPE, CONTROL)
    + _complex_type(REFERENCE_TYPE, REFERENCE)
    + '<Action Name="CreateFromSDDocument" IsBound="true">'
    '<Parameter Name="_it" Type="Collection(SAP__self.BillingDocumentType)" Nullable="false"/>'
    f'<Parameter Name="_Control" Type="SAP__self.{CONTROL_TYPE}" Nullable="false"/>'
    f'<Parameter Name="_Reference" Type="Collection(SAP__self.{REFERENCE_TYPE})" '
    'Nullable="false"/>'
    '<ReturnType Type="Collection(SAP__self.BillingDocumentType)" Nullable="false"/>'
    "</Action>"
    '<EntityContainer Name="Container">'
    '<EntitySet Name="BillingDocument" EntityType="SAP__self.BillingDocumentType"/>'
    "</EntityContainer>"
    "</Schema></edmx:DataServices></edmx:Edmx>"
)
"""The part of the service's CSDL the sandbox implements."""


def _answer(document: Any, status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, {"odata-version": "4.0"}, media_type=JSON_TYPE)


def _error(error: ODataError) -> Response:
    details = [
        {"code": detail.code, "message": detail.message, "target": detail.target}
        for detail in error.details
    ]
    body = {"error": {"code": error.code, "message": error.message, "details": details}}
    if error.target:
        body["error"]["target"] = error.target
    response = _answer(body, error.status)
    response.headers.update(error.headers)
    return response


def _invalid(message: str) -> ODataError:
    return ODataError(400, "/IWBEP/CX_GATEWAY/004", message)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # as SAP writes Edm.Decimal for IEEE754Compatible clients
    return value


def billing_document_v4(row: Row) -> dict[str, Any]:
    """A billing document header in OData v4 JSON, with its ``@odata.etag``."""
    entity: dict[str, Any] = {"@odata.etag": timestamp_etag(row["LastChangeDateTime"])}
    entity.update({name: _value(row[name]) for name in FIELDS})
    return entity


def references_of(document: dict[str, Any]) -> list[str]:
    """The SD documents of the action's ``_Reference`` (leading zeros dropped); 400 if none."""
    if "_Control" not in document:
        raise _invalid("Parameter '_Control' of action CreateFromSDDocument is missing")
    unknown = sorted(set(document) - {"_Control", "_Reference"})
    if unknown:
        raise _invalid(f"Action CreateFromSDDocument has no parameter '{unknown[0]}'")
    _check(document["_Control"], "_Control", CONTROL)
    raw = document.get("_Reference")
    if not isinstance(raw, list) or not raw:
        raise _invalid("Parameter '_Reference' of action CreateFromSDDocument is missing")
    references: list[str] = []
    for entry in raw:
        _check(entry, "_Reference", REFERENCE)
        number = entry.get("SDDocument") if isinstance(entry, dict) else None
        if not isinstance(number, str) or not number.strip():
            raise _invalid("Every '_Reference' entry needs an 'SDDocument'")
        value = number.strip()
        references.append((value.lstrip("0") or "0") if value.isdigit() else value)
    return list(dict.fromkeys(references))


async def _dispatch(request: Request, sandbox: Sandbox, rest: str, method: str) -> Response:
    if rest == "":
        if method not in ("GET", "HEAD"):
            raise ODataError(405, "/IWBEP/CX_GATEWAY/405", f"Method '{method}' not allowed")
        sets = [{"name": "BillingDocument", "url": "BillingDocument"}]
        return _answer({"@odata.context": "$metadata", "value": sets})
    if rest == "$metadata" and method in ("GET", "HEAD"):
        return Response(METADATA, headers={"odata-version": "4.0"}, media_type="application/xml")
    if rest != ACTION:
        raise ODataError(404, "/IWBEP/CX_GATEWAY/404", f"Resource '{rest}' not found")
    if method != "POST":
        raise ODataError(405, "/IWBEP/CX_GATEWAY/405", "Actions are invoked with POST")
    try:
        document = json.loads(await request.body() or b"{}")
    except ValueError:
        raise _invalid("The request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise _invalid("The request body must be a JSON object")
    references = references_of(document)
    with sandbox.store.write() as tx:
        header = create_from_sd_document(tx, references, sandbox.now())
    created = [billing_document_v4(header)]
    return _answer({"@odata.context": "../$metadata#BillingDocument", "value": created})


async def billing_v4_endpoint(request: Request) -> Response:
    """Answer one request under :data:`ROOT`."""
    sandbox: Sandbox = request.app.state.sandbox
    sandbox.count_request(request.headers.get("traceparent"))
    raw = request.scope.get("raw_path") or request.url.path.encode()
    rest = unquote(raw.decode("latin-1").split("?", 1)[0][len(ROOT) :])
    try:
        settings = sandbox.settings
        if not credentials_match(
            request.headers.get("authorization"), settings.username, settings.password
        ):
            raise unauthorized(sandbox)
        method = request.method
        csrf_headers = check_csrf(request, sandbox, method)
        response = await _dispatch(request, sandbox, rest, method)
    except ODataError as error:
        return _error(error)
    for name, value in csrf_headers:
        response.headers.append(name, value)
    if request.method == "HEAD":
        response.body = b""
    return response
