"""What the ``erp-gateway`` subcommands share: the table entry each one declares, the state
options, loading the settings, the state database, exit codes and messages."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from pydantic import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from experience_api.settings import Settings

# 0 done; 1 the work ran and failed; 2 bad arguments, configuration or input; 3 refused.
EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 1, 2, 3

_Code = TypeVar("_Code", int, int | None)


@dataclass(frozen=True)
class Subcommand:
    """One row of the CLI's subcommand table: ``erp-gateway <name>``, the arguments it
    declares on its parser, and what runs it (the result is the exit code)."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None


def add_state_options(parser: argparse.ArgumentParser) -> None:
    """``--config`` and ``--data-dir``: which gateway's settings and state a command uses."""
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--data-dir", type=Path, help="directory for state files (default ./data)")


def state_options() -> argparse.ArgumentParser:
    """The parent parser of the actions that work on the gateway's settings or state."""
    state = argparse.ArgumentParser(add_help=False)
    add_state_options(state)
    return state


def load(args: argparse.Namespace, **overrides: object) -> Settings | None:
    """The settings ``--config``/``--data-dir`` (and ``overrides``, other flags) and the
    environment give; None, with the reason on stderr, when they are invalid."""
    from experience_api.settings import load_settings

    try:
        return load_settings(args.config, data_dir=args.data_dir, **overrides)
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        fail(f"invalid configuration:\n{exc}")
        return None


def run_on_state(
    args: argparse.Namespace, work: Callable[[Settings, AsyncEngine], Awaitable[int]]
) -> int:
    """Runs ``work`` on the migrated state database of the configured gateway; its result is
    the exit code (2 for invalid settings, 1 when the database cannot be opened)."""
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    return asyncio.run(_on_state(settings, work))


async def _on_state(
    settings: Settings, work: Callable[[Settings, AsyncEngine], Awaitable[_Code]]
) -> int | _Code:
    from sqlalchemy.exc import SQLAlchemyError

    from process_apis.persistence.database import create_engine, migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.state_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        try:
            await migrate(engine)
        except (SQLAlchemyError, OSError) as exc:
            return fail(f"cannot open the gateway's state database: {exc}")
        return await work(settings, engine)
    finally:
        await engine.dispose()


async def refuse_unsafe_state(settings: Settings) -> int | None:
    """None when ``settings`` reach the ERPs the state database's records came from (see
    :mod:`experience_api.safety`); else the exit code, with the reason on stderr."""
    return await _on_state(settings, _check_state)


async def _check_state(settings: Settings, engine: AsyncEngine) -> int | None:
    from experience_api.safety import UnsafeConfiguration, check_state_matches

    try:
        await check_state_matches(settings, engine)
    except UnsafeConfiguration as exc:
        return fail(f"refusing to act: {exc}", EXIT_USAGE)
    return None


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Prints ``message`` on stderr; returns ``code``, the exit code to end with."""
    print(f"erp-gateway: {message}", file=sys.stderr)
    return code


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


class ProgressLine:
    """``KIND: N records, R/s`` rewritten in place on ``stream``, at most ten times a second:
    the progress of a long command (an export, an audit check) on stderr."""

    def __init__(self, kind: str, stream: TextIO, unit: str = "records") -> None:
        self._kind = kind
        self._unit = unit
        self._stream = stream
        self._started = time.monotonic()
        self._shown = 0.0
        self._count = 0

    def start(self) -> None:
        """The export begins now: the rate counts from here, not from start-up."""
        self._started = time.monotonic()

    def __call__(self, count: int) -> None:
        self._count = count
        now = time.monotonic()
        if now - self._shown >= 0.1:
            self._shown = now
            self._draw(now)

    def done(self) -> None:
        self._draw(time.monotonic())
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self, now: float) -> None:
        rate = self._count / max(now - self._started, 1e-9)
        self._stream.write(f"\r{self._kind}: {self._count:,} {self._unit}, {rate:,.0f}/s")
        self._stream.flush()
