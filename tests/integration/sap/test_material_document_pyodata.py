"""SAP's own OData client (pyodata) posts and reads material documents on the sandbox over HTTP.

pyodata builds its model from the sandbox's ``$metadata``, so this checks the EDMX of
API_MATERIAL_DOCUMENT_SRV (keys, Edm.Time, the composition to the items) as a real client reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pyodata
import pytest
import requests
from pyodata.v2.service import HttpError

from erp_sandbox.sap import Sandbox, SandboxSettings
from tests.integration.sandbox.support import ANCHOR, PASSWORD, USER
from tests.integration.sandbox.test_pyodata_client import ROOT, ServerThread

pytestmark = pytest.mark.integration

SERVICE = "API_MATERIAL_DOCUMENT_SRV"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    running = ServerThread(SandboxSettings(seed_anchor=ANCHOR))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def client(server: ServerThread) -> Iterator[pyodata.Client]:
    with requests.Session() as session:
        session.auth = (USER, PASSWORD)
        fetched = session.head(f"{server.url}{ROOT}/{SERVICE}/", headers={"X-CSRF-Token": "Fetch"})
        session.headers["X-CSRF-Token"] = fetched.headers["x-csrf-token"]
        yield pyodata.Client(f"{server.url}{ROOT}/{SERVICE}/", session)


def test_pyodata_reads_the_material_document_model(client: pyodata.Client) -> None:
    header = client.schema.entity_type("A_MaterialDocumentHeaderType")
    assert [key.name for key in header.key_proprties] == [
        "MaterialDocumentYear",
        "MaterialDocument",
    ]
    assert header.proprty("CreationTime").typ.name == "Edm.Time"
    assert header.proprty("MaterialDocumentHeaderText").max_length == 25
    assert header.nav_proprty("to_MaterialDocumentItem").to_role.multiplicity == "*"
    item = client.schema.entity_type("A_MaterialDocumentItemType")
    assert item.proprty("QuantityInEntryUnit").typ.name == "Edm.Decimal"


def test_pyodata_posts_a_receipt_and_reads_it_back_by_header_text(
    server: ServerThread, client: pyodata.Client
) -> None:
    sandbox: Sandbox = server.app.state.sandbox
    before = sandbox.stock("TG11", "1010", "0001")
    text = f"py-{uuid.uuid4().hex[:12]}"
    created = (
        client.entity_sets.A_MaterialDocumentHeader.create_entity()
        .set(
            GoodsMovementCode="05",
            MaterialDocumentHeaderText=text,
            to_MaterialDocumentItem=[
                {
                    "Material": "TG11",
                    "Plant": "1010",
                    "StorageLocation": "0001",
                    "GoodsMovementType": "501",
                    "QuantityInEntryUnit": "3",
                    "EntryUnit": "PC",
                }
            ],
        )
        .execute()
    )
    assert created.MaterialDocument.startswith("49")
    assert sandbox.stock("TG11", "1010", "0001") == before + 3

    [found] = (
        client.entity_sets.A_MaterialDocumentHeader.get_entities()
        .filter(f"MaterialDocumentHeaderText eq '{text}'")
        .expand("to_MaterialDocumentItem")
        .execute()
    )
    assert found.MaterialDocument == created.MaterialDocument
    assert found.CreationTime is not None
    [item] = found.to_MaterialDocumentItem
    assert (item.Material, item.GoodsMovementType, Decimal(item.QuantityInBaseUnit)) == (
        "TG11",
        "501",
        Decimal(3),
    )


def test_pyodata_sees_the_stock_deficit_error(server: ServerThread, client: pyodata.Client) -> None:
    sandbox: Sandbox = server.app.state.sandbox
    before = sandbox.stock("TG11", "1010", "0001")
    with pytest.raises(HttpError) as raised:
        (
            client.entity_sets.A_MaterialDocumentHeader.create_entity()
            .set(
                GoodsMovementCode="03",
                to_MaterialDocumentItem=[
                    {
                        "Material": "TG11",
                        "Plant": "1010",
                        "StorageLocation": "0001",
                        "GoodsMovementType": "551",
                        "QuantityInEntryUnit": str(before + 1),
                    }
                ],
            )
            .execute()
        )
    assert raised.value.response.status_code == 400
    assert raised.value.response.json()["error"]["code"] == "M7/021"
    assert sandbox.stock("TG11", "1010", "0001") == before
