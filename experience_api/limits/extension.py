"""The schema extension that applies the operation limits to every request, HTTP or WebSocket.

Tokens are counted before the document is parsed (and the parser is told to stop past the
limit, too); depth, aliases and cost are validation rules priced with the request's own
variables; introspection is refused by a rule when it is off. "Did you mean ...?" hints are
taken out of every error message, so a client cannot map the schema by guessing names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    Lexer,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    Token,
    TokenKind,
    parse,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from experience_api.limits.document_cache import DocumentCache
from experience_api.limits.errors import (
    NUMBER_TOO_LARGE,
    OPERATION_NAME_REQUIRED,
    QUERY_TOO_COMPLEX,
    TOO_MANY_TOKENS,
    UNSUPPORTED_CHARACTER,
    limit_error,
)
from experience_api.limits.json_body import (
    DEFAULT_MAX_JSON_DEPTH,
    MAX_NUMBER_LENGTH,
    UnsafeJson,
    check_value,
)
from experience_api.limits.rules import (
    NoIntrospectionRule,
    OperationLimits,
    limit_errors,
    operation_limits_rule,
)

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True)
class GuardConfig:
    """Everything :class:`OperationGuard` enforces."""

    operations: OperationLimits
    max_tokens: int
    introspection: bool
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    documents: DocumentCache = field(default_factory=DocumentCache, compare=False)
    """Query texts seen before: their checks, parsing and validation are not done again."""


class OperationGuard(SchemaExtension):
    """Refuses an operation over a limit before anything is resolved."""

    def __init__(self, config: GuardConfig) -> None:
        self.config = config
        self._requested_name: str | None = None
        self._limits_rule: type[ASTValidationRule] | None = None

    @classmethod
    def factory(cls, config: GuardConfig) -> Callable[[], OperationGuard]:
        """One fresh extension per operation, as strawberry expects."""
        return lambda: cls(config)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # No document is parsed yet, so this is the operation name the client gave, if any
        # (once parsed, strawberry falls back to the name of the first operation).
        self._requested_name = context.operation_name
        self._limits_rule = operation_limits_rule(self.config.operations, context.variables)
        rules = [self._limits_rule]
        if not self.config.introspection:
            rules.append(NoIntrospectionRule)
        context.validation_rules = (*context.validation_rules, *rules)
        yield
        _explain_errors(context)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.config.max_tokens
        if context.graphql_document is None and context.variables:
            # Variables that did not come through the HTTP body reader (MCP tools, tests)
            # are held to the same rules; for the others this finds nothing new.
            try:
                check_value(
                    context.variables, max_depth=self.config.max_json_depth, root="variables"
                )
            except UnsafeJson as exc:
                refuse(
                    context,
                    GraphQLError(exc.message, extensions={"code": exc.code, **exc.extensions}),
                )
        if context.graphql_document is None and context.query:
            self._scan_and_parse(context)
        yield
        if context.pre_execution_errors or context.graphql_document is None:
            return
        operations = [
            d
            for d in context.graphql_document.definitions
            if isinstance(d, OperationDefinitionNode)
        ]
        # Strawberry would run the first operation; the GraphQL spec asks for a request error.
        if len(operations) > 1 and self._requested_name is None:
            refuse(
                context,
                GraphQLError(
                    f"The document holds {len(operations)} operations; name the one to run "
                    "in `operationName`.",
                    extensions={"code": OPERATION_NAME_REQUIRED},
                ),
            )

    def _scan_and_parse(self, context: ExecutionContext) -> None:
        """Refuses a document over the token limit or with a refused literal; parses one
        that passes (its document is kept: the same text is neither checked nor parsed
        again). A document that does not parse is left for strawberry to report."""
        query, limit = context.query or "", self.config.max_tokens
        known = self.config.documents.document(query, limit)
        if known is not None:
            context.graphql_document = known
            return
        scan = scan_document(query, limit)
        if scan.tokens > limit:
            refuse(
                context,
                limit_error(
                    TOO_MANY_TOKENS,
                    f"The document has {scan.tokens} tokens; at most {limit} are allowed.",
                    limit=limit,
                    actual=scan.tokens,
                ),
            )
        elif scan.refusal is not None:
            refuse(context, scan.refusal)
        else:
            try:
                document = parse(query, **context.parse_options)
            except Exception:  # strawberry parses it again and reports the error
                return
            self.config.documents.remember(query, limit, document)
            context.graphql_document = document

    def on_validate(self) -> Iterator[None]:
        """A document that passed every rule but the limits before is only measured against
        the limits (with this request's variables); any other is validated in full."""
        context = self.execution_context
        document, query = context.graphql_document, context.query
        rule = self._limits_rule
        if (
            context.pre_execution_errors is None
            and document is not None
            and query
            and rule is not None
            and document is self.config.documents.document(query, self.config.max_tokens)
        ):
            schema = context.schema._schema
            static = tuple(r for r in context.validation_rules if r is not rule)
            if self.config.documents.valid(
                schema,
                query,
                self.config.max_tokens,
                static,
                lambda: not validate_document(schema, document, static),
            ):
                context.pre_execution_errors = limit_errors(
                    schema, document, self.config.operations, context.variables
                )
        yield


@dataclass(frozen=True)
class DocumentScan:
    """What one pass of the lexer found in a document, before it is parsed."""

    tokens: int
    refusal: GraphQLError | None = None
    """The first literal refused: a number too long to convert, a string holding U+0000."""


def scan_document(query: str, limit: int) -> DocumentScan:
    """Counts the lexical tokens of ``query`` and looks at its literals, in one pass.

    Counting stops at a lexical error: the parser reports that one itself.
    """
    lexer = Lexer(Source(query))
    count = 0
    refusal: GraphQLError | None = None
    try:
        while (token := lexer.advance()).kind is not TokenKind.EOF:
            count += 1
            if refusal is None:
                refusal = _literal_refusal(token)
    except GraphQLSyntaxError:
        return DocumentScan(min(count, limit), refusal)
    return DocumentScan(count, refusal)


def count_tokens(query: str, limit: int) -> int:
    """The number of lexical tokens in ``query`` (what the parser would read)."""
    return scan_document(query, limit).tokens


def _literal_refusal(token: Token) -> GraphQLError | None:
    value = token.value or ""
    if token.kind in (TokenKind.INT, TokenKind.FLOAT) and len(value) > MAX_NUMBER_LENGTH:
        return limit_error(
            NUMBER_TOO_LARGE,
            f"A number in the document is written with {len(value)} characters; at most "
            f"{MAX_NUMBER_LENGTH} are allowed.",
            limit=MAX_NUMBER_LENGTH,
            actual=len(value),
        )
    if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING) and "\x00" in value:
        return GraphQLError(
            f"A string in the document (line {token.line}) holds U+0000 (NUL), which is not "
            "accepted in text.",
            extensions={"code": UNSUPPORTED_CHARACTER},
        )
    return None


def _placeholder(operation_name: str | None) -> DocumentNode:
    # Named like the requested operation, so strawberry can still tell its type (a query).
    name = NameNode(value=operation_name) if operation_name is not None else None
    selection = FieldNode(name=NameNode(value="__typename"), directives=(), arguments=())
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=name,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(selection,)),
    )
    return DocumentNode(definitions=(operation,))


def refuse(context: ExecutionContext, error: GraphQLError) -> None:
    """End the operation with ``error`` as a request error, before parsing or validating.

    Strawberry skips parsing when a document is already there and skips validation when
    errors are already recorded; it then answers those errors, and nothing runs.
    """
    context.graphql_document = _placeholder(context.operation_name)
    context.pre_execution_errors = [error]


def _explain_errors(context: ExecutionContext) -> None:
    """Takes suggestions out of messages; gives graphql-core's own abort a code and a reason."""
    errors = list(context.pre_execution_errors or [])
    if context.result is not None and context.result.errors:
        errors.extend(context.result.errors)
    for error in errors:
        if "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)
        if isinstance(error, ValidationAbortedError):
            # graphql-core gives up when checking the document would take too long (many
            # fields of the same name to compare, fragments spread over and over).
            error.message = (
                "Validation aborted: the document is too complex to check (too many fields "
                "to compare or fragments to expand); send a smaller one."
            )
            error.extensions = {"code": QUERY_TOO_COMPLEX}
