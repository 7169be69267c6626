"""Waiting for a wake-up or a timeout, in the loops that run until they are cancelled."""

from __future__ import annotations

import asyncio
import contextlib


async def woken(wake: asyncio.Event, seconds: float) -> bool:
    """Whether ``wake`` is set after waiting for it at most ``seconds``.

    A cancellation always goes through: Python 3.11's ``asyncio.wait_for`` drops one that
    arrives in the same turn as the wake-up, and a loop waiting with it polls on after it
    was stopped (a stopping gateway, awaiting it, would wait forever).
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
    return wake.is_set()
