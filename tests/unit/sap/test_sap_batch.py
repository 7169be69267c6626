"""Building a ``$batch`` of reads and reading SAP's multipart answer back."""

from __future__ import annotations

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest

from system_apis.sap.batch import (
    MalformedBatch,
    Write,
    batch_answers,
    batch_body,
    changeset_answers,
    changeset_body,
)
from tests.unit.sap.scripted_batch import batch_answer, changeset_answer, changeset_requests

ROOT = "https://s4.example.com/sap/opu/odata/sap/API_PRODUCT_SRV/"


def test_the_body_holds_one_application_http_get_per_read_in_order() -> None:
    targets = ["A_Product?$filter=Product%20eq%20'A'&$format=json", "A_Product('B')?$format=json"]
    body = batch_body("batch_1", targets)
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: multipart/mixed; boundary=batch_1\r\n\r\n" + body
    )
    assert isinstance(message, EmailMessage)
    assert not message.defects
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["application/http"] * 2
    assert [p["Content-Transfer-Encoding"] for p in parts] == ["binary"] * 2
    lines = [p.get_payload(decode=True).split(b"\r\n")[0] for p in parts]  # type: ignore[union-attr]
    assert lines == [f"GET {t} HTTP/1.1".encode() for t in targets]


def test_answers_come_back_one_per_read_with_their_own_status_and_body() -> None:
    requests = [httpx.Request("GET", ROOT + "A_Product('A')"), httpx.Request("GET", ROOT + "X")]
    found = httpx.Response(200, json={"d": {"Product": "Ä"}})
    missing = httpx.Response(404, json={"error": {"code": "X/1", "message": {"value": "no"}}})
    answers = batch_answers(batch_answer([found, missing]), requests)
    assert [a.status_code for a in answers] == [200, 404]
    assert answers[0].json() == {"d": {"Product": "Ä"}}
    assert answers[1].json()["error"]["code"] == "X/1"
    assert answers[0].request is requests[0]


def test_an_answer_that_does_not_match_the_reads_is_malformed() -> None:
    requests = [httpx.Request("GET", ROOT + "A"), httpx.Request("GET", ROOT + "B")]
    one = batch_answer([httpx.Response(200, json={"d": {}})])
    with pytest.raises(MalformedBatch, match="1 answers to 2 requests"):
        batch_answers(one, requests)
    with pytest.raises(MalformedBatch, match="not multipart"):
        batch_answers(httpx.Response(200, json={"d": {}}), requests)


ITEM = "A_SalesOrderItem(SalesOrder='1',SalesOrderItem='{}')"
WRITES = [
    Write("PATCH", ITEM.format(10), {"SalesDocumentRjcnReason": "50"}),
    Write("MERGE", ITEM.format(20), {"Text": "Grüße"}, {"If-Match": 'W/"1"'}),
]


def test_a_changeset_holds_each_write_with_its_content_id_headers_and_body() -> None:
    body = changeset_body("batch_1", "changeset_2", WRITES)
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: multipart/mixed; boundary=batch_1\r\n\r\n" + body
    )
    assert isinstance(message, EmailMessage)
    assert not message.defects
    (changeset,) = message.iter_parts()
    assert changeset.get_content_type() == "multipart/mixed"
    assert changeset.get_boundary() == "changeset_2"
    assert [p["Content-ID"] for p in changeset.iter_parts()] == ["1", "2"]

    batch = httpx.Request(
        "POST",
        ROOT + "$batch",
        headers={"Content-Type": "multipart/mixed; boundary=batch_1"},
        content=body,
    )
    sent = changeset_requests(batch)
    assert [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in sent] == [
        ("PATCH", ITEM.format(10)),
        ("MERGE", ITEM.format(20)),
    ]
    assert [r.content for r in sent] == [
        b'{"SalesDocumentRjcnReason": "50"}',
        b'{"Text": "Gr\\u00fc\\u00dfe"}',
    ]
    assert all(r.headers["Content-Type"] == "application/json" for r in sent)
    assert "If-Match" not in sent[0].headers
    assert sent[1].headers["If-Match"] == 'W/"1"'


def test_a_changeset_that_went_through_answers_once_per_write() -> None:
    requests = [httpx.Request(w.method, ROOT + w.target) for w in WRITES]
    answers = changeset_answers(
        changeset_answer([httpx.Response(204), httpx.Response(204)]), requests
    )
    assert [a.status_code for a in answers] == [204, 204]
    assert [a.request for a in answers] == requests


def test_a_refused_changeset_answers_with_the_one_error() -> None:
    requests = [httpx.Request(w.method, ROOT + w.target) for w in WRITES]
    refusal = httpx.Response(400, json={"error": {"code": "V1/377", "message": {"value": "no"}}})
    (answer,) = changeset_answers(changeset_answer([httpx.Response(204), refusal]), requests)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "V1/377"


def test_a_changeset_answer_that_does_not_match_the_writes_is_malformed() -> None:
    requests = [httpx.Request(w.method, ROOT + w.target) for w in WRITES]
    with pytest.raises(MalformedBatch, match="1 answers to 2 writes"):
        changeset_answers(changeset_answer([httpx.Response(204)]), requests)
    with pytest.raises(MalformedBatch, match="answered by one 204"):
        changeset_answers(batch_answer([httpx.Response(204)]), requests)
    with pytest.raises(MalformedBatch, match="2 answers to one changeset"):
        changeset_answers(batch_answer([httpx.Response(204)] * 2), requests)
