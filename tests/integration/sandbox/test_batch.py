"""``$batch``: retrieve parts, all-or-nothing changesets, CSRF, and the URL length limit."""

from __future__ import annotations

import httpx

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.batch_support import (
    PartAnswer,
    batch_body,
    changeset,
    parse_answer,
    request_part,
)
from tests.integration.sandbox.support import PRODUCT, SO, fetch_token, order_body, sap_error

BATCH = "batch_6a1f"
CHANGESET = "changeset_77c2"
HEADERS = {"Content-Type": f"multipart/mixed; boundary={BATCH}"}


async def test_reads_in_a_batch_answer_as_the_same_reads_sent_alone(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    targets = [
        "A_Product?$filter=Product%20eq%20'TG11'%20or%20Product%20eq%20'FG19'&$orderby=Product",
        "A_Product('TG12')?$select=Product,ProductGroup",
        "A_Product?$top=3&$skip=1&$inlinecount=allpages&$orderby=Product",
    ]
    before = sandbox.request_count
    response = await client.post(
        f"{PRODUCT}/$batch",
        content=batch_body(BATCH, *(request_part("GET", target) for target in targets)),
        headers=HEADERS,
    )
    assert sandbox.request_count == before + 1, "one round trip"
    answers = parse_answer(response)
    assert len(answers) == len(targets)
    for target, answer in zip(targets, answers, strict=True):
        assert isinstance(answer, PartAnswer)
        alone = await client.get(f"{PRODUCT}/{target}")
        assert answer.status == alone.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json() == alone.json()
    first = answers[0]
    assert isinstance(first, PartAnswer)
    assert [p["Product"] for p in first.json()["d"]["results"]] == ["FG19", "TG11"]


async def test_a_failed_read_answers_its_own_error_and_the_others_still_answer(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"{PRODUCT}/$batch",
        content=batch_body(
            BATCH,
            request_part("GET", "A_Product('NOPE')"),
            request_part("GET", "A_Product('TG11')"),
        ),
        headers=HEADERS,
    )
    missing, found = parse_answer(response)
    assert isinstance(missing, PartAnswer)
    assert isinstance(found, PartAnswer)
    assert missing.status == 404
    assert missing.json()["error"]["code"]
    assert found.status == 200
    assert found.json()["d"]["Product"] == "TG11"


async def test_a_changeset_with_one_bad_operation_changes_nothing(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    orders = sandbox.count("A_SalesOrder")
    items = sandbox.count("A_SalesOrderItem")
    response = await writer.post(
        f"{SO}/$batch",
        content=batch_body(
            BATCH,
            changeset(
                CHANGESET,
                request_part("POST", "A_SalesOrder", order_body(TG11="1")),
                request_part("POST", "A_SalesOrder", order_body(NOPE="1")),
            ),
            request_part("GET", "A_SalesOrder?$top=1"),
        ),
        headers=HEADERS,
    )
    failed, read = parse_answer(response)
    assert isinstance(failed, PartAnswer), "a failed changeset answers one response"
    assert failed.status == 400
    assert failed.json()["error"]["message"]["value"]
    assert isinstance(read, PartAnswer)
    assert read.status == 200
    assert sandbox.count("A_SalesOrder") == orders
    assert sandbox.count("A_SalesOrderItem") == items
    created = await writer.post(f"{SO}/A_SalesOrder", json=order_body(TG11="1"))
    assert created.json()["d"]["SalesOrder"] == "31", "the rolled-back number is not used up"


async def test_a_changeset_applies_every_operation_and_may_name_an_earlier_one(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    orders = sandbox.count("A_SalesOrder")
    response = await writer.post(
        f"{SO}/$batch",
        content=batch_body(
            BATCH,
            changeset(
                CHANGESET,
                request_part("POST", "A_SalesOrder", order_body(TG11="1"), content_id="1"),
                request_part(
                    "PATCH",
                    "$1",
                    {"PurchaseOrderByCustomer": "BATCHED"},
                    content_id="2",
                    If_Match="*",
                ),
                request_part("POST", "A_SalesOrder", order_body(FG19="2")),
            ),
        ),
        headers=HEADERS,
    )
    (answers,) = parse_answer(response)
    assert isinstance(answers, list)
    assert [a.status for a in answers] == [201, 204, 201]
    assert [a.content_id for a in answers] == ["1", "2", None]
    assert sandbox.count("A_SalesOrder") == orders + 2
    number = answers[0].json()["d"]["SalesOrder"]
    order = await writer.get(f"{SO}/A_SalesOrder('{number}')")
    assert order.json()["d"]["PurchaseOrderByCustomer"] == "BATCHED"


async def test_a_changeset_needs_the_csrf_token_but_reads_do_not(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    orders = sandbox.count("A_SalesOrder")
    body = batch_body(
        BATCH, changeset(CHANGESET, request_part("POST", "A_SalesOrder", order_body(TG11="1")))
    )
    refused = await client.post(f"{SO}/$batch", content=body, headers=HEADERS)
    assert refused.status_code == 403
    assert refused.headers["x-csrf-token"] == "Required"
    assert sandbox.count("A_SalesOrder") == orders
    reads = await client.post(
        f"{SO}/$batch",
        content=batch_body(BATCH, request_part("GET", "A_SalesOrder?$top=1")),
        headers=HEADERS,
    )
    assert reads.status_code == 202
    token = await fetch_token(client)
    accepted = await client.post(
        f"{SO}/$batch", content=body, headers={**HEADERS, "X-CSRF-Token": token}
    )
    (answers,) = parse_answer(accepted)
    assert isinstance(answers, list)
    assert [a.status for a in answers] == [201]
    assert sandbox.count("A_SalesOrder") == orders + 1


async def test_malformed_batches_are_refused(writer: httpx.AsyncClient) -> None:
    not_multipart = await writer.post(
        f"{SO}/$batch", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert not_multipart.status_code == 400
    sap_error(not_multipart)
    write_outside = await writer.post(
        f"{SO}/$batch",
        content=batch_body(BATCH, request_part("POST", "A_SalesOrder", order_body(TG11="1"))),
        headers=HEADERS,
    )
    assert write_outside.status_code == 400
    read_inside = await writer.post(
        f"{SO}/$batch",
        content=batch_body(BATCH, changeset(CHANGESET, request_part("GET", "A_SalesOrder"))),
        headers=HEADERS,
    )
    assert read_inside.status_code == 400
    assert (await writer.get(f"{SO}/$batch")).status_code == 405


async def test_urls_longer_than_the_limit_are_refused_but_fit_in_a_batch(
    client: httpx.AsyncClient,
) -> None:
    keys = [f"P{n:05d}" for n in range(400)] + ["TG11"]
    condition = "%20or%20".join(f"Product%20eq%20'{key}'" for key in keys)
    target = f"A_Product?$filter={condition}&$select=Product"
    assert len(target) > 8192
    too_long = await client.get(f"{PRODUCT}/{target}")
    assert too_long.status_code == 414
    response = await client.post(
        f"{PRODUCT}/$batch", content=batch_body(BATCH, request_part("GET", target)), headers=HEADERS
    )
    (answer,) = parse_answer(response)
    assert isinstance(answer, PartAnswer)
    assert answer.status == 200
    assert [p["Product"] for p in answer.json()["d"]["results"]] == ["TG11"]
