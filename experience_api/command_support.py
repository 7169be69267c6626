"""What the operator commands share: the state options, settings, the state database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from experience_api.settings import Settings

EXIT_USAGE = 2


def state_options() -> argparse.ArgumentParser:
    """The parent parser of commands that work on the gateway's state database."""
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument("--config", type=Path, help="TOML configuration file (as for serve)")
    state.add_argument("--data-dir", type=Path, help="directory for state files (as for serve)")
    return state


def load(args: argparse.Namespace) -> Settings | None:
    """The settings ``--config``/``--data-dir`` and the environment give; None (and a message
    on stderr) when they are invalid."""
    from experience_api.settings import load_settings

    try:
        return load_settings(args.config, data_dir=args.data_dir)
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"erp-gateway: invalid configuration:\n{exc}", file=sys.stderr)
        return None


def run_on_state(
    args: argparse.Namespace, work: Callable[[Settings, AsyncEngine], Awaitable[int]]
) -> int:
    """Runs ``work`` on the migrated state database of the configured gateway; its result is
    the exit code (2 for invalid settings)."""
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    return asyncio.run(_on_state(settings, work))


async def _on_state(
    settings: Settings, work: Callable[[Settings, AsyncEngine], Awaitable[int]]
) -> int:
    from process_apis.persistence.database import create_engine, migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.state_url)
    try:
        await migrate(engine)
        return await work(settings, engine)
    finally:
        await engine.dispose()
