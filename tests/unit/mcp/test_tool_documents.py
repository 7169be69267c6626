"""Operator tools: GraphQL documents in a folder become tools without code; one that does
not validate stops start-up, naming its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from experience_api.app import create_app
from experience_api.mcp.config import McpSettings
from experience_api.mcp.operations import ToolDocumentError, load_folder
from experience_api.mcp.tools import Toolbox
from experience_api.schema import build_schema
from experience_api.settings import Settings

OPEN_ORDERS = """# Orders of one customer in one status, newest first.
query orders_in_status($customerId: ID!, $status: OrderStatus!, $first: Int = 10, $after: String) {
  salesOrders(filter: { customerId: $customerId, status: $status }, first: $first, after: $after) {
    totalCount
    nodes { id number }
  }
}
"""


def test_a_documents_variables_are_the_tools_input_schema(tmp_path: Path) -> None:
    (tmp_path / "orders.graphql").write_text(OPEN_ORDERS)

    (tool,) = load_folder(build_schema()._schema, tmp_path)

    assert tool.name == "orders_in_status"
    assert tool.description == "Orders of one customer in one status, newest first."
    assert tool.pages
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "customerId": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["ORDERED", "PARTIALLY_SHIPPED", "SHIPPED", "INVOICED", "CANCELLED"],
            },
            "first": {"type": "integer", "default": 10},
        },
        "required": ["customerId", "status"],
    }


def test_a_sidecar_file_describes_a_tool(tmp_path: Path) -> None:
    (tmp_path / "skus.graphql").write_text("query skus { products { nodes { sku } } }")
    (tmp_path / "skus.md").write_text("Every SKU of the default connection.\n")

    (tool,) = load_folder(build_schema()._schema, tmp_path)

    assert tool.description == "Every SKU of the default connection."


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("# x\nquery broken { customers { nodes { salary } } }", "does not validate"),
        ("# x\nquery { customers { totalCount } }", "needs a name"),
        ("query undescribed { customers { totalCount } }", "needs a description"),
        ('# x\nmutation m { fulfillOrder(orderId: "A:1") { errors { code } } }', "a query"),
        (
            "# x\nquery one { customers { totalCount } } query two { products { totalCount } }",
            "exactly one operation",
        ),
        ("# x\nquery {", "not a GraphQL document"),
    ],
)
def test_a_document_that_cannot_be_a_tool_stops_start_up_naming_its_file(
    tmp_path: Path, document: str, problem: str
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "bad.graphql").write_text(document)
    settings = Settings(data_dir=tmp_path, mcp=McpSettings(tools_dir=tools))

    with pytest.raises(ToolDocumentError, match=problem) as raised:
        create_app(settings)

    assert str(tools / "bad.graphql") in str(raised.value)


def test_an_operator_tool_may_not_take_a_built_in_name(tmp_path: Path) -> None:
    (tmp_path / "mine.graphql").write_text("# x\nquery find_customers { customers { totalCount } }")

    with pytest.raises(ToolDocumentError, match="already exists"):
        Toolbox.build(build_schema(), McpSettings(tools_dir=tmp_path), 100, True)


def test_every_built_in_tool_has_a_description_and_an_object_schema() -> None:
    toolbox = Toolbox.build(build_schema(), McpSettings(), 100, True)

    for spec in toolbox.specs():
        assert len(spec.description) > 40, spec.name
        assert spec.input_schema["type"] == "object"
        assert spec.input_schema["properties"]["max_tokens"]["maximum"] == 2000
