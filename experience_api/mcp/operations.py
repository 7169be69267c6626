"""Tools made of GraphQL operation documents: the built-in ones shipped in
``experience_api/mcp/documents/`` and those an operator puts in ``[mcp] tools_dir``.

A document holds one named query; its name is the tool's name, the comment lines before it
(or a ``<name>.md`` file beside it) its description, and its variables the tool's input
schema. A ``$after: String`` variable makes the tool page: it is not shown to the model,
the tool's continuation cursor fills it. A document that does not parse or validate
against the schema stops start-up with an error naming its file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
    validate,
    value_from_ast_untyped,
)

AFTER = "after"
_TOOL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_SCALARS: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "ID": {"type": "string"},
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "Decimal": {"type": ["string", "number"], "description": "a decimal number"},
    "Date": {"type": "string", "format": "date"},
    "DateTime": {"type": "string", "format": "date-time"},
}


class ToolDocumentError(ValueError):
    """A tool document that cannot serve as a tool; the message names its file."""


@dataclass(frozen=True)
class OperationTool:
    """A tool that runs one GraphQL operation."""

    name: str
    description: str
    document: str
    input_schema: dict[str, Any]
    pages: bool
    """True when the operation takes ``$after``: the tool continues across pages."""
    mutation: bool = False
    source: str = ""


def _description(text: str, file: Path) -> str:
    sidecar = file.with_suffix(".md")
    if sidecar.is_file():
        return sidecar.read_text(encoding="utf-8").strip()
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return " ".join(part for part in lines if part)


def json_schema(kind: GraphQLInputType) -> dict[str, Any]:
    """The JSON Schema of a GraphQL input type (nullable unless wrapped in non-null)."""
    if isinstance(kind, GraphQLNonNull):
        return json_schema(kind.of_type)
    if isinstance(kind, GraphQLList):
        return {"type": "array", "items": json_schema(kind.of_type)}
    if isinstance(kind, GraphQLEnumType):
        return {"type": "string", "enum": list(kind.values)}
    if isinstance(kind, GraphQLInputObjectType):
        properties = {name: json_schema(field.type) for name, field in kind.fields.items()}
        required = [n for n, f in kind.fields.items() if isinstance(f.type, GraphQLNonNull)]
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema
    if isinstance(kind, GraphQLScalarType):
        return dict(_SCALARS.get(kind.name, {}))
    return {}


def _input_schema(
    schema: GraphQLSchema, operation: OperationDefinitionNode, where: str
) -> tuple[dict[str, Any], bool]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    pages = False
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        kind = type_from_ast(schema, definition.type)
        if kind is None:
            raise ToolDocumentError(f"{where}: unknown type of ${name}")
        if name == AFTER:
            pages = True
            continue
        prop = json_schema(kind)  # type: ignore[arg-type]
        if definition.default_value is not None:
            prop["default"] = value_from_ast_untyped(definition.default_value)
        properties[name] = prop
        if isinstance(kind, GraphQLNonNull) and definition.default_value is None:
            required.append(name)
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    return result, pages


def operation_tool(
    schema: GraphQLSchema,
    text: str,
    where: str,
    description: str,
    *,
    allow_mutation: bool = False,
) -> OperationTool:
    """The tool of one document; :class:`ToolDocumentError` naming ``where`` if unusable."""
    try:
        document: DocumentNode = parse(text)
    except GraphQLError as exc:
        raise ToolDocumentError(f"{where}: not a GraphQL document: {exc.message}") from exc
    errors = validate(schema, document)
    if errors:
        raise ToolDocumentError(f"{where}: does not validate: {errors[0].message}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise ToolDocumentError(f"{where}: must hold exactly one operation")
    operation = operations[0]
    mutation = operation.operation is OperationType.MUTATION
    if operation.operation is not OperationType.QUERY and not (mutation and allow_mutation):
        raise ToolDocumentError(f"{where}: a tool document must be a query")
    name = operation.name.value if operation.name else ""
    if not _TOOL_NAME.match(name):
        raise ToolDocumentError(
            f"{where}: the operation needs a name (letters, digits, _; the tool's name)"
        )
    if not description:
        raise ToolDocumentError(
            f"{where}: needs a description: comment lines before the operation, or {name}.md"
        )
    input_schema, pages = _input_schema(schema, operation, where)
    return OperationTool(name, description, text, input_schema, pages, mutation, where)


def load_folder(
    schema: GraphQLSchema, folder: Path, *, allow_mutation: bool = False
) -> list[OperationTool]:
    """Every ``.graphql`` document under ``folder`` as a tool, sorted by file name."""
    if not folder.is_dir():
        raise ToolDocumentError(f"{folder}: the tools folder does not exist")
    tools = []
    for file in sorted(folder.glob("*.graphql")):
        text = file.read_text(encoding="utf-8")
        tools.append(
            operation_tool(
                schema, text, str(file), _description(text, file), allow_mutation=allow_mutation
            )
        )
    return tools


def builtin_folder() -> Path:
    return Path(str(resources.files("experience_api.mcp") / "documents"))


def documents_in(folder: Path) -> list[str]:
    """The text of every ``.graphql`` document under ``folder`` (none if it is missing)."""
    if not folder.is_dir():
        return []
    return [file.read_text(encoding="utf-8") for file in sorted(folder.glob("*.graphql"))]


def unique(tools: Iterable[OperationTool], taken: Mapping[str, object]) -> list[OperationTool]:
    """``tools``, refusing a name used twice (or already taken by a built-in tool)."""
    seen = dict(taken)
    result = []
    for tool in tools:
        if tool.name in seen:
            raise ToolDocumentError(f"{tool.source}: a tool named {tool.name} already exists")
        seen[tool.name] = tool
        result.append(tool)
    return result
