"""The quarantine review replays each kind through the replayer registered for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from process_apis.errors import ErpUnavailable, InvalidInput, InvalidState
from process_apis.quarantine.errors import OrderQuarantined
from process_apis.quarantine.port import (
    NewQuarantined,
    QuarantinedRecord,
    QuarantineFilter,
    QuarantineStatus,
)
from process_apis.quarantine.replayers import Replayed, Replayers
from process_apis.quarantine.review import QuarantineReview
from tests.fakes.memory_quarantine import MemoryQuarantineStore


class Echo:
    """A toy kind: replaying a record answers its payload's ``name``."""

    def __init__(self) -> None:
        self.down = False
        self.released: list[str] = []

    def corrected(self, record: QuarantinedRecord, payload: object) -> Mapping[str, Any]:
        if not isinstance(payload, Mapping) or not isinstance(payload.get("name"), str):
            raise InvalidInput("payload.name: required", field="payload.name")
        return {"name": payload["name"]}

    def check(self, record: QuarantinedRecord) -> None:
        self.corrected(record, record.payload)

    async def replay(self, record: QuarantinedRecord) -> Replayed:
        if self.down:
            raise ErpUnavailable("the echo is down")
        return Replayed(result=f"echo:{record.payload['name']}")

    async def release_key(self, record: QuarantinedRecord) -> None:
        assert record.idempotency_key is not None
        self.released.append(record.idempotency_key)


@pytest.fixture
def store() -> MemoryQuarantineStore:
    return MemoryQuarantineStore()


@pytest.fixture
def echo() -> Echo:
    return Echo()


@pytest.fixture
def review(store: MemoryQuarantineStore, echo: Echo) -> QuarantineReview:
    return QuarantineReview(store, Replayers({"echo": echo}))


async def kept(store: MemoryQuarantineStore, kind: str = "echo", name: object = "a") -> str:
    record = await store.add(
        NewQuarantined(
            kind=kind,
            connection="EU01",
            payload={"name": name},
            reason="the echo was down",
            idempotency_key="k-1",
        )
    )
    return record.id


async def test_a_registered_kind_is_replayed_by_its_replayer(
    review: QuarantineReview, store: MemoryQuarantineStore
) -> None:
    record_id = await kept(store)

    outcome = await review.replay(record_id, by="ops")

    assert (outcome.error, outcome.result) == (None, "echo:a")
    assert outcome.record.status is QuarantineStatus.REPLAYED
    assert outcome.record.resolution_result == "echo:a"
    assert review.kinds == ("echo",)


async def test_a_failed_replay_keeps_the_record_open_with_the_error(
    review: QuarantineReview, store: MemoryQuarantineStore, echo: Echo
) -> None:
    record_id = await kept(store)
    echo.down = True

    outcome = await review.replay(record_id)

    assert isinstance(outcome.error, OrderQuarantined)
    assert outcome.error.quarantine_id == record_id
    assert outcome.record.status is QuarantineStatus.OPEN
    assert outcome.record.attempts == 2
    assert outcome.record.lease_until is None


async def test_a_payload_that_fails_its_check_is_refused_before_an_attempt(
    review: QuarantineReview, store: MemoryQuarantineStore
) -> None:
    record_id = await kept(store, name=7)

    with pytest.raises(InvalidInput, match=r"payload\.name"):
        await review.replay(record_id)

    assert store.records[record_id].attempts == 1
    summary = await review.replay_all()
    assert (summary.replayed, summary.failed, summary.skipped) == (0, 1, 0)


async def test_an_edit_goes_through_the_replayer(
    review: QuarantineReview, store: MemoryQuarantineStore
) -> None:
    record_id = await kept(store)

    with pytest.raises(InvalidInput, match=r"payload\.name"):
        await review.edit(record_id, {"other": "b"})
    assert store.records[record_id].payload == {"name": "a"}

    edited = await review.edit(record_id, {"name": "b"})
    assert edited.payload == {"name": "b"}
    assert (await review.replay(record_id)).result == "echo:b"


async def test_a_kind_without_replayer_is_a_clear_error_and_changes_nothing(
    review: QuarantineReview, store: MemoryQuarantineStore
) -> None:
    record_id = await kept(store, kind="telex")

    with pytest.raises(InvalidState, match=r"kind 'telex' cannot be replayed.*known: echo"):
        await review.replay(record_id)
    with pytest.raises(InvalidState, match="kind 'telex'"):
        await review.edit(record_id, {"name": "b"})
    with pytest.raises(InvalidState, match="kind 'telex'"):
        await review.discard(record_id, "no telex any more", release_key=True)
    record = store.records[record_id]
    assert (record.status, record.attempts, record.payload) == (
        QuarantineStatus.OPEN,
        1,
        {"name": "a"},
    )
    with pytest.raises(InvalidInput, match=r"unknown kind 'telex'; known: echo"):
        await review.list(QuarantineFilter(kind="telex"), limit=10)

    discarded = await review.discard(record_id, "no telex any more")
    assert discarded.status is QuarantineStatus.DISCARDED


async def test_discarding_with_release_frees_the_key_through_the_replayer(
    review: QuarantineReview, store: MemoryQuarantineStore, echo: Echo
) -> None:
    kept_id = await kept(store)
    await review.discard(kept_id, "sent twice", by="ops")
    assert echo.released == []

    released_id = (
        await store.add(
            NewQuarantined(
                kind="echo",
                connection="EU01",
                payload={"name": "b"},
                reason="down",
                idempotency_key="k-2",
            )
        )
    ).id
    await review.discard(released_id, "the client resends it", release_key=True)
    assert echo.released == ["k-2"]


def test_a_kind_is_registered_once() -> None:
    replayers = Replayers({"echo": Echo()})

    with pytest.raises(ValueError, match="two replayers for quarantine kind 'echo'"):
        replayers.register("echo", Echo())
    with pytest.raises(ValueError, match="needs a kind"):
        replayers.register("", Echo())
    assert list(replayers) == ["echo"]
    assert "echo" in replayers
