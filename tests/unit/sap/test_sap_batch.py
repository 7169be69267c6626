"""Building a ``$batch`` of reads and reading SAP's multipart answer back."""

from __future__ import annotations

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest

from system_apis.sap.batch import MalformedBatch, batch_answers, batch_body
from tests.unit.sap.scripted_batch import batch_answer

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
