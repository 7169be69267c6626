"""Building a Tryton sandbox database from scratch: modules with trytond-admin, then demo data.

Both steps run as child processes (``python -m trytond.cli.admin`` and
``python -m erp_sandbox.tryton.demo_data``) so that trytond's process-wide state never enters the
caller. While it runs, ``progress`` (when given) hears a line per step: stage, elapsed time,
modules installed (see ``progress``). A finished build leaves ``<dir>/<name>.build.json`` next
to the database: what it was built from and how long each stage took. ``ensure_database``
reuses a database whose stamp matches.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import selectors
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from erp_sandbox.tryton.database import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_DATABASE,
    TrytonDatabase,
    child_environment,
    database_file,
    python,
    remove_database,
    write_config,
)
from erp_sandbox.tryton.progress import BuildProgress, Report, modules_to_install

logger = logging.getLogger(__name__)

MODULES = ("sale", "account_invoice_stock")
ADMIN_EMAIL = "admin@example.com"
MIN_PASSWORD_LENGTH = 8  # trytond's default [password] length
DEFAULT_TIMEOUT = 900.0
QUIET_SECONDS = 15.0  # a build without a step this long says it is still working

# The files whose content decides what a build holds: a change to any invalidates stamps.
_RECIPE_FILES = ("build.py", "catalog.py", "demo_data.py", "database.py")


class TrytonBuildError(RuntimeError):
    """A build step failed; ``output`` holds the end of what the child process printed."""

    def __init__(self, stage: str, detail: str, output: str = "") -> None:
        super().__init__(f"Tryton build stage {stage!r} failed: {detail}\n{output}".rstrip())
        self.stage = stage
        self.output = output


def build_database(
    target_dir: Path,
    *,
    database: str = DEFAULT_DATABASE,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Report | None = None,
) -> TrytonDatabase:
    """Create ``<target_dir>/<database>.sqlite`` from scratch, with modules and demo data.

    Anything already there under that name is deleted first. The user ``admin`` gets
    ``admin_password`` (at least 8 characters, trytond's rule) and email ``admin@example.com``.
    ``progress`` hears a line per step of the build.
    """
    if len(admin_password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"admin_password needs at least {MIN_PASSWORD_LENGTH} characters")
    target_dir.mkdir(parents=True, exist_ok=True)
    remove_database(target_dir, database)
    _stamp_file(target_dir, database).unlink(missing_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    steps = BuildProgress(
        progress or _ignore, modules_to_install(MODULES), quiet_seconds=QUIET_SECONDS
    )
    with _timed(timings, "create"):
        config_file = write_config(target_dir, database)
        path = database_file(target_dir, database)
        path.touch()
    db = TrytonDatabase(path, database, config_file, admin_password)
    with _timed(timings, "modules"):
        steps.stage("modules", f"installing {', '.join(MODULES)} with their dependencies")
        _install_modules(db, timeout, steps)
    with _timed(timings, "demo_data"):
        steps.stage("demo data", "company, accounting, customers, products, stock, sales")
        timings.update(_load_demo_data(db, timeout, steps))
    timings["total"] = round(time.perf_counter() - started, 2)
    stamp = {**build_fingerprint(database, admin_password), "timings": timings}
    _stamp_file(target_dir, database).write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    logger.info("built Tryton database %s in %.1f s: %s", path, timings["total"], timings)
    steps.finished(path)
    return db


def ensure_database(
    data_dir: Path,
    *,
    database: str = DEFAULT_DATABASE,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Report | None = None,
) -> TrytonDatabase:
    """The database in ``data_dir``, built first if missing or built from another recipe.

    A database is reused when its stamp names the same trytond version, demo-data recipe, year
    (the fiscal year is the calendar year of the build) and admin password. Otherwise it is
    rebuilt, and whatever the old one held is lost. Concurrent callers (test workers) wait on a
    lock file so only one of them builds. ``progress`` hears the steps of a build, and that
    one is waited for.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_dir / f".{database}.lock", progress):
        stamp = read_build_stamp(data_dir, database)
        wanted = build_fingerprint(database, admin_password)
        if stamp is not None and all(stamp.get(k) == v for k, v in wanted.items()):
            path = database_file(data_dir, database)
            if path.is_file():
                config_file = write_config(data_dir, database)
                return TrytonDatabase(path, database, config_file, admin_password)
        if progress is not None:
            progress(f"Tryton build: no database built from this recipe in {data_dir}; building")
        return build_database(
            data_dir,
            database=database,
            admin_password=admin_password,
            timeout=timeout,
            progress=progress,
        )


def read_build_stamp(directory: Path, database: str = DEFAULT_DATABASE) -> dict[str, Any] | None:
    """The stamp of a finished build (fingerprint and ``timings`` in seconds), if any."""
    try:
        stamp = json.loads(_stamp_file(directory, database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def build_fingerprint(database: str, admin_password: str) -> dict[str, str]:
    """What a build depends on; equal fingerprints mean an equivalent database."""
    recipe = hashlib.sha256()
    here = Path(__file__).parent
    for name in _RECIPE_FILES:
        recipe.update((here / name).read_bytes())
    return {
        "database": database,
        "trytond": metadata.version("trytond"),
        "trytond_sale": metadata.version("trytond-sale"),
        "proteus": metadata.version("proteus"),
        "recipe": recipe.hexdigest(),
        "year": str(date.today().year),
        "admin_password_sha256": hashlib.sha256(admin_password.encode()).hexdigest(),
    }


def _install_modules(db: TrytonDatabase, timeout: float, steps: BuildProgress) -> None:
    # trytond-admin reads the password of a new database's admin from a one-line file.
    password_file = db.directory / f".{db.name}.password"
    password_file.write_text(db.admin_password + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    try:
        _run(
            "modules",
            [
                python(),
                "-m",
                "trytond.cli.admin",
                "-vv",  # INFO: a line as each module starts loading, counted as progress
                "-c",
                str(db.config_file),
                "-d",
                db.name,
                "--all",
                "--email",
                ADMIN_EMAIL,
                "--activate-dependencies",
                "-u",
                *MODULES,
            ],
            {"TRYTONPASSFILE": str(password_file)},
            timeout,
            steps,
        )
    finally:
        password_file.unlink(missing_ok=True)


def _load_demo_data(db: TrytonDatabase, timeout: float, steps: BuildProgress) -> dict[str, float]:
    command = [
        python(),
        "-m",
        "erp_sandbox.tryton.demo_data",
        "--config",
        str(db.config_file),
        "--database",
        db.name,
    ]
    output = _run("demo_data", command, {}, timeout, steps)
    stages: dict[str, float] = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "stage":
            stages[f"demo_data.{words[1]}"] = float(words[2])
    return stages


def _run(
    stage: str, command: Sequence[str], env: dict[str, str], timeout: float, steps: BuildProgress
) -> str:
    """Runs ``command``, its output read as it comes so ``steps`` can report it; the output."""
    name = stage.replace("_", " ")
    process = subprocess.Popen(
        command,
        env=child_environment(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    pipe = process.stdout.fileno()
    output = bytearray()
    pending = b""
    deadline = time.monotonic() + timeout
    with process, selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                process.kill()
                raise TrytonBuildError(stage, f"no result after {timeout:.0f} s")
            if selector.select(timeout=min(left, steps.quiet_seconds)):
                chunk = os.read(pipe, 65536)
                if not chunk:
                    break
                output += chunk
                *complete, pending = (pending + chunk).split(b"\n")
                for line in complete:
                    steps.output(name, line.decode("utf-8", "replace"))
            steps.alive(name)
        returncode = process.wait()
    text = output.decode("utf-8", "replace")
    if returncode != 0:
        tail = "\n".join(text.splitlines()[-40:])
        raise TrytonBuildError(stage, f"exit status {returncode}", tail)
    return text


def _ignore(line: str) -> None:
    """The progress report of a build nobody follows."""


def _stamp_file(directory: Path, database: str) -> Path:
    return directory / f"{database}.build.json"


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 2)


@contextmanager
def _locked(lock_file: Path, progress: Report | None = None) -> Iterator[None]:
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress is not None:
                progress(
                    f"Tryton build: waiting for another process building in {lock_file.parent}"
                )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
