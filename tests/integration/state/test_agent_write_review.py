"""A person's review of agents' writes, on the state database (SQLite and PostgreSQL): an
approved request runs exactly once, a rejected or expired one never."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.agent_writes.port import WriteRequest, WriteStatus
from process_apis.agent_writes.review import AgentWriteReview
from process_apis.agent_writes.sql_store import SqlWriteRequestStore
from process_apis.errors import InvalidInput, InvalidState, RecordNotFound

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
AGENT = {"subject": "agent-1", "client_id": "desk", "roles": ["sales"], "scopes": []}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


class Runs:
    """The executor: counts what it runs."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    async def __call__(self, request: WriteRequest) -> tuple[bool, str]:
        await asyncio.sleep(0.01)
        self.ran.append(request.id)
        return True, f"order for {request.arguments['customerId']}"


async def review_of(engine: AsyncEngine, clock: Clock) -> tuple[AgentWriteReview, Runs]:
    review = AgentWriteReview(SqlWriteRequestStore(engine), dt.timedelta(hours=1), clock)
    runs = Runs()
    review.bind(runs)
    return review, runs


async def submit(review: AgentWriteReview, key: str = "k-1", customer: str = "EU01:1") -> str:
    request = await review.submit(
        "place_order",
        {"customerId": customer},
        key,
        requester="agent-1",
        client_id="desk",
        principal=AGENT,
    )
    return request.id


async def test_an_approved_request_runs_once_even_when_approved_twice_at_once(
    state_engine: AsyncEngine,
) -> None:
    review, runs = await review_of(state_engine, Clock())
    request_id = await submit(review)

    outcomes = await asyncio.gather(
        review.approve(request_id, by="alice"),
        review.approve(request_id, by="bob"),
        return_exceptions=True,
    )

    assert runs.ran == [request_id]
    assert sum(isinstance(o, InvalidState) for o in outcomes) == 1
    done = await review.get(request_id)
    assert done.status is WriteStatus.DONE
    assert done.result == "order for EU01:1"
    assert done.decided_by in {"alice", "bob"}


async def test_the_same_key_names_the_same_request_and_another_payload_is_refused(
    state_engine: AsyncEngine,
) -> None:
    review, _ = await review_of(state_engine, Clock())
    first = await submit(review)

    assert await submit(review) == first
    with pytest.raises(InvalidInput, match="another request"):
        await submit(review, customer="EU01:2")


async def test_a_rejected_request_never_runs(state_engine: AsyncEngine) -> None:
    review, runs = await review_of(state_engine, Clock())
    request_id = await submit(review)

    rejected = await review.reject(request_id, by="alice", note="wrong customer")
    with pytest.raises(InvalidState, match="rejected"):
        await review.approve(request_id, by="bob")

    assert rejected.status is WriteStatus.REJECTED
    assert rejected.note == "wrong customer"
    assert runs.ran == []


async def test_an_expired_request_never_runs(state_engine: AsyncEngine) -> None:
    clock = Clock()
    review, runs = await review_of(state_engine, clock)
    request_id = await submit(review)

    clock.now = START + dt.timedelta(hours=1)
    with pytest.raises(InvalidState, match="expired"):
        await review.approve(request_id, by="alice")

    assert (await review.get(request_id)).status is WriteStatus.EXPIRED
    assert runs.ran == []


async def test_an_unknown_request_is_not_found(state_engine: AsyncEngine) -> None:
    review, _ = await review_of(state_engine, Clock())

    with pytest.raises(RecordNotFound):
        await review.approve("no-such-request", by="alice")
