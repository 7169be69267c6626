"""A Tryton SQLite database on disk: its description, configuration file, copies and the
environment trytond's processes run in."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE = "gateway"
DEFAULT_ADMIN_PASSWORD = "gateway-admin"
ADMIN_LOGIN = "admin"

# The directory holding the ``erp_sandbox`` package, so ``python -m erp_sandbox...`` works in a
# child process even when the project is not installed.
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class TrytonDatabase:
    """A built database: ``<dir>/<name>.sqlite`` and the trytond configuration file using it."""

    path: Path
    name: str
    config_file: Path
    admin_password: str

    @property
    def directory(self) -> Path:
        return self.path.parent


def database_file(directory: Path, name: str) -> Path:
    return directory / f"{name}.sqlite"


def write_config(directory: Path, name: str) -> Path:
    """Write ``<directory>/<name>.conf``: SQLite databases in ``directory``."""
    config_file = directory / f"{name}.conf"
    config_file.write_text(
        f"[database]\nuri = sqlite://\npath = {directory.resolve()}\n",
        encoding="utf-8",
    )
    return config_file


def copy_database(db: TrytonDatabase, target_dir: Path) -> TrytonDatabase:
    """Copy ``db`` into ``target_dir`` (same database name) with its own configuration file.

    The copy goes through SQLite's backup API: trytond keeps its databases in WAL mode, so a
    plain file copy could miss pages still in the ``-wal`` file.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    target = database_file(target_dir, db.name)
    if target.resolve() == db.path.resolve():
        raise ValueError(f"cannot copy {db.path} onto itself")
    for leftover in (target, *_sidecars(target)):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    # Attachments live in a directory named after the database next to the file.
    filestore = db.directory / db.name
    if filestore.is_dir():
        shutil.copytree(filestore, target_dir / db.name, dirs_exist_ok=True)
    return TrytonDatabase(
        path=target,
        name=db.name,
        config_file=write_config(target_dir, db.name),
        admin_password=db.admin_password,
    )


def remove_database(directory: Path, name: str) -> None:
    """Delete the database file, its WAL side files, configuration and attachments."""
    path = database_file(directory, name)
    for file in (path, *_sidecars(path), directory / f"{name}.conf"):
        file.unlink(missing_ok=True)
    shutil.rmtree(directory / name, ignore_errors=True)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of trytond child processes.

    trytond reads any ``TRYTOND_<SECTION>__<OPTION>`` variable as configuration; variables left
    in the caller's environment (a developer's database URI, say) must not leak into a sandbox.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TRYTOND_") and key != "TRYTONPASSFILE"
    }
    paths = [str(_SOURCE_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.update(extra or {})
    return env


def python() -> str:
    """The interpreter that runs trytond: the one running this code, in the same environment."""
    return sys.executable
