"""Execution of operations: graphql-core's executor with a short path for plain leaf fields.

Most fields of a large answer are plain leaves: a scalar or enum attribute read off the
object its parent resolved (``number``, ``sku``, ``quantity.value``...). strawberry marks
such a field's resolver as its default (no resolver, no permission class, no extension);
graphql-core still builds a resolve info for it, looks for middleware and awaitables, and
walks the type wrappers down to the leaf on every row. :class:`GatewayExecutionContext`
reads such a field and coerces its value directly.

Which fields qualify is decided once, when the schema is built (:func:`mark_plain_leaves`):
a field with a resolver or a permission class (every scope check and field-level
protection), with arguments, or of an object, list or abstract type keeps the full path.
At run time anything other than a ready value takes the full path too (null for a non-null
field, an awaitable, an exception, a value the scalar cannot coerce), which then answers
exactly as it always did, error included; as does every field when an extension hooks
``resolve``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

PLAIN_LEAF = "gateway-plain-leaf"
"""Key, in a GraphQL field's ``extensions``, of its :class:`PlainLeaf` when it is one."""


class PlainLeaf(NamedTuple):
    """How to read a plain leaf field: its scalar or enum type, the attribute strawberry
    reads it from (None: call its resolver, when strawberry's default resolver is not
    ``getattr``) and whether it is non-null."""

    leaf: GraphQLLeafType
    attribute: str | None
    non_null: bool


# Values of these types are final: no awaitable, no exception.
_READY = frozenset({str, int, float, bool})


def mark_plain_leaves(schema: GraphQLSchema) -> None:
    """Marks every object field of ``schema`` that strawberry resolves by attribute (no
    resolver, no permission class, no field extension: :func:`_reads_attribute`) and whose
    type is a scalar or enum, possibly non-null, and which takes no argument."""
    for named in schema.type_map.values():
        if not is_object_type(named) or named.name.startswith("__"):
            continue
        assert isinstance(named, GraphQLObjectType)
        for field in named.fields.values():
            if field.args or not _reads_attribute(field):
                continue
            non_null = isinstance(field.type, GraphQLNonNull)
            leaf = field.type.of_type if non_null else field.type
            if is_leaf_type(leaf):
                definition = field.extensions["strawberry-definition"]
                # strawberry's basic resolver is ``default_resolver(source, python_name)``.
                attribute = (
                    definition.python_name if definition.default_resolver is getattr else None
                )
                plain = PlainLeaf(leaf, attribute, non_null)
                field.extensions = {**(field.extensions or {}), PLAIN_LEAF: plain}


def _reads_attribute(field: GraphQLField) -> bool:
    """Whether strawberry resolves ``field`` with its basic resolver: an attribute read,
    with no resolver, permission class, field extension or exception handler around it
    (strawberry calls that closure ``_get_basic_result``; its ``_is_default`` mark alone
    is also set on fields with permission classes)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    resolve = field.resolve
    return (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and resolve is not None
        and getattr(resolve, "_is_default", False)
        and getattr(resolve, "__name__", "") == "_get_basic_result"
    )


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context; plain leaf fields read and coerced directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # An extension that hooks ``resolve`` sees every field: then none is short.
        self.short_leaves = manager is None or not manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        field_def = parent_type.fields.get(field_details_list[0].node.name.value)
        plain: PlainLeaf | None = (
            None if field_def is None else field_def.extensions.get(PLAIN_LEAF)
        )
        if plain is not None and self.short_leaves:
            assert field_def is not None
            try:
                if plain.attribute is None:
                    value = field_def.resolve(source, None)
                else:
                    value = getattr(source, plain.attribute)
                if value is None:
                    if not plain.non_null:
                        return None
                elif type(value) in _READY or not (
                    isinstance(value, Exception) or self.is_awaitable(value)
                ):
                    coerced = plain.leaf.coerce_output_value(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # the full path below raises it again, located and reported
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # An object (possibly non-null) with a value: graphql-core's tests for an error,
        # null, a list, a leaf or an abstract type all fail, and it executes the object's
        # fields exactly so; the answer is a dict or an awaitable of one, never null.
        inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if (
            isinstance(inner, GraphQLObjectType)
            and inner.is_type_of is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            return self.collect_and_execute_subfields(
                inner, field_details_list, path, result, position_context
            )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
