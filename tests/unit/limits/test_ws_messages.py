"""The shape a WebSocket message must have before a protocol handler acts on it."""

from __future__ import annotations

import pytest

from experience_api.limits.ws_messages import message_problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "message",
    [
        {"type": "connection_init"},
        {"type": "connection_init", "payload": {"Authorization": "Bearer x"}},
        {"type": "ping", "payload": [1]},
        {"id": "1", "type": "complete"},
        {"id": "1", "type": "subscribe", "payload": {"query": "subscription { a }"}},
        {
            "id": "1",
            "type": "start",
            "payload": {"query": "{ a }", "variables": None, "operationName": "A"},
        },
    ],
)
def test_well_formed_messages_pass(message: object) -> None:
    assert message_problem(message) is None


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ([1], "a message must be a JSON object"),
        ({"type": 1}, "a message needs a string `type`"),
        ({"id": [1], "type": "complete"}, "`id` must be a string"),
        ({"type": "subscribe", "payload": {"query": "{ a }"}}, "`id` is required"),
        ({"id": "1", "type": "subscribe", "payload": "{ a }"}, "`payload` must be an object"),
        ({"id": "1", "type": "subscribe", "payload": {"query": 1}}, "`payload.query` must be"),
        ({"id": "1", "type": "start", "payload": {}}, "`payload.query` must be a string"),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": "{ a }", "variables": [1]}},
            "`payload.variables` must be an object or null",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": "{ a }", "operationName": 1}},
            "`payload.operationName` must be a string or null",
        ),
    ],
)
def test_malformed_messages_are_named(message: object, problem: str) -> None:
    found = message_problem(message)
    assert found is not None
    assert found.startswith(problem)
