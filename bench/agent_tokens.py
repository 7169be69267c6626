"""What an agent's questions cost in tokens: raw ERP OData vs. GraphQL JSON vs. MCP answer.

The gateway runs in process (local mode) over its embedded SAP sandbox. For each question
it prints the o200k_base tokens of

  (a) the raw ERP responses a direct integration would fetch: the SAP OData v2 requests a
      careful integrator makes ($select of only the needed properties, $expand instead of
      extra round trips, $filter server-side, JSON format), read from the sandbox's own
      OData API;
  (b) the GraphQL JSON answer of the operation behind the MCP tool, asked with the schema's
      own field names (the tool's aliases taken out), as /graphql returns it;
  (c) the MCP tool result (the text the model reads), as /mcp returns it,

and the ratios; targets: (c) <= (a)/10 and (c) <= (b)/2 on every question. Exit code 1
when a target is missed.

    .venv/bin/python bench/agent_tokens.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from graphql import FieldNode, Visitor, parse, print_ast, visit

from erp_sandbox.sap.billing import create_from_sd_document
from erp_sandbox.sap.orders import create_sales_order, order_items
from erp_sandbox.sap.shipping import create_delivery, pick_all_items, post_goods_issue
from experience_api.app import create_app
from experience_api.mcp.operations import builtin_folder
from experience_api.mcp.tokens import o200k
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings
from system_apis.sap import people, queries
from system_apis.sap.mapping import selects

ODATA = "/sap/opu/odata/sap"
SF_ODATA = "/odata"  # SuccessFactors, a system of its own with its own user
WIDTHS = (9, 11, 8, 6, 5)
LOOPBACK = ("127.0.0.1", 50000)


@dataclass(frozen=True)
class Question:
    text: str
    tool: str
    arguments: dict[str, Any]
    odata: list[tuple[str, dict[str, str]]]
    """(service/entity path, query) of each request a direct integration makes."""


def _header(select: tuple[str, ...]) -> str:
    return ",".join(s for s in select if "/" not in s)


def questions(
    order: str, delivery: str, invoice: str, company: str, users: list[str]
) -> list[Question]:
    so, bd, od = queries.SALES_ORDER, queries.BILLING_DOCUMENT, queries.OUTBOUND_DELIVERY
    employees = people.employee_read(frozenset())
    return [
        Question(
            "stock of product TG11 across plants",
            "stock_availability",
            {"sku": "TG11"},
            [
                (
                    f"{queries.MATERIAL_STOCK}/A_MatlStkInAcctMod",
                    {"$filter": "Material eq 'TG11'", "$select": ",".join(selects.STOCK_SELECT)},
                )
            ],
        ),
        Question(
            "open orders of customer 10100004 with amounts and status",
            "customer_orders",
            {"customerId": "EU01:10100004"},
            [
                (
                    f"{so}/A_SalesOrder",
                    {
                        "$filter": "SoldToParty eq '10100004'"
                        " and OverallOrdReltdBillgStatus ne 'C'",
                        "$select": _header(selects.SALES_ORDER_SELECT),
                        "$orderby": "SalesOrderDate desc",
                    },
                )
            ],
        ),
        Question(
            f"order {order} with its lines, delivery and invoice",
            "order_status",
            {"orderId": f"EU01:{order}"},
            [
                (
                    f"{so}/A_SalesOrder('{order}')",
                    {"$select": ",".join(selects.SALES_ORDER_SELECT), "$expand": "to_Item"},
                ),
                (
                    f"{od}/A_OutbDeliveryHeader('{delivery}')",
                    {
                        "$select": ",".join(selects.DELIVERY_SELECT),
                        "$expand": "to_DeliveryDocumentItem",
                    },
                ),
                (
                    f"{bd}/A_BillingDocument('{invoice}')",
                    {"$select": _header(selects.BILLING_DOCUMENT_SELECT)},
                ),
            ],
        ),
        Question(
            "overdue invoices of customer 10100021",
            "customer_invoices",
            {"customerId": "EU01:10100021", "status": "overdue"},
            [
                (
                    f"{bd}/A_BillingDocument",
                    {
                        "$filter": "SoldToParty eq '10100021' and InvoiceClearingStatus ne 'C'",
                        "$select": _header(selects.BILLING_DOCUMENT_SELECT),
                    },
                )
            ],
        ),
        Question(
            f"employees of company {company}, without pay data",
            "find_employees",
            {"company": company},
            [
                (
                    f"{SF_ODATA}/{people.EMPLOYEE_SERVICE}/EmpJob",
                    {"$filter": f"company eq '{company}'", "$select": "userId"},
                ),
                (
                    f"{SF_ODATA}/{people.EMPLOYEE_SERVICE}/{people.EMPLOYMENT_SET}",
                    {
                        "$filter": " or ".join(f"userId eq '{u}'" for u in users),
                        "$select": ",".join(employees.select),
                        "$expand": ",".join(employees.expand),
                    },
                ),
            ],
        ),
    ]


def document(tool: str) -> str:
    return (builtin_folder() / f"{tool}.graphql").read_text(encoding="utf-8")


def unaliased(text: str) -> str:
    """The tool's operation with the schema's own field names, as a GraphQL client asks."""
    return print_ast(visit(parse(text), _NoAliases()))


class _NoAliases(Visitor):
    def leave_field(self, node: FieldNode, *_: Any) -> FieldNode:
        return FieldNode(
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=node.selection_set,
        )


async def measure(
    gateway: httpx.AsyncClient, sap: httpx.AsyncClient, sf: httpx.AsyncClient, q: Question
) -> tuple[int, int, int]:
    raw = 0
    for path, params in q.odata:
        erp, url = (sf, path) if path.startswith(f"{SF_ODATA}/") else (sap, f"{ODATA}/{path}")
        response = await erp.get(url, params={**params, "$format": "json"})
        response.raise_for_status()
        raw += o200k(response.text)
    variables = {k: v for k, v in q.arguments.items() if k != "status"}
    answer = await gateway.post(
        "/graphql", json={"query": unaliased(document(q.tool)), "variables": variables}
    )
    assert "errors" not in answer.json(), answer.text
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": q.tool, "arguments": q.arguments}}  # fmt: skip
    result = await gateway.post(
        "/mcp", json=call, headers={"Accept": "application/json, text/event-stream"}
    )
    body = result.json()["result"]
    assert not body["isError"], body
    text = "\n".join(block["text"] for block in body["content"])
    if "-v" in sys.argv:
        print(f"--- {q.tool}\n{text}\n{answer.text}")
    return raw, o200k(answer.text), o200k(text)


async def main() -> int:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        add_history(app.state.gateway.sandboxes["EU01"].state.sandbox)
        token = load_or_create_dev_key(settings.data_dir).issue(
            audience="erp-gateway",
            subject="bench",
            roles=("sales", "finance", "hr"),
            companies=("*",),
        )
        transport = httpx.ASGITransport(app=app, client=LOOPBACK)
        sandbox = httpx.ASGITransport(app=app.state.gateway.sandboxes["EU01"])
        async with (
            httpx.AsyncClient(
                transport=transport,
                base_url="http://127.0.0.1:8000",
                headers={"Authorization": f"Bearer {token}"},
            ) as gateway,
            httpx.AsyncClient(
                transport=sandbox, base_url="http://sap", auth=("GATEWAY", "sandbox")
            ) as sap,
            httpx.AsyncClient(
                transport=sandbox, base_url="http://sap", auth=("sfapi@SFSANDBOX", "sandbox")
            ) as sf,
        ):
            order = await place_fulfil_invoice(gateway)
            found = await gateway.post(
                "/graphql", json={"query": SEEDED, "variables": {"order": f"EU01:{order}"}}
            )
            data = found.json()["data"]
            progress = data["orderStatus"]
            company = data["employees"]["nodes"][0]["company"]
            users = [e["nativeId"] for e in data["employees"]["nodes"] if e["company"] == company]
            cases = questions(
                order,
                progress["deliveries"][0]["nativeId"],
                progress["invoices"][0]["nativeId"],
                company,
                users,
            )
            rows = [(q, *await measure(gateway, sap, sf, q)) for q in cases]
    columns = ("(a) OData", "(b) GraphQL", "(c) MCP", "a/c", "b/c")
    print(
        f"{'question':<58} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, WIDTHS, strict=True))
    )
    missed = 0
    for q, raw, graphql, mcp in rows:
        ok = mcp * 10 <= raw and mcp * 2 <= graphql
        missed += not ok
        print(
            f"{q.text:<58} {raw:>9} {graphql:>11} {mcp:>8} {raw / mcp:>6.1f} {graphql / mcp:>5.1f}"
            + ("" if ok else "  MISSED")
        )
    print(
        "targets: (c) <= (a)/10 and (c) <= (b)/2 on every question:",
        "met" if not missed else "missed",
    )
    return 1 if missed else 0


def add_history(sandbox: Any) -> None:
    """What a real landscape has and the demo seed lacks: customer 10100021 with five more
    invoices, billed 35 to 75 days ago and still open; customer 10100004 with three more
    open orders. Booked in the SAP sandbox as its own processes would book them."""
    now = datetime.now(UTC)
    with sandbox.store.write() as tx:
        for days in (75, 64, 52, 43, 35):
            when = now - timedelta(days=days)
            order = create_sales_order(tx, _order("10100021", days), when)
            items = order_items(tx, order["SalesOrder"])
            references = [
                {
                    "ReferenceSDDocument": order["SalesOrder"],
                    "ReferenceSDDocumentItem": i["SalesOrderItem"],
                }
                for i in items
            ]
            delivery = create_delivery(tx, {"to_DeliveryDocumentItem": references}, when)
            shipped = when + timedelta(hours=4)
            pick_all_items(tx, delivery["DeliveryDocument"], "*", shipped)
            post_goods_issue(tx, delivery["DeliveryDocument"], "*", shipped)
            create_from_sd_document(tx, delivery["DeliveryDocument"], shipped + timedelta(days=1))
        for days in (9, 6, 2):
            create_sales_order(tx, _order("10100004", days), now - timedelta(days=days))


def _order(customer: str, seed: int) -> dict[str, object]:
    skus = ("TG11", "TG12", "TG13", "TG14")
    lines = [
        {"Material": sku, "RequestedQuantity": str(1 + (seed + n) % 5)}
        for n, sku in enumerate(skus[: 1 + seed % 3])
    ]
    return {"SoldToParty": customer, "PurchaseOrderByCustomer": f"PO-{seed}", "to_Item": lines}


async def place_fulfil_invoice(gateway: httpx.AsyncClient) -> str:
    """An order of six products for customer 10100005, shipped and billed (its number)."""
    products = await gateway.post(
        "/graphql", json={"query": "{ products(first: 6) { nodes { sku } } }"}
    )
    nodes = products.json()["data"]["products"]["nodes"]
    lines = [{"sku": p["sku"], "quantity": str(1 + n * 3 % 7)} for n, p in enumerate(nodes)]
    placed = await gateway.post(
        "/graphql",
        json={
            "query": PLACE,
            "variables": {
                "input": {
                    "idempotencyKey": "bench-1",
                    "customerId": "EU01:10100005",
                    "lines": lines,
                }
            },
        },
    )
    order: str = placed.json()["data"]["placeOrder"]["order"]["id"]
    for mutation in (FULFIL, INVOICE):
        done = await gateway.post("/graphql", json={"query": mutation, "variables": {"id": order}})
        assert "errors" not in done.json(), done.text
    return order.split(":", 1)[1]


PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { message } } }"""
FULFIL = "mutation($id: ID!) { fulfillOrder(orderId: $id) { errors { message } } }"
INVOICE = "mutation($id: ID!) { invoiceOrder(orderId: $id) { errors { message } } }"
SEEDED = """query($order: ID!) {
  orderStatus(orderId: $order) { deliveries { nativeId } invoices { nativeId } }
  employees(first: 100) { nodes { nativeId company } }
}"""

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
