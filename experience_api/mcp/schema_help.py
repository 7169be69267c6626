"""Schema help for agents: the types and fields that match a keyword, as minified SDL.

A model that writes its own query needs only the part of the schema it asks about; this
answers with just that, one type per record so a budget cuts between types.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)
from graphql.type import specified_scalar_types

from experience_api.mcp.compact import Doc, Row, Table


def _arguments(arguments: dict[str, GraphQLArgument]) -> str:
    if not arguments:
        return ""
    return "(" + " ".join(f"{name}:{arg.type}" for name, arg in arguments.items()) + ")"


def _field(name: str, field: GraphQLField | GraphQLInputField) -> str:
    arguments = _arguments(field.args) if isinstance(field, GraphQLField) else ""
    return f"{name}{arguments}:{field.type}"


def minified(kind: GraphQLNamedType, only: set[str] | None = None) -> str:
    """One type in SDL without descriptions or optional whitespace; ``only`` its fields."""
    if isinstance(kind, GraphQLEnumType):
        return f"enum {kind.name}{{{' '.join(kind.values)}}}"
    if isinstance(kind, GraphQLUnionType):
        return f"union {kind.name}={'|'.join(t.name for t in kind.types)}"
    if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        word = {
            GraphQLObjectType: "type",
            GraphQLInterfaceType: "interface",
            GraphQLInputObjectType: "input",
        }[type(kind)]
        fields = kind.fields.items()
        body = " ".join(_field(n, f) for n, f in fields if only is None or n in only)
        return f"{word} {kind.name}{{{body}}}"
    return f"scalar {kind.name}"


def _matches(words: list[str], *texts: str | None) -> bool:
    haystack = " ".join(t for t in texts if t).lower()
    return all(word in haystack for word in words)


def search(schema: GraphQLSchema, keywords: str) -> Doc:
    """Types whose name or description matches every keyword (whole), then types with
    fields that match (only those fields)."""
    words = [w for w in keywords.lower().split() if w]
    whole: list[str] = []
    partial: list[str] = []
    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if _matches(words, name, kind.description):
            whole.append(minified(kind))
            continue
        fields = getattr(kind, "fields", None)
        if isinstance(kind, GraphQLScalarType) or not fields:
            continue
        hits = {n for n, f in fields.items() if _matches(words, n, f.description)}
        if hits:
            partial.append(minified(kind, hits))
    rows = [Row({"sdl": text}) for text in [*whole, *partial]]
    return Doc({}, [Table("schema", rows)] if rows else [])
