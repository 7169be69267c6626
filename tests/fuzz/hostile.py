"""Hostile request bodies: hand-picked ones with the answer each must get, and hypothesis
strategies generating more of their kind (depth, encodings, huge numbers, odd Unicode,
multi-operation documents, wrong content types, non-object bodies, huge variables)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

JSON = "application/json"
MAX_BODY = 100_000  # the default graphql.max_request_bytes: larger bodies only test the 413


@dataclass(frozen=True)
class Hostile:
    """One request body, and the ``code`` of the request error it must get (None: any
    well-formed answer will do)."""

    name: str
    body: bytes
    code: str | None
    content_type: str = JSON
    in_document: bool = False
    """Refused for what the GraphQL document holds, not for how the body is written."""


def request(query: str, variables: Any = None, **more: Any) -> bytes:
    body: dict[str, Any] = {"query": query, **more}
    if variables is not None:
        body["variables"] = variables
    return json.dumps(body).encode()


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


CUSTOMERS = "query($c: String) { customers(filter: {nameContains: $c}) { nodes { id name } } }"
ORDER = "query($id: ID!) { salesOrder(id: $id) { id } }"
PAGE = "query($f: Int) { salesOrders(first: $f) { nodes { id } } }"
TWO_OPERATIONS = "query A { __typename } query B { __typename }"
SUBSCRIPTION = "subscription { invoiceIssued { invoiceId } }"

HAND_PICKED = [
    Hostile("body nested 49,000 levels", nested(49_000).encode(), "JSON_TOO_DEEP"),
    Hostile(
        "variable nested 49,000 levels",
        request(CUSTOMERS).replace(
            b'"query"', b'"variables": {"c": ' + nested(9_000).encode() + b'}, "query"'
        ),
        "JSON_TOO_DEEP",
    ),
    Hostile(
        "variable nested 40 levels",
        request(CUSTOMERS, {"c": json.loads(nested(40))}),
        "JSON_TOO_DEEP",
    ),
    Hostile("invalid UTF-8", b'{"query": "{ __typename }\xff"}', "BAD_REQUEST_BODY"),
    Hostile("overlong UTF-8", b'{"query": "{ __typename }\xc0\xaf"}', "BAD_REQUEST_BODY"),
    Hostile("encoded surrogate", b'{"query": "\xed\xa0\x80"}', "BAD_REQUEST_BODY"),
    Hostile("UTF-16 body", request("{ __typename }").decode().encode("utf-16"), "BAD_REQUEST_BODY"),
    Hostile(
        "lone surrogate to the ERP", request(ORDER, {"id": "EU01:\ud800"}), "UNSUPPORTED_CHARACTER"
    ),
    Hostile("lone low surrogate", request(CUSTOMERS, {"c": "\udfff"}), "UNSUPPORTED_CHARACTER"),
    Hostile("NUL in a variable", request(CUSTOMERS, {"c": "a\x00b"}), "UNSUPPORTED_CHARACTER"),
    Hostile(
        "NUL in a literal",
        request('{ customers(filter: {nameContains: "a\\u0000"}) { nodes { id } } }'),
        "UNSUPPORTED_CHARACTER",
        in_document=True,
    ),
    Hostile("subscription over POST", request(SUBSCRIPTION), "OPERATION_NOT_ALLOWED"),
    Hostile(
        "5,000-digit literal",
        request("{ salesOrders(first: " + "9" * 5000 + ") { nodes { id } } }"),
        "NUMBER_TOO_LARGE",
        in_document=True,
    ),
    Hostile(
        "5,000-digit variable",
        request(PAGE).replace(b'"query"', b'"variables": {"f": ' + b"9" * 5000 + b'}, "query"'),
        "NUMBER_TOO_LARGE",
    ),
    Hostile(
        "number beyond a double",
        b'{"query": "{ __typename }", "variables": {"f": 1e999}}',
        "NUMBER_TOO_LARGE",
    ),
    Hostile("NaN", b'{"query": "{ __typename }", "variables": {"f": NaN}}', "BAD_REQUEST_BODY"),
    Hostile("two operations, no name", request(TWO_OPERATIONS), "OPERATION_NAME_REQUIRED"),
    Hostile(
        "two operations, unknown name",
        request(TWO_OPERATIONS, operationName="C"),
        "UNKNOWN_OPERATION",
    ),
    Hostile("two operations, named", request(TWO_OPERATIONS, operationName="B"), None),
    Hostile("a JSON string", b'"{ __typename }"', "BAD_REQUEST_BODY"),
    Hostile("a JSON number", b"12", "BAD_REQUEST_BODY"),
    Hostile("null", b"null", "BAD_REQUEST_BODY"),
    Hostile("an array", b"[]", "BATCHING_DISABLED"),
    Hostile("empty body", b"", "BAD_REQUEST_BODY"),
    Hostile("no query", b'{"variables": {}}', "BAD_REQUEST_BODY"),
    Hostile("query not a string", b'{"query": 1}', "BAD_REQUEST_BODY"),
    Hostile(
        "variables not an object",
        b'{"query": "{ __typename }", "variables": [1]}',
        "BAD_REQUEST_BODY",
    ),
    Hostile("plain text", b"{ __typename }", "UNSUPPORTED_MEDIA_TYPE", "text/plain"),
    Hostile(
        "application/graphql", b"{ __typename }", "UNSUPPORTED_MEDIA_TYPE", "application/graphql"
    ),
    Hostile(
        "JSON in Latin-1",
        request("{ __typename }"),
        "UNSUPPORTED_MEDIA_TYPE",
        "application/json; charset=latin-1",
    ),
    Hostile("no content type", request("{ __typename }"), "UNSUPPORTED_MEDIA_TYPE", ""),
    Hostile(
        "form",
        b"query=%7B__typename%7D",
        "UNSUPPORTED_MEDIA_TYPE",
        "application/x-www-form-urlencoded",
    ),
    Hostile("too large", request("{ __typename }", {"pad": "x" * MAX_BODY}), "REQUEST_TOO_LARGE"),
    Hostile("huge variable list", request(PAGE, {"f": 1, "pad": list(range(15_000))}), None),
    Hostile(
        "right-to-left text to the ERP", request(CUSTOMERS, {"c": "\u202eabc\u05d0\u0627"}), None
    ),
    Hostile(
        "astral and noncharacters to the ERP", request(CUSTOMERS, {"c": "\U0001f600\uffff"}), None
    ),
    Hostile(
        "deep list literal",
        request("{ salesOrders(first: " + nested(900) + ") { nodes { id } } }"),
        None,
    ),
]

ODD_CHARACTERS = st.sampled_from(
    [
        "\x00",
        "\ud800",
        "\udfff",
        "\u202e",
        "\u200f",
        "\ufeff",
        "\uffff",
        "\U0010ffff",
        "\u0301",
        "\x7f",
        "\u2028",
        "'",
        '"',
        "\\",
        "$",
        "%",
        "*",
        "\r\n",
    ]
)
ODD_TEXT = st.lists(
    st.one_of(ODD_CHARACTERS, st.characters(exclude_categories=())), max_size=12
).map("".join)
HUGE_INTEGERS = st.one_of(
    st.integers(-(2**70), 2**70), st.integers(min_value=1, max_value=4000).map(lambda n: 10**n)
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | HUGE_INTEGERS | st.floats() | ODD_TEXT,
    _containers,
    max_leaves=24,
)
DOCUMENTS = st.one_of(
    st.sampled_from(
        [
            CUSTOMERS,
            ORDER,
            PAGE,
            TWO_OPERATIONS,
            SUBSCRIPTION,
            "{ __typename }",
            "mutation { __typename }",
            "{ salesOrders { nodes { id } } }",
        ]
    ),
    st.integers(1, 6000).map(lambda n: "{ salesOrders(first: " + "9" * n + ") { nodes { id } } }"),
    st.integers(1, 1200).map(lambda n: "{ customers(first: " + nested(n) + ") { nodes { id } } }"),
    ODD_TEXT.map(
        lambda t: "{ customers(filter: {nameContains: " + json.dumps(t) + "}) { nodes { id } } }"
    ),
    st.lists(
        st.sampled_from(
            [
                "query A { __typename }",
                "query B { __typename }",
                "subscription S { invoiceIssued { invoiceId } }",
                "mutation M { __typename }",
                "{ __typename }",
            ]
        ),
        min_size=2,
        max_size=4,
    ).map(" ".join),
    ODD_TEXT,
)


@st.composite
def operations(draw: st.DrawFn) -> dict[str, Any]:
    """A body shaped like a GraphQL request, with hostile parts."""
    body: dict[str, Any] = {"query": draw(st.one_of(DOCUMENTS, JSON_VALUES))}
    if draw(st.booleans()):
        body["variables"] = draw(
            st.one_of(
                st.dictionaries(st.sampled_from(["c", "id", "f", "x"]), JSON_VALUES), JSON_VALUES
            )
        )
    if draw(st.booleans()):
        body["operationName"] = draw(st.one_of(st.sampled_from(["A", "B", "C", "S"]), JSON_VALUES))
    if draw(st.booleans()):
        body[draw(ODD_TEXT)] = draw(JSON_VALUES)
    return body


def _encodings(text: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(
        [
            text.encode("utf-8", "surrogatepass"),
            text.encode("utf-16", "surrogatepass"),
            b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"),
            text.encode("latin-1", "replace"),
            text.encode("utf-8", "surrogatepass")[: len(text) // 2],
            text.encode("utf-8", "surrogatepass").replace(b"/", b"\xc0\xaf"),
        ]
    )


BODIES = st.one_of(
    operations().map(lambda body: json.dumps(body).encode()),
    JSON_VALUES.map(lambda value: json.dumps(value).encode("utf-8", "surrogatepass")),
    operations().map(json.dumps).flatmap(_encodings),
    st.tuples(st.integers(1, 60_000), st.sampled_from(["[]", "{}", '{"a":[]}'])).map(
        lambda shape: (shape[1][:-1] * shape[0] + shape[1][-1:] * shape[0]).encode()[:MAX_BODY]
    ),
    st.binary(max_size=300),
)
CONTENT_TYPES = st.sampled_from(
    [
        JSON,
        JSON,
        JSON,
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "text/plain",
        "application/graphql",
        "multipart/form-data; boundary=x",
        "",
        "application/json;;;",
        "APPLICATION/JSON",
        "application/jsonx",
    ]
)
ACCEPTS = st.sampled_from(
    [
        "application/graphql-response+json",
        "application/json",
        "*/*",
        "",
        "application/graphql-response+json, application/json",
    ]
)
