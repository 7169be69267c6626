"""Validation rules that refuse an operation before it runs: depth, aliases, cost, introspection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

from experience_api.limits.errors import (
    INTROSPECTION_DISABLED,
    QUERY_TOO_COSTLY,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    limit_error,
)
from experience_api.limits.measure import OperationMeasurer, PageSizes

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class OperationLimits:
    """The ceilings every operation of a document must stay under."""

    max_depth: int
    max_aliases: int
    max_cost: int
    pages: PageSizes


def operation_limits_rule(
    limits: OperationLimits, variables: Mapping[str, Any] | None
) -> type[ASTValidationRule]:
    """A rule measuring each operation of the document with this request's variables."""

    class OperationLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            measurer = OperationMeasurer(context.schema, fragments, limits.pages, variables)
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    _check(context, definition, measurer, limits)

    return OperationLimitsRule


def _check(
    context: ValidationContext,
    operation: OperationDefinitionNode,
    measurer: OperationMeasurer,
    limits: OperationLimits,
) -> None:
    measured = measurer.measure(operation)
    name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
    if measured.depth > limits.max_depth:
        context.report_error(
            limit_error(
                QUERY_TOO_DEEP,
                f"{name} nests fields {measured.depth} levels deep; "
                f"at most {limits.max_depth} are allowed.",
                limit=limits.max_depth,
                actual=measured.depth,
                node=operation,
            )
        )
    if measured.aliases > limits.max_aliases:
        context.report_error(
            limit_error(
                TOO_MANY_ALIASES,
                f"{name} uses {measured.aliases} aliases (fragments counted where spread); "
                f"at most {limits.max_aliases} are allowed.",
                limit=limits.max_aliases,
                actual=measured.aliases,
                node=operation,
            )
        )
    if measured.cost > limits.max_cost:
        context.report_error(
            limit_error(
                QUERY_TOO_COSTLY,
                f"{name} costs {measured.cost}: each object field counts 1 and a list "
                f"multiplies its selection by its page size (`first`); at most "
                f"{limits.max_cost} is allowed. Ask for smaller pages or fewer nested lists.",
                limit=limits.max_cost,
                actual=measured.cost,
                node=operation,
            )
        )


class NoIntrospectionRule(ValidationRule):
    """Refuses ``__schema`` and ``__type``; ``__typename`` stays available."""

    def enter_field(self, node: FieldNode, *_: object) -> None:
        name = node.name.value
        if name in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    f"Introspection is disabled on this server; '{name}' cannot be queried.",
                    node,
                    extensions={"code": INTROSPECTION_DISABLED},
                )
            )
