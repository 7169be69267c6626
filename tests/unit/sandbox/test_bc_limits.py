"""The Business Central sandbox's request limits: a quota per window and a concurrency cap,
each answered 429 with Retry-After, counted per app registration."""

from __future__ import annotations

import pytest

from erp_sandbox.business_central.errors import BcError
from erp_sandbox.business_central.limits import RequestLimits


def test_past_the_quota_a_request_is_refused_with_the_wait_until_the_window_frees() -> None:
    limits = RequestLimits(quota=3, window=300, concurrent=100)
    for _ in range(3):
        limits.enter("app")
        limits.leave("app")
    with pytest.raises(BcError) as refused:
        limits.enter("app")
    assert (refused.value.status, refused.value.code) == (429, "Application_TooManyRequests")
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 300
    limits.enter("other-app")  # another app has its own quota
    assert limits.refused == 1


def test_past_the_concurrency_cap_a_request_is_refused_until_one_finishes() -> None:
    limits = RequestLimits(quota=100, window=300, concurrent=2)
    limits.enter("app")
    limits.enter("app")
    with pytest.raises(BcError) as refused:
        limits.enter("app")
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "1"
    limits.leave("app")
    limits.enter("app")
    assert limits.refused == 1
